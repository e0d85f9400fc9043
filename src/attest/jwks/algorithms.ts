/**
 * The JWS algorithms the broker can ever accept, as a lookup table: the only place that maps an
 * `alg` name to the key type and curve that may verify it. Nothing else switches on `alg` strings.
 *
 * Trust decision: the table holds asymmetric signature algorithms only.
 * - No `none` (RFC 7518 §3.6, "Unsecured JWS"): a token without a signature proves nothing.
 * - No `HS256`/`HS384`/`HS512`: with an HMAC algorithm the verification key is a shared secret; a
 *   verifier that looks its key up in a *public* JWKS would accept tokens MACed with the public
 *   key's bytes (the RS256→HS256 "algorithm confusion" attack, CVE-2015-9235 and its many
 *   relatives). Since no HS* entry exists, no configuration can enable one.
 * RSA keys shorter than 2048 bits are refused by jose itself when verifying (RFC 7518 §3.3).
 */
export const JWS_ALGORITHMS = {
  RS256: { kty: 'RSA' },
  RS384: { kty: 'RSA' },
  RS512: { kty: 'RSA' },
  PS256: { kty: 'RSA' },
  PS384: { kty: 'RSA' },
  PS512: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256' },
  ES384: { kty: 'EC', crv: 'P-384' },
  ES512: { kty: 'EC', crv: 'P-521' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
} as const satisfies Record<string, { readonly kty: JwkKeyType; readonly crv?: string }>;

export type JwkKeyType = 'RSA' | 'EC' | 'OKP';

/** An `alg` the broker can verify: a key of {@link JWS_ALGORITHMS}. */
export type JwsAlgorithm = keyof typeof JWS_ALGORITHMS;

export interface JwsAlgorithmEntry {
  readonly kty: JwkKeyType;
  readonly crv?: string;
}

export const JWS_ALGORITHM_NAMES: readonly JwsAlgorithm[] = Object.freeze(
  Object.keys(JWS_ALGORITHMS) as JwsAlgorithm[],
);

/**
 * Looks an untrusted `alg` value up in the table. Own properties only, so names such as
 * `constructor` or `__proto__` can never resolve to something from `Object.prototype`.
 */
export function jwsAlgorithm(name: unknown): JwsAlgorithm | undefined {
  return typeof name === 'string' && Object.hasOwn(JWS_ALGORITHMS, name) ? (name as JwsAlgorithm) : undefined;
}

export function jwsAlgorithmEntry(alg: JwsAlgorithm): JwsAlgorithmEntry {
  return JWS_ALGORITHMS[alg];
}
