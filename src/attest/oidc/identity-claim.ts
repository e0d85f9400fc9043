import type { AttestFailure } from '../identity.js';
import { isPlainObject } from '../jwks/jwk-set.js';
import { quoteUntrusted } from '../jwks/quote.js';

export type IdentityClaim = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly error: AttestFailure };

/** The identity becomes the ledger key and a node name; longer values are refused, not cut. */
export const MAX_IDENTITY_LENGTH = 256;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Reads the configured identity claim from verified claims by dotted path (`sub`,
 * `google.compute_engine.instance_id`), through own properties of plain objects only.
 *
 * Trust decisions:
 * - Only a non-empty string or a safe integer is an identity. A number beyond 2^53 has already
 *   lost digits in `JSON.parse`, so two different machines could share one ledger key; such
 *   values are refused rather than rounded.
 * - Control characters and values longer than {@link MAX_IDENTITY_LENGTH} are refused, not
 *   cleaned or truncated: cleaning could make two identities equal.
 */
export function readIdentityClaim(claims: Readonly<Record<string, unknown>>, path: string): IdentityClaim {
  let value: unknown = claims;
  for (const segment of path.split('.')) {
    if (!isPlainObject(value) || !Object.hasOwn(value, segment)) {
      return invalid(`identity claim ${quoteUntrusted(path)} is missing`);
    }
    value = value[segment];
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) return invalid(`identity claim ${quoteUntrusted(path)} is a number that is not a safe integer: ${value}`);
    return { ok: true, value: String(value) };
  }
  if (typeof value !== 'string') return invalid(`identity claim ${quoteUntrusted(path)} is not a string or number: ${quoteUntrusted(value)}`);
  if (value.length === 0) return invalid(`identity claim ${quoteUntrusted(path)} is empty`);
  if (value.length > MAX_IDENTITY_LENGTH) return invalid(`identity claim ${quoteUntrusted(path)} is longer than ${MAX_IDENTITY_LENGTH} characters`);
  if (CONTROL_CHARACTERS.test(value)) return invalid(`identity claim ${quoteUntrusted(path)} contains control characters`);
  return { ok: true, value };
}

function invalid(detail: string): IdentityClaim {
  return { ok: false, error: { reason: 'invalid_claims', detail } };
}
