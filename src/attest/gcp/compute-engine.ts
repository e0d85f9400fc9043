import type { AttestFailure } from '../identity.js';
import { isPlainObject } from '../jwks/jwk-set.js';
import { quoteUntrusted } from '../jwks/quote.js';

/**
 * The `google.compute_engine` claims of a verified instance identity token (present only when
 * the VM asked the metadata server for `format=full`), validated. No I/O, no clock.
 *
 * Every value below ends up in a Kubernetes object, a DNS name or the ledger key, so each is
 * checked against the format Compute Engine itself enforces, and refused (`invalid_claims`)
 * otherwise. Nothing is cleaned up or truncated.
 */
export interface ComputeEngineClaims {
  readonly projectId: string;
  /** Decimal string; Google sends a JSON number. */
  readonly projectNumber: string;
  readonly zone: string;
  /** The zone without its last `-<suffix>`: `us-central1-a` → `us-central1`. */
  readonly region: string;
  /** Decimal string of the unsigned 64-bit instance ID. */
  readonly instanceId: string;
  readonly instanceName: string;
  /** Seconds since the epoch. */
  readonly instanceCreationTimestamp: number;
  /** Image license codes, present with `licenses=TRUE`. */
  readonly licenseIds: readonly string[] | undefined;
}

export type ComputeEngineParse =
  | { readonly ok: true; readonly value: ComputeEngineClaims }
  | { readonly ok: false; readonly error: AttestFailure };

/**
 * Project IDs: 6–30 characters, lowercase letters, digits and hyphens, starting with a letter and
 * not ending with a hyphen (https://cloud.google.com/resource-manager/docs/creating-managing-projects).
 * Legacy domain-scoped IDs (`example.com:proj`) are refused: their internal DNS name has a
 * different form, and the broker must not attest a name it cannot derive.
 */
const PROJECT_ID = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;
/**
 * Instance names are RFC 1035 labels, at most 63 characters: the Compute API's own pattern is
 * `[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?` (https://cloud.google.com/compute/docs/naming-resources#resource-name-format).
 * That also makes them valid DNS-1123 node names.
 */
const INSTANCE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** `<region>-<zone letter>`, where a region is `<geo>-<area><digit(s)>`: `us-central1-a`, `northamerica-northeast1-c`. */
const ZONE = /^([a-z]+(?:-[a-z]+)*[0-9]+)-[a-z][a-z0-9]*$/;
/** Instance IDs are unsigned 64-bit integers, sent as decimal strings (a JSON number would lose digits). */
const UINT64_DECIMAL = /^[0-9]{1,20}$/;
const MAX_LICENSES = 32;

export function parseComputeEngineClaims(claims: Readonly<Record<string, unknown>>): ComputeEngineParse {
  const google = claims['google'];
  const computeEngine = isPlainObject(google) ? google['compute_engine'] : undefined;
  if (!isPlainObject(computeEngine)) {
    return invalid(
      'token has no google.compute_engine claims: request it from the metadata server with format=full ' +
        '(…/service-accounts/default/identity?audience=<broker URL>&format=full)',
    );
  }
  const {
    project_id: projectId,
    project_number: projectNumber,
    zone,
    instance_id: instanceId,
    instance_name: instanceName,
    instance_creation_timestamp: created,
    license_id: licenseId,
  } = computeEngine;

  if (typeof projectId !== 'string' || !PROJECT_ID.test(projectId)) {
    return invalid(`google.compute_engine.project_id is not a Google Cloud project ID: ${quoteUntrusted(projectId)}`);
  }
  const number = decimalId(projectNumber);
  if (number === undefined) return invalid(`google.compute_engine.project_number is not a project number: ${quoteUntrusted(projectNumber)}`);
  const zoneMatch = typeof zone === 'string' && zone.length <= 63 ? ZONE.exec(zone) : null;
  const region = zoneMatch?.[1];
  if (typeof zone !== 'string' || region === undefined) return invalid(`google.compute_engine.zone is not a zone name: ${quoteUntrusted(zone)}`);
  if (typeof instanceId !== 'string' || !UINT64_DECIMAL.test(instanceId) || BigInt(instanceId) > 0xffffffffffffffffn) {
    return invalid(`google.compute_engine.instance_id is not a 64-bit decimal ID: ${quoteUntrusted(instanceId)}`);
  }
  if (typeof instanceName !== 'string' || !INSTANCE_NAME.test(instanceName)) {
    return invalid(`google.compute_engine.instance_name is not a DNS label: ${quoteUntrusted(instanceName)}`);
  }
  if (typeof created !== 'number' || !Number.isSafeInteger(created) || created < 0) {
    return invalid(`google.compute_engine.instance_creation_timestamp is not a timestamp: ${quoteUntrusted(created)}`);
  }
  let licenseIds: string[] | undefined;
  if (licenseId !== undefined) {
    if (!Array.isArray(licenseId) || licenseId.length > MAX_LICENSES || !licenseId.every((id) => typeof id === 'string' && UINT64_DECIMAL.test(id))) {
      return invalid(`google.compute_engine.license_id is not a list of license codes: ${quoteUntrusted(licenseId)}`);
    }
    licenseIds = licenseId as string[];
  }
  return {
    ok: true,
    value: {
      projectId,
      projectNumber: number,
      zone,
      region,
      instanceId,
      instanceName,
      instanceCreationTimestamp: created,
      licenseIds,
    },
  };
}

function decimalId(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? String(value) : undefined;
  if (typeof value === 'string' && UINT64_DECIMAL.test(value) && !/^0/.test(value)) return value;
  return undefined;
}

function invalid(detail: string): ComputeEngineParse {
  return { ok: false, error: { reason: 'invalid_claims', detail } };
}
