/**
 * The two layers of an Azure attested document, read strictly. No I/O, no clock.
 *
 * 1. The body posted to the broker: IMDS's answer to
 *    `GET /metadata/attested/document?api-version=…&nonce=…`, exactly
 *    `{"encoding":"pkcs7","signature":"<base64 DER CMS SignedData>"}` — nothing else is accepted.
 * 2. The signed content (the SignedData's eContent), JSON such as
 *    `{"licenseType":"","nonce":"…","plan":{"name":"","product":"","publisher":""},"sku":"…",
 *    "subscriptionId":"<GUID>","timeStamp":{"createdOn":"04/22/24 17:32:45 -0000",
 *    "expiresOn":"04/22/24 23:32:45 -0000"},"vmId":"<GUID>"}`. Claims come only from here.
 */
import { decodeBase64 } from '../cms/index.js';
import { attestFailure, type AttestFailure } from '../identity.js';

/** Largest body accepted: real documents are about 4 KiB. */
export const AZURE_MAX_BODY_BYTES = 16 * 1024;
/** Largest signed content accepted: real content is about 300 bytes. */
export const AZURE_MAX_CONTENT_BYTES = 4 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export type AzureBodyResult = { readonly ok: true; readonly pkcs7: Uint8Array } | { readonly ok: false; readonly error: AttestFailure };

const malformed = (detail: string): AzureBodyResult => attestFailure('malformed_document', detail) as AzureBodyResult;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;

/** The PKCS7 inside a posted IMDS attested-document body. */
export function parseAzureBody(input: Uint8Array | string): AzureBodyResult {
  const size = typeof input === 'string' ? input.length : input.byteLength;
  if (size === 0) return malformed('empty body');
  if (size > AZURE_MAX_BODY_BYTES) return malformed(`body of ${size} bytes exceeds ${AZURE_MAX_BODY_BYTES}`);
  let text: string;
  try {
    text = typeof input === 'string' ? input : utf8.decode(input);
  } catch {
    return malformed('body is not UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return malformed('body is not JSON: post the attested document exactly as IMDS serves it');
  }
  if (!isPlainObject(json)) return malformed('body is not a JSON object');
  const keys = Object.keys(json).sort();
  if (keys.length !== 2 || keys[0] !== 'encoding' || keys[1] !== 'signature') {
    return malformed('body must be exactly {"encoding":"pkcs7","signature":"…"}');
  }
  if (json['encoding'] !== 'pkcs7') return malformed('encoding is not "pkcs7"');
  const signature = json['signature'];
  if (typeof signature !== 'string') return malformed('signature is not a string');
  const pkcs7 = decodeBase64(signature);
  if (pkcs7 === undefined) return malformed('signature is not base64');
  return { ok: true, pkcs7 };
}

/** What the signed content says, validated. */
export interface AzureAttestedContent {
  readonly nonce: string;
  /** Lower-case GUID. */
  readonly subscriptionId: string;
  /** Lower-case GUID. */
  readonly vmId: string;
  readonly createdOn: Date;
  readonly expiresOn: Date;
  readonly sku?: string;
  readonly licenseType?: string;
  readonly plan?: { readonly name: string; readonly product: string; readonly publisher: string };
}

export type AzureContentResult = { readonly ok: true; readonly content: AzureAttestedContent } | { readonly ok: false; readonly error: AttestFailure };

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Printable ASCII, bounded: what policy attributes and logs may carry. */
const SHORT_TEXT = /^[\x20-\x7e]{0,128}$/;
/** A nonce IMDS echoed: the broker's are 32 digits; IMDS's own default is a timestamp like `20240422-233245`. */
const NONCE_TEXT = /^[\x21-\x7e]{1,64}$/;

/**
 * Azure's timestamp format, `MM/DD/YY HH:MM:SS ±HHMM` (as in all captured documents and
 * Microsoft's documentation sample, e.g. `11/20/18 22:07:39 -0000`). Years are 20YY.
 */
const TIMESTAMP = /^(\d{2})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

/** A `timeStamp` value as a Date; undefined for anything that is not an existing instant in that format. */
export function parseAzureTimestamp(text: unknown): Date | undefined {
  if (typeof text !== 'string') return undefined;
  const match = TIMESTAMP.exec(text);
  if (match === null) return undefined;
  const [month, day, year, hour, minute, second, , offsetHours, offsetMinutes] = match.slice(1).map(Number) as number[];
  const sign = match[7] === '-' ? -1 : 1;
  if (month! < 1 || month! > 12 || day! < 1 || hour! > 23 || minute! > 59 || second! > 59 || offsetHours! > 14 || offsetMinutes! > 59) return undefined;
  const utc = Date.UTC(2000 + year!, month! - 1, day!, hour!, minute!, second!);
  // Date.UTC rolls 02/30 over into March: refuse a day the month does not have.
  if (new Date(utc).getUTCDate() !== day) return undefined;
  return new Date(utc - sign * (offsetHours! * 60 + offsetMinutes!) * 60_000);
}

const invalid = (detail: string): AzureContentResult => attestFailure('invalid_claims', detail) as AzureContentResult;

function optionalText(json: Record<string, unknown>, field: string): string | undefined | null {
  const value = json[field];
  if (value === undefined) return undefined;
  return typeof value === 'string' && SHORT_TEXT.test(value) ? value : null;
}

/**
 * Reads the signed content. Required: `nonce`, `subscriptionId` and `vmId` (GUIDs), and
 * `timeStamp.createdOn` / `expiresOn` in Azure's format with createdOn ≤ expiresOn. Optional,
 * but checked when present: `sku`, `licenseType`, `plan`. Other fields are ignored (newer IMDS
 * API versions may add some; they are signed, but nothing here reads them).
 */
export function parseAzureContent(bytes: Uint8Array): AzureContentResult {
  if (bytes.length > AZURE_MAX_CONTENT_BYTES) return invalid(`signed content of ${bytes.length} bytes exceeds ${AZURE_MAX_CONTENT_BYTES}`);
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(bytes));
  } catch {
    return invalid('signed content is not UTF-8 JSON');
  }
  if (!isPlainObject(json)) return invalid('signed content is not a JSON object');

  const { nonce, subscriptionId, vmId, timeStamp } = json;
  if (typeof nonce !== 'string' || !NONCE_TEXT.test(nonce)) return invalid('nonce is missing or malformed');
  if (typeof subscriptionId !== 'string' || !GUID.test(subscriptionId)) return invalid('subscriptionId is missing or not a GUID');
  if (typeof vmId !== 'string' || !GUID.test(vmId)) return invalid('vmId is missing or not a GUID');
  if (!isPlainObject(timeStamp)) return invalid('timeStamp is missing');
  const createdOn = parseAzureTimestamp(timeStamp['createdOn']);
  const expiresOn = parseAzureTimestamp(timeStamp['expiresOn']);
  if (createdOn === undefined || expiresOn === undefined) return invalid('timeStamp.createdOn or expiresOn is missing or malformed');
  if (expiresOn.getTime() < createdOn.getTime()) return invalid('timeStamp.expiresOn is before createdOn');

  const sku = optionalText(json, 'sku');
  const licenseType = optionalText(json, 'licenseType');
  if (sku === null || licenseType === null) return invalid('sku or licenseType is malformed');
  let plan: AzureAttestedContent['plan'];
  if (json['plan'] !== undefined) {
    const raw = json['plan'];
    if (!isPlainObject(raw)) return invalid('plan is not an object');
    const parts = ['name', 'product', 'publisher'].map((field) => optionalText(raw, field) ?? null);
    if (parts.some((part) => part === null)) return invalid('plan is malformed');
    const [name, product, publisher] = parts as [string, string, string];
    plan = { name, product, publisher };
  }

  return {
    ok: true,
    content: {
      nonce,
      subscriptionId: subscriptionId.toLowerCase(),
      vmId: vmId.toLowerCase(),
      createdOn,
      expiresOn,
      ...(sku === undefined ? {} : { sku }),
      ...(licenseType === undefined ? {} : { licenseType }),
      ...(plan === undefined ? {} : { plan }),
    },
  };
}
