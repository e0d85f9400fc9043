import type { AttestFailure } from '../identity.js';
import { isPlainObject, MAX_KID_LENGTH } from '../jwks/jwk-set.js';
import { quoteUntrusted } from '../jwks/quote.js';

/**
 * Parses the untrusted outer form of a JWT (RFC 7519 §7.2, JWS Compact Serialization, RFC 7515
 * §7.1) far enough to choose a key: size, shape, the protected header. No I/O, no clock, no
 * signature check, and nothing parsed here is trusted beyond picking the key and the algorithm
 * to try. Never throws, whatever the input.
 */
export interface JwtHeader {
  /** The header's `alg`, not yet checked against any allow-list. */
  readonly alg: string;
  readonly kid: string | undefined;
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** What {@link parseJwt} returns for a token it accepts. */
export interface ParsedJwt {
  readonly ok: true;
  readonly header: JwtHeader;
  readonly signature: string;
}

export type JwtParse = ParsedJwt | { readonly ok: false; readonly error: AttestFailure };

/**
 * Real identity tokens are 1–2 KiB (Google's are about 1.1 KiB). The cap bounds base64, JSON and
 * signature work per request before anything is verified.
 */
export const MAX_JWT_LENGTH = 16 * 1024;

const SEGMENT = /^[A-Za-z0-9_-]*$/;

export function parseJwt(token: unknown): JwtParse {
  if (typeof token !== 'string') return malformed('token is not a string');
  if (token.length === 0) return malformed('token is empty');
  if (token.length > MAX_JWT_LENGTH) return malformed(`token is ${token.length} characters, limit ${MAX_JWT_LENGTH}`);
  const segments = token.split('.');
  if (segments.length === 5) {
    return { ok: false, error: { reason: 'unsupported_document', detail: 'token is a JWE (encrypted); only signed JWTs are accepted' } };
  }
  const [encodedHeader, encodedPayload, signature] = segments;
  if (segments.length !== 3 || encodedHeader === undefined || encodedPayload === undefined || signature === undefined) {
    return malformed(`token has ${segments.length} segments, a compact JWS has 3`);
  }
  // Canonical base64url only (RFC 4648 §3.5: unused trailing bits must be zero). Otherwise one
  // signed token has several spellings, and a "changed" token could still verify.
  if (!segments.every(isCanonicalBase64Url)) return malformed('token segments are not canonical base64url');
  if (encodedHeader === '' || encodedPayload === '') return malformed('token header or payload is empty');

  const decoded = decodeJsonSegment(encodedHeader);
  if (decoded === undefined || !isPlainObject(decoded)) return malformed('protected header is not a base64url JSON object');
  const { alg, kid } = decoded;
  if (typeof alg !== 'string' || alg === '') return malformed('protected header has no alg');
  // RFC 7515 §4.1.11: a recipient must reject a JWS whose `crit` names extensions it does not
  // process. The broker processes none (notably not `b64: false`, RFC 7797, which would change
  // what the signature covers), so any `crit` is refused.
  if (Object.hasOwn(decoded, 'crit')) {
    return { ok: false, error: { reason: 'unsupported_document', detail: 'protected header has crit; no JWS extensions are accepted' } };
  }
  if (kid !== undefined && (typeof kid !== 'string' || kid === '' || kid.length > MAX_KID_LENGTH)) {
    return malformed(`protected header kid is invalid: ${quoteUntrusted(kid)}`);
  }
  return { ok: true, header: { alg, kid, parameters: decoded }, signature };
}

/** base64url (no padding) → strict UTF-8 → JSON. `undefined` on any failure. */
export function decodeJsonSegment(segment: string): unknown {
  const bytes = decodeBase64Url(segment);
  if (bytes === undefined) return undefined;
  return parseJsonBytes(bytes);
}

/** Strict UTF-8, BOM kept (JSON.parse then refuses it). One per module: a decode without `stream` keeps no state between calls. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function parseJsonBytes(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(utf8.decode(bytes));
  } catch {
    return undefined;
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url without padding, whose last character carries no stray low bits. */
export function isCanonicalBase64Url(segment: string): boolean {
  if (!SEGMENT.test(segment)) return false;
  const remainder = segment.length % 4;
  if (remainder === 0) return true;
  if (remainder === 1) return false;
  const last = ALPHABET.indexOf(segment.charAt(segment.length - 1));
  return (last & (remainder === 2 ? 0b1111 : 0b11)) === 0;
}

function decodeBase64Url(segment: string): Uint8Array | undefined {
  if (!isCanonicalBase64Url(segment)) return undefined;
  try {
    const base64 = segment.replaceAll('-', '+').replaceAll('_', '/').padEnd(Math.ceil(segment.length / 4) * 4, '=');
    const binary = atob(base64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return undefined;
  }
}

function malformed(detail: string): JwtParse {
  return { ok: false, error: { reason: 'malformed_document', detail } };
}
