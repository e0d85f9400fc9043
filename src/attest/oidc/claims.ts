import type { AttestFailure } from '../identity.js';
import { quoteUntrusted } from '../jwks/quote.js';

/**
 * Checks the registered claims of a *verified* JWT payload (RFC 7519 §4.1). No I/O; `now` is
 * passed in. Exact rules, with `skew` = the clock skew allowance in seconds:
 * - `iss` must be a string equal, byte for byte, to one of the expected issuers. No
 *   normalisation (case, trailing slash, scheme): OIDC Core §3.1.3.7 step 2 requires an exact
 *   match, and any normalisation would let a look-alike issuer through.
 * - `aud` (string or array of strings) must contain one of the expected audiences, compared
 *   exactly (RFC 7519 §4.1.3; OIDC Core §3.1.3.7 step 3). This is what binds a token to this
 *   broker: a token minted for another relying party is refused.
 * - `exp` is required: a token that never expires could be replayed forever. Expired when
 *   `now ≥ exp + skew` (RFC 7519 §4.1.4: valid only *before* exp).
 * - `iat` is required (it becomes `NodeIdentity.issuedAt`). Refused when `now < iat − skew`:
 *   a token from the future means a broken or hostile clock.
 * - `nbf`, when present: refused when `now < nbf − skew` (RFC 7519 §4.1.5).
 * - `maxTokenAgeSeconds`, when set: refused when `now > iat + maxAge + skew`.
 * Time claims must be finite JSON numbers (NumericDate, RFC 7519 §2); comparison is in
 * milliseconds, so a boundary at `exp + skew` is exact.
 */
export interface ClaimExpectations {
  readonly issuers: readonly string[];
  readonly audiences: readonly string[];
  readonly clockSkewSeconds: number;
  readonly maxTokenAgeSeconds?: number | undefined;
}

export type ClaimCheck = { readonly ok: true; readonly issuedAt: Date } | { readonly ok: false; readonly error: AttestFailure };

const MAX_AUDIENCES = 32;
const MAX_DATE_MS = 8.64e15;

export function checkRegisteredClaims(
  claims: Readonly<Record<string, unknown>>,
  expected: ClaimExpectations,
  now: Date,
): ClaimCheck {
  const { iss, aud, exp, iat, nbf } = claims;
  if (typeof iss !== 'string' || !expected.issuers.includes(iss)) {
    return fail('invalid_claims', `iss ${quoteUntrusted(iss)} is not the expected issuer ${quoteUntrusted(expected.issuers.join(' | '))}`);
  }
  const audiences = typeof aud === 'string' ? [aud] : aud;
  if (!Array.isArray(audiences) || audiences.length === 0 || audiences.length > MAX_AUDIENCES || !audiences.every((a) => typeof a === 'string')) {
    return fail('invalid_claims', `aud is missing or not a string / array of strings: ${quoteUntrusted(aud)}`);
  }
  if (!audiences.some((a) => expected.audiences.includes(a))) {
    return fail('invalid_claims', `aud ${quoteUntrusted(aud)} does not contain the expected audience ${quoteUntrusted(expected.audiences.join(' | '))}`);
  }
  if (exp === undefined) return fail('invalid_claims', 'exp is missing; tokens without expiry are not accepted');
  if (iat === undefined) return fail('invalid_claims', 'iat is missing');
  for (const [name, value] of [['exp', exp], ['iat', iat], ['nbf', nbf]] as const) {
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
      return fail('invalid_claims', `${name} is not a NumericDate: ${quoteUntrusted(value)}`);
    }
  }
  // Beyond ±8.64e15 ms a Date is invalid (ECMA-262 §21.4.1.1); before 1970 no real token was issued.
  if ((iat as number) < 0 || (iat as number) * 1000 > MAX_DATE_MS) return fail('invalid_claims', `iat out of range: ${iat as number}`);
  const expMs = (exp as number) * 1000;
  const iatMs = (iat as number) * 1000;
  const skewMs = expected.clockSkewSeconds * 1000;
  const nowMs = now.getTime();
  const at = `now=${now.toISOString()}, skew=${expected.clockSkewSeconds}s`;
  if (nowMs >= expMs + skewMs) return fail('stale_document', `token expired: exp=${exp as number}, ${at}`);
  if (nowMs < iatMs - skewMs) return fail('stale_document', `token issued in the future: iat=${iat as number}, ${at}`);
  if (typeof nbf === 'number' && nowMs < nbf * 1000 - skewMs) {
    return fail('stale_document', `token not yet valid: nbf=${nbf}, ${at}`);
  }
  const { maxTokenAgeSeconds } = expected;
  if (maxTokenAgeSeconds !== undefined && nowMs > iatMs + maxTokenAgeSeconds * 1000 + skewMs) {
    return fail('stale_document', `token older than ${maxTokenAgeSeconds}s: iat=${iat as number}, ${at}`);
  }
  return { ok: true, issuedAt: new Date(iatMs) };
}

function fail(reason: AttestFailure['reason'], detail: string): ClaimCheck {
  return { ok: false, error: { reason, detail } };
}
