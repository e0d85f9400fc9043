import { decodeJwt } from 'jose';
import type { AttestFailure, AttestResult, NodeIdentity } from '../identity.js';
import type { KeySource } from '../jwks/key-source.js';
import { quoteUntrusted } from '../jwks/quote.js';
import { simpleClaimAttributes } from './attributes.js';
import { parseJwt, type ParsedJwt } from './compact.js';
import { DEFAULT_CLOCK_SKEW_SECONDS, type IssuerConfig } from './config.js';
import { readIdentityClaim } from './identity-claim.js';
import { verifyJwt } from './jwt.js';
import { nodeNameForIdentity } from './node-name.js';

export interface OidcVerifyOptions {
  /** The keys of this issuer: from `jwksUri` (createJwksKeySource) or `jwks` (createStaticKeySource). */
  readonly keys: KeySource;
  readonly now: Date;
  /** `parseJwt(jwt)`, when the caller already has it (issuer selection parses the same token). */
  readonly parsed?: ParsedJwt;
}

/**
 * Verifies a JWT from one configured issuer and derives the machine identity it proves.
 * Never throws for any token.
 *
 * 1. Verify the JWT (`verifyJwt`): `alg` pinned to `issuer.algorithms`, `crit` refused, one key by
 *    `kid`, signature, then `iss` equal to `issuer.issuer`, `aud` containing `issuer.audience`,
 *    `exp` required, `iat` required, `nbf`, `maxTokenAgeSeconds`, all with `clockSkewSeconds`.
 * 2. Read `issuer.identityClaim` from the verified claims (`invalid_claims` if absent or unusable).
 * 3. Build the identity: provider `oidc`, account = the issuer, instanceId = the identity claim,
 *    issuedAt = `iat`, attributes = the simple top-level claims, no addresses (a generic token
 *    attests none), defaultNodeName = a DNS-1123 label derived from the identity (`node-name.ts`).
 */
export async function verifyOidcToken(jwt: string, issuer: IssuerConfig, { keys, now, parsed }: OidcVerifyOptions): Promise<AttestResult> {
  const verified = await verifyJwt(jwt, {
    issuers: [issuer.issuer],
    audiences: typeof issuer.audience === 'string' ? [issuer.audience] : issuer.audience,
    algorithms: issuer.algorithms,
    clockSkewSeconds: issuer.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS,
    maxTokenAgeSeconds: issuer.maxTokenAgeSeconds,
  }, parsed === undefined ? { keys, now } : { keys, now, parsed });
  if (!verified.ok) return verified;
  const { claims, issuedAt } = verified.jwt;

  const identity = readIdentityClaim(claims, issuer.identityClaim);
  if (!identity.ok) return identity;

  const node: NodeIdentity = {
    provider: 'oidc',
    account: issuer.issuer,
    instanceId: identity.value,
    issuedAt,
    attributes: simpleClaimAttributes(claims),
    addresses: { ips: [], dnsNames: [] },
    defaultNodeName: await nodeNameForIdentity(identity.value),
  };
  return { ok: true, identity: node };
}

/** A configured issuer and the key source built for it. */
export interface OidcIssuer {
  readonly config: IssuerConfig;
  readonly keys: KeySource;
}

export type IssuerSelection =
  | { readonly ok: true; readonly issuer: OidcIssuer; readonly parsed: ParsedJwt }
  | { readonly ok: false; readonly error: AttestFailure };

/**
 * Picks which configured issuer a token claims to come from, by its *unverified* `iss`.
 *
 * Trust decision: the peeked `iss` is trusted for nothing but choosing which configuration (and
 * so which keys, algorithms and audience) to verify against. A forged `iss` can at most select
 * another configured issuer, whose own keys then fail the signature; the verified `iss` is
 * compared again, exactly, in `verifyOidcToken`. An `iss` matching no issuer, or more than one,
 * is `unknown_signer`.
 */
export function selectOidcIssuer(jwt: unknown, issuers: readonly OidcIssuer[]): IssuerSelection {
  const parsed = parseJwt(jwt);
  if (!parsed.ok) return parsed;
  let iss: unknown;
  try {
    iss = decodeJwt(jwt as string).iss;
  } catch {
    return { ok: false, error: { reason: 'malformed_document', detail: 'payload is not a base64url JSON object' } };
  }
  const matches = issuers.filter((issuer) => issuer.config.issuer === iss);
  const [only] = matches;
  if (only === undefined || matches.length > 1) {
    const why = matches.length > 1 ? 'is configured more than once' : 'is not a configured issuer';
    return { ok: false, error: { reason: 'unknown_signer', detail: `iss ${quoteUntrusted(iss)} ${why}` } };
  }
  return { ok: true, issuer: only, parsed };
}

/** Selects the issuer by the token's `iss`, then verifies the token fully against it. */
export async function verifyOidcTokenFromIssuers(
  jwt: string,
  issuers: readonly OidcIssuer[],
  { now }: { readonly now: Date },
): Promise<AttestResult> {
  const selected = selectOidcIssuer(jwt, issuers);
  if (!selected.ok) return selected;
  return verifyOidcToken(jwt, selected.issuer.config, { keys: selected.issuer.keys, now, parsed: selected.parsed });
}
