/**
 * The EC2 instance identity document: reading claims from signed bytes. No I/O, no clock.
 * Call `readAwsDocument` only on bytes a signature has been verified over (or, before
 * verification, only to pick which key to try — see `documentRegion`).
 *
 * Fields are validated strictly: an identity that names the wrong account, instance or address
 * would mint a token for the wrong node, and these values flow into Kubernetes names, labels
 * and shell scripts downstream.
 */
import type { AttestFailure, NodeIdentity } from '../identity.js';

/** AWS account IDs are 12 decimal digits. */
export const ACCOUNT_ID = /^[0-9]{12}$/;
/** EC2 instance IDs: `i-` and 8 (legacy) or 17 lowercase hex digits. */
export const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;
/** Region codes: us-east-1, us-gov-west-1, cn-north-1, eusc-de-east-1, ap-southeast-7, … */
export const REGION = /^[a-z]{2,4}(-[a-z]+){1,3}-[0-9]{1,2}$/;
/** The part of a zone name after its region: `b` (us-east-2b), `-lax-1a` (Local Zone), `-wl1-bos-wlz-1` (Wavelength). */
const ZONE_SUFFIX = /^([a-z]|(-[a-z0-9]+)+)$/;
const IPV4 = /^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$/;
/** RFC 3339 date-time (§5.6), upper-case T and Z as AWS writes them. */
const RFC3339 = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$/;

/** Optional string fields copied into `attributes` when present, with the shape each must have. */
const OPTIONAL_STRINGS: Readonly<Record<string, RegExp>> = {
  instanceType: /^[a-z0-9][a-z0-9-]{0,31}\.[a-z0-9-]{1,32}$/,
  imageId: /^ami-[0-9a-f]{8,17}$/,
  architecture: /^[a-z0-9_]{1,32}$/,
  kernelId: /^aki-[0-9a-f]{8,17}$/,
  ramdiskId: /^ari-[0-9a-f]{8,17}$/,
  version: /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/,
};
/** Optional list fields, joined with "," into `attributes` when present and non-empty. */
const OPTIONAL_LISTS: Readonly<Record<string, RegExp>> = {
  billingProducts: /^[A-Za-z0-9._-]{1,128}$/,
  marketplaceProductCodes: /^[A-Za-z0-9._-]{1,128}$/,
  devpayProductCodes: /^[A-Za-z0-9._-]{1,128}$/,
};
const MAX_LIST = 32;

export type AwsDocumentResult = { readonly ok: true; readonly identity: NodeIdentity } | { readonly ok: false; readonly error: AttestFailure };

/** The document as a JSON object, or why not. UTF-8 only; the bytes are not modified. */
export function parseDocumentJson(bytes: Uint8Array): { ok: true; json: Readonly<Record<string, unknown>> } | { ok: false; error: AttestFailure } {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes));
  } catch {
    return { ok: false, error: { reason: 'malformed_document', detail: 'identity document is not UTF-8 JSON' } };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, error: { reason: 'malformed_document', detail: 'identity document is not a JSON object' } };
  }
  return { ok: true, json: json as Record<string, unknown> };
}

/**
 * The region a document claims, read *before* its signature is checked, only to choose which
 * regional certificate to verify with. That is safe because the region is inside the signed
 * bytes: a document claiming region X verifies only under X's key (or a key policy trusts for
 * every region), and every claim returned later is re-read from the same, then verified, bytes.
 */
export function documentRegion(json: Readonly<Record<string, unknown>>): string | undefined {
  const region = json['region'];
  return typeof region === 'string' && REGION.test(region) ? region : undefined;
}

/** The EC2 default private DNS hostname (IP-based naming): ip-10-0-1-23.ec2.internal in us-east-1, else ip-10-0-1-23.<region>.compute.internal. */
export function awsDefaultHostname(region: string, privateIp: string): string {
  const host = `ip-${privateIp.replaceAll('.', '-')}`;
  return region === 'us-east-1' ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`;
}

export function parseRfc3339(text: string): Date | undefined {
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const probe = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Reject dates that Date would roll over (2021-02-30, 24:00:00, leap second :60).
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day || probe.getUTCHours() !== hour || probe.getUTCMinutes() !== minute || probe.getUTCSeconds() !== second) {
    return undefined;
  }
  const offset = m[8] as string;
  if (offset !== 'Z' && (Number(offset.slice(1, 3)) > 23 || Number(offset.slice(4, 6)) > 59)) return undefined;
  const millis = Date.parse(text);
  return Number.isNaN(millis) ? undefined : new Date(millis);
}

/** The NodeIdentity a verified document proves. */
export function readAwsDocument(json: Readonly<Record<string, unknown>>): AwsDocumentResult {
  const invalid = (detail: string): AwsDocumentResult => ({ ok: false, error: { reason: 'invalid_claims', detail } });
  const text = (key: string): string | undefined => {
    const value = json[key];
    return typeof value === 'string' ? value : undefined;
  };

  const accountId = text('accountId');
  if (accountId === undefined || !ACCOUNT_ID.test(accountId)) return invalid('accountId is missing or not 12 digits');
  const instanceId = text('instanceId');
  if (instanceId === undefined || !INSTANCE_ID.test(instanceId)) return invalid('instanceId is missing or not i-<hex>');
  const region = documentRegion(json);
  if (region === undefined) return invalid('region is missing or malformed');
  const zone = text('availabilityZone');
  if (zone === undefined || !zone.startsWith(region) || !ZONE_SUFFIX.test(zone.slice(region.length))) {
    return invalid(`availabilityZone is missing or not a zone of ${region}`);
  }
  const privateIp = text('privateIp');
  if (privateIp === undefined || !IPV4.test(privateIp)) return invalid('privateIp is missing or not a dotted-quad IPv4 address');
  const pendingTimeText = text('pendingTime');
  const pendingTime = pendingTimeText === undefined ? undefined : parseRfc3339(pendingTimeText);
  if (pendingTime === undefined) return invalid('pendingTime is missing or not an RFC 3339 date-time');

  const attributes: Record<string, string> = {};
  for (const [key, pattern] of Object.entries(OPTIONAL_STRINGS)) {
    const value = json[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || !pattern.test(value)) return invalid(`${key} is malformed`);
    attributes[key] = value;
  }
  attributes['privateIp'] = privateIp;
  for (const [key, pattern] of Object.entries(OPTIONAL_LISTS)) {
    const value = json[key];
    if (value === undefined || value === null) continue;
    if (!Array.isArray(value) || value.length > MAX_LIST || !value.every((v): v is string => typeof v === 'string' && pattern.test(v))) {
      return invalid(`${key} is malformed`);
    }
    if (value.length > 0) attributes[key] = value.join(',');
  }

  const hostname = awsDefaultHostname(region, privateIp);
  return {
    ok: true,
    identity: {
      provider: 'aws',
      account: accountId,
      region,
      zone,
      instanceId,
      issuedAt: pendingTime,
      attributes,
      addresses: { ips: [privateIp], dnsNames: [hostname] },
      defaultNodeName: hostname,
    },
  };
}
