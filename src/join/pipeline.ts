import { attestedNames } from '../approval/decide.js';
import type { AttestFailureReason, AttestResult, NodeIdentity, Provider } from '../attest/identity.js';
import type { AuditEvent, JoinRowEffect, RevocationReason } from '../audit/audit.js';
import { checkFreshness } from '../attest/freshness.js';
import { ClusterInfoError, type ClusterCaSource } from '../cluster/cluster-ca.js';
import { KubeApiError } from '../cluster/kube-api.js';
import { MintError, mintBootstrapToken, revokeBootstrapToken, type MintedToken } from '../cluster/mint.js';
import type { Deps } from '../deps.js';
import { ProblemError, type ProblemCode } from '../http/problem.js';
import { RATE_LIMIT_PERIOD_SECONDS } from '../http/rate-limit.js';
import { ledgerKeyString, type ClaimResult, type LedgerKey } from '../ledger/ledger.js';
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
  invalid_nonce: 'invalid_nonce',
  upstream_unavailable: 'upstream_unavailable',
};

const UNSUPPORTED_DETAIL: Partial<Record<ProblemCode, string>> = {
  unsupported_document: 'Post the rsa2048 identity document (/latest/dynamic/instance-identity/rsa2048).',
  invalid_nonce: 'Get a new nonce (POST /v1/nonce), fetch a new attested document with it, and post that.',
  launch_not_announced: "The pool admits only instances its autoscaling group announced, and this instance's launch lifecycle event has not reached the broker yet: try again after Retry-After.",
};

/**
 * The refusals worth retrying soon, and after how many seconds. `launch_not_announced`: the
 * launch event usually arrives within seconds of the instance booting; the document's freshness
 * window bounds the retries (once it closes the answer is a final `stale_document`).
 */
const RETRY_AFTER_SECONDS: Partial<Record<ProblemCode, number>> = { upstream_unavailable: 5, launch_not_announced: 5 };

export interface JoinContext {
  /** The caller's address, for the audit log. */
  sourceAddress: string | undefined;
  /** The route's provider: the audit's only identity field for a document that did not verify. */
  provider?: Provider;
}

export interface JoinSuccess {
  bundle: JoinBundle;
  identity: NodeIdentity;
  pool: NodePool;
}

export type JoinDeps = Pick<Deps, 'config' | 'clock' | 'random' | 'kube' | 'ledger' | 'audit' | 'rateLimits' | 'log'> & { clusterCa: ClusterCaSource };

/**
 * What an upstream failure may say in the log and the audit: the messages this codebase writes
 * (API operation and status, what is wrong with cluster-info), never one a runtime or a server
 * wrote, which can quote a response body or a request header (the bearer token).
 */
const upstreamFailureDetail = (error: unknown): string =>
  error instanceof KubeApiError || error instanceof ClusterInfoError ? error.message : error instanceof Error ? error.name : 'unknown error';

/** What the ledger's claim refusals tell the caller. */
const CLAIM_CODES: Record<Exclude<ClaimResult, { ok: true }>['reason'], ProblemCode> = {
  already_joined: 'already_joined',
  in_flight: 'already_joined',
  terminated: 'access_denied',
  // requireLaunchHook, and the launch event has not arrived: usually it is on its way.
  not_announced: 'launch_not_announced',
};

type AuditAbout = Pick<AuditEvent, 'provider' | 'account' | 'region' | 'instanceId' | 'pool' | 'nodeName' | 'tokenId'>;

/**
 * One join, in the order of DESIGN.md's pipeline:
 * 1. the verified document (signature already checked by the provider's attestor), and the
 *    per-identity rate limit,
 * 2. policy picks the pool (deny by default),
 * 3. freshness against the pool's window,
 * 4. the node name from the pool's template,
 * 5. the cluster CA (before anything is minted: without it no bundle can be built),
 * 6. claim the instance in the ledger (one join per instance; the pool's requireLaunchHook),
 * 7. mint the token, render the bundle, write the join index row (durable before the bundle is
 *    returned: the CSR approver relies on it; it also arms the index's CSR poller), commit the claim,
 * 8. on any failure after the claim: revoke what was minted and release the claim.
 * Every Kubernetes call of steps 7–8 (creates, their retries, read-backs, the clean-up) happens
 * before the join's deadline, JOIN_DEADLINE_MS after the pipeline starts, so a node is answered
 * within it. A token whose create may still land, or that could not be deleted before the
 * deadline, is handed to the join index's "revoke later" record instead (src/audit/revocations.ts).
 * Every refusal is logged and audited with its full reason and answered with a stable code only.
 * Refusals are audited in the background (`recordLater`): never delaying or failing the answer.
 */
export async function runJoin(deps: JoinDeps, attestation: AttestResult, context: JoinContext): Promise<JoinSuccess> {
  const { log } = deps;
  const deadline = deps.clock.now().getTime() + deps.config.joinDeadlineMs;
  const refuse = (
    code: ProblemCode,
    reason: string,
    detail: string,
    about: AuditAbout = {},
    options: { retryAfterSeconds?: number; effect?: JoinRowEffect } = {},
  ): never => {
    log.warn('join.refused', { code, reason, detail, source: context.sourceAddress, ...about });
    deps.audit.recordLater({ at: deps.clock.now().toISOString(), event: 'join.refused', code, reason, detail, source: context.sourceAddress, ...about }, options.effect);
    throw new ProblemError(code, UNSUPPORTED_DETAIL[code], options.retryAfterSeconds ?? RETRY_AFTER_SECONDS[code]);
  };

  if (!attestation.ok) {
    return refuse(ATTEST_CODES[attestation.error.reason], attestation.error.reason, attestation.error.detail, context.provider === undefined ? {} : { provider: context.provider });
  }
  const identity = attestation.identity;
  const key: LedgerKey = { provider: identity.provider, account: identity.account, instanceId: identity.instanceId };
  const who: AuditAbout = { ...key, ...(identity.region === undefined ? {} : { region: identity.region }) };

  if (!(await deps.rateLimits.byIdentity.allow(ledgerKeyString(key)))) {
    return refuse('rate_limited', 'identity_rate_limit', 'more joins of this identity than the per-identity limit allows', who, { retryAfterSeconds: RATE_LIMIT_PERIOD_SECONDS });
  }

  const decision = decideJoin(identity, deps.config.policy);
  if (!decision.ok) return refuse('access_denied', decision.reason, decision.detail, who);
  const { pool } = decision;
  const inPool: AuditAbout = { ...who, pool: pool.name };

  const now = deps.clock.now();
  const fresh = checkFreshness(identity.issuedAt, now, { maxAgeSeconds: pool.freshness });
  if (!fresh.ok) return refuse('stale_document', fresh.error.reason, fresh.error.detail, inPool);

  const named = renderNodeName(pool.nodeName, identity, pool);
  if (!named.ok) return refuse('invalid_claims', 'node_name', named.detail, inPool);
  const asNode: AuditAbout = { ...inPool, nodeName: named.nodeName };

  const clusterCa = await deps.clusterCa.get().catch((error: unknown) =>
    refuse('upstream_unavailable', 'cluster_info_unavailable', upstreamFailureDetail(error), asNode),
  );

  const claim = await deps.ledger.claim({ key, issuedAt: identity.issuedAt, rejoin: pool.rejoin, now, leaseMs: CLAIM_LEASE_MS, requireLaunch: pool.requireLaunchHook });
  if (!claim.ok) return refuse(CLAIM_CODES[claim.reason], claim.reason, claim.detail, asNode);

  let minted: MintedToken | undefined;
  let revoked = false;
  /** A token no node will receive: to be revoked later, since it could not be (or may yet be created). */
  const revokeLater = async (tokenId: string, reason: RevocationReason) => {
    const at = deps.clock.now().toISOString();
    log.warn('join.revoke_later', { ...asNode, tokenId, reason });
    await deps.audit
      .revokeLater({ tokenId, key: ledgerKeyString(key), ...key, ...(identity.region === undefined ? {} : { region: identity.region }), nodeName: named.nodeName, pool: pool.name, reason, at })
      .catch((error: unknown) => log.error('join.revoke_later_failed', { ...asNode, tokenId, error: error instanceof Error ? error.name : 'unknown' }));
  };
  const revoke = async (tokenId: string) => {
    revoked = true;
    // Best effort within the join's deadline; what it cannot finish is revoked later.
    const done = await revokeBootstrapToken(deps.kube, tokenId, { deadline }).then(
      () => true,
      () => false,
    );
    if (!done) await revokeLater(tokenId, 'revoke_failed');
  };
  try {
    minted = await mintBootstrapToken(deps.kube, deps.random, {
      identity,
      pool,
      nodeName: named.nodeName,
      usages: pool.discovery === 'token' ? ['signing', 'authentication'] : ['authentication'],
      now,
      deadline,
    });
    const tokenId = minted.token.id;
    const bundle = renderJoinBundle({
      token: { id: tokenId, secret: minted.token.secret, expiresAt: minted.expiresAt },
      nodeName: named.nodeName,
      apiServer: deps.config.clusterEndpoint?.origin ?? clusterCa.server,
      clusterName: deps.config.clusterName,
      caPem: clusterCa.caPem,
      caCertHashes: clusterCa.caCertHashes,
      identity: { provider: identity.provider, account: identity.account, region: identity.region, instanceId: identity.instanceId },
      pool: pool.name,
      nodeLabels: pool.nodeLabels,
      nodeTaints: pool.nodeTaints,
      servingSans: attestedNames(identity.addresses, pool),
      ...(pool.servingCertificate.maxLifetime === undefined ? {} : { servingExpirationSeconds: pool.servingCertificate.maxLifetime }),
    });
    const mintedAt = now.toISOString();
    const tokenExpiresAt = minted.expiresAt.toISOString();
    // Durable before the bundle leaves: the CSR approver and the admin API trust this row.
    await deps.audit
      .recordMint(
        {
          key: ledgerKeyString(key),
          ...key,
          ...(identity.region === undefined ? {} : { region: identity.region }),
          nodeName: named.nodeName,
          pool: pool.name,
          tokenId,
          mintedAt,
          expiresAt: tokenExpiresAt,
          addresses: { ips: [...identity.addresses.ips], dnsNames: [...identity.addresses.dnsNames] },
        },
        { at: mintedAt, event: 'join.minted', ...asNode, tokenId, source: context.sourceAddress },
      )
      .catch((error: unknown) => refuse('upstream_unavailable', 'index_unavailable', error instanceof Error ? error.name : 'unknown error', { ...asNode, tokenId }));
    const committed = await deps.ledger.commit({
      key,
      claimId: claim.claimId,
      now: deps.clock.now(),
      record: {
        identity: { provider: identity.provider, account: identity.account, region: identity.region, zone: identity.zone, instanceId: identity.instanceId },
        issuedAt: identity.issuedAt.toISOString(),
        nodeName: named.nodeName,
        pool: pool.name,
        tokenId,
        mintedAt,
        tokenExpiresAt,
      },
    });
    if (!committed) {
      // The claim is gone: its lease ran out while we worked (another request may hold the
      // instance now), or a lifecycle terminate dropped it. Nothing minted here may survive.
      await revoke(tokenId);
      return refuse('already_joined', 'claim_lost', 'the claim expired or the instance was terminated before the join committed', { ...asNode, tokenId }, {
        effect: { kind: 'token_revoked', tokenId, key: ledgerKeyString(key), at: deps.clock.now().toISOString() },
      });
    }
    log.info('join.minted', { ...asNode, tokenId, expiresAt: bundle.expiresAt, source: context.sourceAddress });
    return { bundle, identity, pool };
  } catch (error) {
    await deps.ledger.release(key, claim.claimId).catch(() => undefined);
    if (minted !== undefined && !revoked) await revoke(minted.token.id);
    if (error instanceof ProblemError) throw error;
    if (error instanceof MintError) {
      for (const tokenId of error.abandoned) await revokeLater(tokenId, 'mint_abandoned');
      return refuse('upstream_unavailable', 'mint_failed', error.message, asNode, { retryAfterSeconds: error.retryAfterSeconds });
    }
    const name = error instanceof Error ? error.name : 'unknown';
    log.error('join.failed', { ...asNode, error: name });
    deps.audit.recordLater({ at: deps.clock.now().toISOString(), event: 'join.refused', code: 'internal_error', reason: 'internal_error', detail: name, source: context.sourceAddress, ...asNode });
    throw error;
  }
}
