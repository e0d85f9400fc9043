import type { AttestFailureReason, AttestResult, NodeIdentity } from '../attest/identity.js';
import { checkFreshness } from '../attest/freshness.js';
import type { ClusterCaSource } from '../cluster/cluster-ca.js';
import { MintError, mintBootstrapToken, revokeBootstrapToken, type MintedToken } from '../cluster/mint.js';
import type { Deps } from '../deps.js';
import { ProblemError, type ProblemCode } from '../http/problem.js';
import { RATE_LIMIT_PERIOD_SECONDS } from '../http/rate-limit.js';
import { ledgerKeyString, type LedgerKey } from '../ledger/ledger.js';
import { decideJoin, renderNodeName } from '../policy/decide.js';
import type { NodePool } from '../policy/schema.js';
import { renderJoinBundle, type JoinBundle } from '../render/bundle.js';

/** How long a claim holds if the request dies between claim and commit. */
export const CLAIM_LEASE_MS = 60_000;

/** The only mapping from a verifier's reason to what the caller is told. */
const ATTEST_CODES: Record<AttestFailureReason, ProblemCode> = {
  malformed_document: 'malformed_document',
  unsupported_document: 'unsupported_document',
  invalid_signature: 'invalid_signature',
  // Which signer the broker trusts is not the caller's business: same code as a bad signature.
  unknown_signer: 'invalid_signature',
  document_mismatch: 'document_mismatch',
  stale_document: 'stale_document',
  invalid_claims: 'invalid_claims',
  upstream_unavailable: 'upstream_unavailable',
};

const UNSUPPORTED_DETAIL: Partial<Record<ProblemCode, string>> = {
  unsupported_document: 'Post the rsa2048 identity document (/latest/dynamic/instance-identity/rsa2048).',
};

export interface JoinContext {
  /** The caller's address, for the audit log. */
  sourceAddress: string | undefined;
}

export interface JoinSuccess {
  bundle: JoinBundle;
  identity: NodeIdentity;
  pool: NodePool;
}

export type JoinDeps = Pick<Deps, 'config' | 'clock' | 'random' | 'kube' | 'ledger' | 'rateLimits' | 'log'> & { clusterCa: ClusterCaSource };

/**
 * One join, in the order of DESIGN.md's pipeline:
 * 1. the verified document (signature already checked by the provider's attestor), and the
 *    per-identity rate limit,
 * 2. policy picks the pool (deny by default),
 * 3. freshness against the pool's window,
 * 4. the node name from the pool's template,
 * 5. the cluster CA (before anything is minted: without it no bundle can be built),
 * 6. claim the instance in the ledger (one join per instance),
 * 7. mint the token, render the bundle, commit the claim,
 * 8. on any failure after the claim: revoke what was minted and release the claim.
 * Every refusal is logged with its full reason and answered with a stable code only.
 */
export async function runJoin(deps: JoinDeps, attestation: AttestResult, context: JoinContext): Promise<JoinSuccess> {
  const { log } = deps;
  const refuse = (code: ProblemCode, reason: string, detail: string, fields: Record<string, string | undefined> = {}): never => {
    log.warn('join.refused', { code, reason, detail, source: context.sourceAddress, ...fields });
    throw new ProblemError(code, UNSUPPORTED_DETAIL[code], code === 'upstream_unavailable' ? 5 : undefined);
  };

  if (!attestation.ok) return refuse(ATTEST_CODES[attestation.error.reason], attestation.error.reason, attestation.error.detail);
  const identity = attestation.identity;
  const who = { provider: identity.provider, account: identity.account, instanceId: identity.instanceId };
  const key: LedgerKey = { provider: identity.provider, account: identity.account, instanceId: identity.instanceId };

  if (!(await deps.rateLimits.byIdentity.allow(ledgerKeyString(key)))) {
    log.warn('join.refused', { code: 'rate_limited', reason: 'identity_rate_limit', source: context.sourceAddress, ...who });
    throw new ProblemError('rate_limited', undefined, RATE_LIMIT_PERIOD_SECONDS);
  }

  const decision = decideJoin(identity, deps.config.policy);
  if (!decision.ok) return refuse('access_denied', decision.reason, decision.detail, who);
  const { pool } = decision;

  const now = deps.clock.now();
  const fresh = checkFreshness(identity.issuedAt, now, { maxAgeSeconds: pool.freshness });
  if (!fresh.ok) return refuse('stale_document', fresh.error.reason, fresh.error.detail, { ...who, pool: pool.name });

  const named = renderNodeName(pool.nodeName, identity, pool);
  if (!named.ok) return refuse('invalid_claims', 'node_name', named.detail, { ...who, pool: pool.name });

  const clusterCa = await deps.clusterCa.get().catch((error: unknown) => {
    log.error('join.cluster_info_unavailable', { ...who, error: error instanceof Error ? error.message : 'unknown' });
    throw new ProblemError('upstream_unavailable', undefined, 5);
  });

  const claim = await deps.ledger.claim({ key, issuedAt: identity.issuedAt, rejoin: pool.rejoin, now, leaseMs: CLAIM_LEASE_MS });
  if (!claim.ok) return refuse('already_joined', claim.reason, claim.detail, { ...who, pool: pool.name, ledgerKey: ledgerKeyString(key) });

  let minted: MintedToken | undefined;
  try {
    minted = await mintBootstrapToken(deps.kube, deps.random, {
      identity,
      pool,
      nodeName: named.nodeName,
      usages: pool.discovery === 'token' ? ['signing', 'authentication'] : ['authentication'],
      now,
    });
    const bundle = renderJoinBundle({
      token: { id: minted.token.id, secret: minted.token.secret, expiresAt: minted.expiresAt },
      nodeName: named.nodeName,
      apiServer: deps.config.clusterEndpoint?.origin ?? clusterCa.server,
      clusterName: deps.config.clusterName,
      caPem: clusterCa.caPem,
      caCertHashes: clusterCa.caCertHashes,
      identity: { provider: identity.provider, account: identity.account, region: identity.region, instanceId: identity.instanceId },
      pool: pool.name,
      nodeLabels: pool.nodeLabels,
      nodeTaints: pool.nodeTaints,
    });
    const committed = await deps.ledger.commit({
      key,
      claimId: claim.claimId,
      now: deps.clock.now(),
      record: {
        identity: { provider: identity.provider, account: identity.account, region: identity.region, zone: identity.zone, instanceId: identity.instanceId },
        issuedAt: identity.issuedAt.toISOString(),
        nodeName: named.nodeName,
        pool: pool.name,
        tokenId: minted.token.id,
        mintedAt: now.toISOString(),
        tokenExpiresAt: minted.expiresAt.toISOString(),
      },
    });
    if (!committed) {
      // The lease ran out while we worked and another request may hold the instance now.
      await revokeBootstrapToken(deps.kube, minted.token.id).catch(() => false);
      return refuse('already_joined', 'lease_expired', 'the claim expired before the join committed', { ...who, pool: pool.name });
    }
    log.info('join.minted', { ...who, region: identity.region, pool: pool.name, nodeName: named.nodeName, tokenId: minted.token.id, expiresAt: bundle.expiresAt, source: context.sourceAddress });
    return { bundle, identity, pool };
  } catch (error) {
    await deps.ledger.release(key, claim.claimId).catch(() => undefined);
    if (error instanceof ProblemError) throw error;
    if (minted !== undefined) await revokeBootstrapToken(deps.kube, minted.token.id).catch(() => false);
    if (error instanceof MintError) {
      log.error('join.mint_failed', { ...who, pool: pool.name, error: error.message });
      throw new ProblemError('upstream_unavailable', undefined, error.retryAfterSeconds);
    }
    log.error('join.failed', { ...who, pool: pool.name, error: error instanceof Error ? error.name : 'unknown' });
    throw error;
  }
}
