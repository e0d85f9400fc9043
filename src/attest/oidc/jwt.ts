import { compactVerify } from 'jose';
import type { AttestFailure } from '../identity.js';
import { jwsAlgorithm, type JwsAlgorithm } from '../jwks/algorithms.js';
import { isPlainObject } from '../jwks/jwk-set.js';
import type { KeySource } from '../jwks/key-source.js';
import { quoteUntrusted } from '../jwks/quote.js';
import { checkRegisteredClaims, type ClaimExpectations } from './claims.js';
import { parseJsonBytes, parseJwt, type ParsedJwt } from './compact.js';

/** What a verified JWT must satisfy; both the GCP and the generic OIDC verifier build one. */
export interface JwtExpectations extends ClaimExpectations {
  /** The only algorithms this issuer may use. Entries outside {@link JWS_ALGORITHMS} never match. */
  readonly algorithms: readonly JwsAlgorithm[];
}

export interface VerifiedJwt {
  readonly alg: JwsAlgorithm;
  readonly kid: string | undefined;
  /** The payload whose signature verified, parsed once; the only claims anyone may trust. */
  readonly claims: Readonly<Record<string, unknown>>;
  readonly issuedAt: Date;
}

export type JwtVerification = { readonly ok: true; readonly jwt: VerifiedJwt } | { readonly ok: false; readonly error: AttestFailure };

/**
 * Verifies a compact JWS JWT against one issuer's expectations. Never throws for any token.
 *
 * 1. Parse the compact form and protected header (size cap, shape, `crit` refused); a caller
 *    that has already done so for this same `token` (to pick the issuer) passes its `parsed`.
 * 2. Pin `alg`: it must be in the issuer's list *and* in the broker's asymmetric table. This is
 *    checked before any key is touched, so `none`, HS* and an algorithm the issuer never uses
 *    (e.g. ES256 for an RS256 issuer) are `invalid_signature` without a key lookup.
 * 3. Ask the key source for exactly one key by `kid` (no try-all-keys).
 * 4. Verify the signature with jose's `compactVerify`, restricted to that one `alg`.
 * 5. Parse the *verified* payload bytes as a JSON object.
 * 6. Check `iss`, `aud`, `exp`, `iat`, `nbf` and token age (see `claims.ts`).
 */
export async function verifyJwt(
  token: unknown,
  expected: JwtExpectations,
  { keys, now, parsed: parsedBefore }: { readonly keys: KeySource; readonly now: Date; readonly parsed?: ParsedJwt },
): Promise<JwtVerification> {
  if (!Number.isFinite(now.getTime())) throw new RangeError('verifyJwt: now is an invalid Date');
  const parsed = parsedBefore ?? parseJwt(token);
  if (!parsed.ok) return parsed;
  const { header, signature } = parsed;

  const alg = jwsAlgorithm(header.alg);
  if (alg === undefined || !expected.algorithms.includes(alg)) {
    return fail('invalid_signature', `alg ${quoteUntrusted(header.alg)} is not allowed for this issuer (allowed: ${expected.algorithms.join(', ')})`);
  }
  if (signature === '') return fail('invalid_signature', 'token has an empty signature');

  const resolved = await keys.resolveKey({ alg, kid: header.kid });
  if (!resolved.ok) return resolved;

  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(token as string, resolved.key, { algorithms: [alg] }));
  } catch (error) {
    return { ok: false, error: joseFailure(error) };
  }

  const claims = parseJsonBytes(payload);
  if (!isPlainObject(claims)) return fail('malformed_document', 'verified payload is not a JSON object');
  const checked = checkRegisteredClaims(claims, expected, now);
  if (!checked.ok) return checked;
  return { ok: true, jwt: { alg, kid: header.kid, claims, issuedAt: checked.issuedAt } };
}

/**
 * jose's stable error codes → our reasons. Anything unexpected (a `TypeError` from WebCrypto for
 * a key that cannot do this algorithm, an RSA key under 2048 bits) is a failed verification.
 */
const JOSE_CODES: Readonly<Record<string, AttestFailure['reason']>> = {
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'invalid_signature',
  ERR_JOSE_ALG_NOT_ALLOWED: 'invalid_signature',
  ERR_JWS_INVALID: 'malformed_document',
  ERR_JOSE_NOT_SUPPORTED: 'unsupported_document',
};

function joseFailure(error: unknown): AttestFailure {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  const reason = (code !== undefined && Object.hasOwn(JOSE_CODES, code) ? JOSE_CODES[code] : undefined) ?? 'invalid_signature';
  const message = error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 160) : 'unknown error';
  return { reason, detail: `signature verification failed (${code ?? 'no code'}): ${message}` };
}

function fail(reason: AttestFailure['reason'], detail: string): JwtVerification {
  return { ok: false, error: { reason, detail } };
}
