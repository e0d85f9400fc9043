/**
 * The Worker's attest and policy stages, run offline on one identity document: the same
 * verifiers (src/attest/*), the same policy decision, freshness check and node-name template
 * (src/policy/*, src/attest/freshness.ts), in the order runJoin applies them (src/join/pipeline.ts):
 * verify the document → the policy picks the pool → freshness against the pool's window → the
 * node name. Without a policy, only freshness against the default window (600 s).
 *
 * Not checked offline (they need the broker's state): the one-join-per-instance ledger
 * (`already_joined`), rate limits, and the cluster side (minting, cluster-info).
 *
 * No clock and no I/O here: `now`, the keys and the optional `fetch` come from the command.
 */
import type { AttestFailureReason, NodeIdentity, Provider } from '../../src/attest/identity.js';
import { checkFreshness } from '../../src/attest/freshness.js';
import { decideJoin, renderNodeName } from '../../src/policy/decide.js';
import { DEFAULT_FRESHNESS_SECONDS, type JoinPolicy, type NodePool } from '../../src/policy/schema.js';

export type Stage = 'attest' | 'policy' | 'freshness' | 'node_name';

export interface JoinPreview {
  readonly pool: string;
  /** Index of the policy rule that matched. */
  readonly rule: number;
  readonly nodeName: string;
  readonly tokenTtlSeconds: number;
  readonly authExtraGroups: readonly string[];
  readonly nodeLabels: Readonly<Record<string, string>>;
  readonly nodeTaints: readonly string[];
  readonly discovery: NodePool['discovery'];
  readonly rejoin: NodePool['rejoin'];
}

export interface FreshnessReport {
  readonly issuedAt: string;
  /** Seconds between issuedAt and `at` (negative when issued in the future). */
  readonly ageSeconds: number;
  readonly windowSeconds: number;
}

export type OfflineVerdict =
  | {
      readonly ok: true;
      readonly identity: NodeIdentity;
      readonly freshness: FreshnessReport;
      readonly join?: JoinPreview;
    }
  | {
      readonly ok: false;
      readonly stage: Stage;
      /** The verifier's reason, `access_denied`, `stale_document`, or `invalid_claims` for the node name. */
      readonly reason: AttestFailureReason | 'access_denied';
      readonly detail: string;
      /** The identity the document proves, when it got past the attest stage. */
      readonly identity?: NodeIdentity;
    };

/** Verifies a document's signature and claims and returns what it proves (one provider's verifier). */
export type DocumentVerifier = (document: Uint8Array, now: Date) => Promise<
  { readonly ok: true; readonly identity: NodeIdentity } | { readonly ok: false; readonly error: { readonly reason: AttestFailureReason; readonly detail: string } }
>;

export interface OfflineVerifyInput {
  readonly provider: Provider;
  readonly document: Uint8Array;
  readonly now: Date;
  readonly verify: DocumentVerifier;
  readonly policy?: JoinPolicy;
}

export async function verifyOffline(input: OfflineVerifyInput): Promise<OfflineVerdict> {
  const { now, policy } = input;
  const attested = await input.verify(input.document, now);
  if (!attested.ok) return { ok: false, stage: 'attest', reason: attested.error.reason, detail: attested.error.detail };
  const { identity } = attested;

  let pool: NodePool | undefined;
  let ruleIndex = -1;
  if (policy !== undefined) {
    const decision = decideJoin(identity, policy);
    if (!decision.ok) return { ok: false, stage: 'policy', reason: decision.reason, detail: decision.detail, identity };
    pool = decision.pool;
    ruleIndex = decision.ruleIndex;
  }

  const windowSeconds = pool?.freshness ?? DEFAULT_FRESHNESS_SECONDS;
  const fresh = checkFreshness(identity.issuedAt, now, { maxAgeSeconds: windowSeconds });
  if (!fresh.ok) return { ok: false, stage: 'freshness', reason: fresh.error.reason, detail: fresh.error.detail, identity };
  const freshness: FreshnessReport = {
    issuedAt: identity.issuedAt.toISOString(),
    ageSeconds: (now.getTime() - identity.issuedAt.getTime()) / 1000,
    windowSeconds,
  };
  if (pool === undefined) return { ok: true, identity, freshness };

  const named = renderNodeName(pool.nodeName, identity, pool);
  if (!named.ok) return { ok: false, stage: 'node_name', reason: 'invalid_claims', detail: named.detail, identity };
  return {
    ok: true,
    identity,
    freshness,
    join: {
      pool: pool.name,
      rule: ruleIndex,
      nodeName: named.nodeName,
      tokenTtlSeconds: pool.tokenTtl,
      authExtraGroups: pool.authExtraGroups,
      nodeLabels: pool.nodeLabels,
      nodeTaints: pool.nodeTaints,
      discovery: pool.discovery,
      rejoin: pool.rejoin,
    },
  };
}
