import type { JWK } from 'jose';
import type { JwkKeyType } from './algorithms.js';

/**
 * Parses an untrusted JSON Web Key Set (RFC 7517 §5) into the public signature keys the broker
 * may verify with. No I/O, no clock.
 *
 * Trust decisions:
 * - Only public RSA, EC and OKP keys are kept. A symmetric (`oct`) key is never usable, so a key
 *   set cannot enable HMAC verification (algorithm confusion).
 * - An entry carrying private-key members is dropped: a published key set with private material
 *   is a misconfiguration we refuse to build on.
 * - Entries marked for encryption (`use: "enc"`, or `key_ops` without `verify`) are dropped
 *   (RFC 7517 §4.2, §4.3).
 * - Unusable entries are skipped rather than failing the whole set, so an issuer that adds a key
 *   type we do not know does not take the broker down; the count is reported.
 * - The kept key is a copy holding only its public parameters; nothing else from the document
 *   reaches the key import.
 */
export interface PublicJwk {
  readonly kid: string | undefined;
  readonly kty: JwkKeyType;
  readonly crv: string | undefined;
  /** The JWK's own `alg`, when it pins one (RFC 7517 §4.4); a key pinned to one alg verifies only that alg. */
  readonly alg: string | undefined;
  /** Public parameters only, ready for `importJWK`. */
  readonly jwk: Readonly<JWK>;
}

export type JwkSetParse =
  | { readonly ok: true; readonly keys: readonly PublicJwk[]; readonly skipped: readonly string[] }
  | { readonly ok: false; readonly detail: string };

/** More keys than any real issuer publishes (Google publishes 2–3); bounds work per document. */
export const MAX_JWKS_KEYS = 64;
export const MAX_KID_LENGTH = 256;
/** A base64url RSA modulus of 16384 bits is 2731 characters; anything longer is not a real key. */
const MAX_PARAMETER_LENGTH = 4096;

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'] as const;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const EC_CURVES: ReadonlySet<string> = new Set(['P-256', 'P-384', 'P-521']);
const OKP_CURVES: ReadonlySet<string> = new Set(['Ed25519']);

export function parseJwkSet(document: unknown): JwkSetParse {
  if (!isPlainObject(document) || !Array.isArray(document['keys'])) {
    return { ok: false, detail: 'not a JSON Web Key Set: expected an object with a "keys" array' };
  }
  const entries: unknown[] = document['keys'];
  if (entries.length > MAX_JWKS_KEYS) {
    return { ok: false, detail: `JSON Web Key Set has ${entries.length} keys, more than ${MAX_JWKS_KEYS}` };
  }
  const keys: PublicJwk[] = [];
  const skipped: string[] = [];
  entries.forEach((entry, index) => {
    const parsed = parsePublicJwk(entry);
    if (typeof parsed === 'string') skipped.push(`keys[${index}]: ${parsed}`);
    else keys.push(parsed);
  });
  return { ok: true, keys, skipped };
}

function parsePublicJwk(entry: unknown): PublicJwk | string {
  if (!isPlainObject(entry)) return 'not an object';
  const { kty, kid, alg, use, key_ops: keyOps } = entry;
  if (kty !== 'RSA' && kty !== 'EC' && kty !== 'OKP') return `unsupported kty ${String(kty).slice(0, 16)}`;
  if (PRIVATE_MEMBERS.some((member) => Object.hasOwn(entry, member))) return 'carries private key material';
  if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH)) {
    return 'invalid kid';
  }
  if (alg !== undefined && typeof alg !== 'string') return 'invalid alg';
  if (use !== undefined && use !== 'sig') return 'not a signature key (use)';
  if (
    keyOps !== undefined &&
    (!Array.isArray(keyOps) || !keyOps.every((op) => typeof op === 'string') || !keyOps.includes('verify'))
  ) {
    return 'not a verification key (key_ops)';
  }
  const publicParameters = publicParametersOf(kty, entry);
  if (typeof publicParameters === 'string') return publicParameters;
  return {
    kid,
    kty,
    crv: typeof publicParameters.crv === 'string' ? publicParameters.crv : undefined,
    alg,
    jwk: Object.freeze(publicParameters),
  };
}

function publicParametersOf(kty: JwkKeyType, entry: Record<string, unknown>): JWK | string {
  switch (kty) {
    case 'RSA': {
      const { n, e } = entry;
      if (!isParameter(n) || !isParameter(e)) return 'RSA key without valid n/e';
      return { kty, n, e };
    }
    case 'EC': {
      const { crv, x, y } = entry;
      if (typeof crv !== 'string' || !EC_CURVES.has(crv)) return 'unsupported EC curve';
      if (!isParameter(x) || !isParameter(y)) return 'EC key without valid x/y';
      return { kty, crv, x, y };
    }
    case 'OKP': {
      const { crv, x } = entry;
      if (typeof crv !== 'string' || !OKP_CURVES.has(crv)) return 'unsupported OKP curve';
      if (!isParameter(x)) return 'OKP key without valid x';
      return { kty, crv, x };
    }
  }
}

function isParameter(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_PARAMETER_LENGTH && BASE64URL.test(value);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
