/**
 * The CSR approver's edge: reads the cluster's CSRs and the join index, runs the pure decisions of
 * decide.ts, and acts — `/approval` with an Approved or Denied condition, and the single-use rule.
 * Called by the join index's poller on its alarm while any brokered token or node has a CSR to
 * come (src/approval/cluster-poller.ts), and by the cron sweep as the backstop, both with scope
 * `cluster`: one list decides every node's CSRs. Scope `instance` (one token's and one node's
 * CSRs) is for a single instance's pass. Workers have no long-lived watch, hence polls.
 *
 * One pass:
 * 1. list every CSR (the API has no selector by requester) and keep those of the two kubelet
 *    signers (the only ones the broker's RBAC lets it approve) and, for an instance, its requesters;
 * 2. single use: for each issued kubelet client certificate requested with a broker token whose
 *    index row is not yet marked used, once {@link SPEND_GRACE_MS} passed since its approval,
 *    delete the token's Secret (only a Secret the broker labelled, with its UID as
 *    precondition), mark the token used in the ledger and the index, and audit `token.used`
 *    (`reason: client_certificate_issued`);
 * 3. decide each pending CSR, oldest first (so of two client CSRs racing on one token the older
 *    wins and the other is denied as the token's second), and write the decision through
 *    `/approval` as the broker's ServiceAccount; audit `csr.approved`/`csr.denied`. A CSR that
 *    changed meanwhile (409) is decided again on the next pass.
 * A failure on one CSR is logged and counted; the others are still decided.
 */
import type { V1CertificateSigningRequest, V1CertificateSigningRequestCondition } from '@kubernetes/client-node';
import { aboutJoin, type JoinAudit, type JoinRow } from '../audit/audit.js';
import { BOOTSTRAP_TOKEN_NAMESPACE, tokenSecretName } from '../cluster/bootstrap-token.js';
import { readBrokerToken } from '../cluster/broker-tokens.js';
import { KubeApiError, type KubeApi } from '../cluster/kube-api.js';
import type { Clock } from '../deps.js';
import type { LedgerKey, TokenMarkResult } from '../ledger/ledger.js';
import type { Logger } from '../log.js';
import type { JoinPolicy } from '../policy/schema.js';
import { parseCertificateRequestPem } from './csr.js';
import {
  APPROVED_REASON,
  BROKER_SIGNERS,
  decideCsr,
  deniedConditionReason,
  KUBELET_CLIENT_SIGNER,
  madeWithRowToken,
  requesterOf,
  type CsrContext,
  type CsrDecision,
  type CsrFacts,
} from './decide.js';
import { verifyRequestSignature } from './signature.js';

export interface ApproverDeps {
  readonly kube: Pick<KubeApi, 'listCertificateSigningRequests' | 'updateCertificateSigningRequestApproval' | 'getSecret' | 'deleteSecret'>;
  readonly audit: Pick<JoinAudit, 'joinByToken' | 'joinsByNode' | 'record'>;
  /** The ledger's `markTokenUsed` (the instance's own Durable Object applies it directly). */
  markTokenUsed(key: LedgerKey, tokenId: string, at: Date): Promise<TokenMarkResult>;
  readonly policy: Pick<JoinPolicy, 'pools'>;
  readonly clock: Clock;
  readonly log: Logger;
}

/** Which CSRs a pass looks at: every one, or those of one instance's token and node. */
export type ApprovalScope = { readonly kind: 'cluster' } | { readonly kind: 'instance'; readonly tokenId: string; readonly nodeName: string };

/** What a pass did to one CSR. */
export interface CsrOutcome {
  readonly csr: string;
  readonly signerName: string;
  /** `metadata.creationTimestamp`, RFC 3339. */
  readonly createdAt?: string;
  readonly action: 'approved' | 'denied' | 'conflict' | 'failed';
  /** The Denied condition's reason, or the failure's. */
  readonly reason?: string;
}

export interface ApprovalReport {
  /** CSRs of the scope seen in the list (any state). */
  readonly examined: number;
  readonly outcomes: readonly CsrOutcome[];
  /** Tokens spent by this pass (their client certificate was issued). */
  readonly tokensUsed: readonly string[];
  /** Whether the scope's node has a serving CSR that is decided (approved, denied or issued). */
  readonly servingDecided: boolean;
  /** Whether the scope's token obtained its client certificate and is spent (single use done). */
  readonly clientIssued: boolean;
  /** Nodes (`system:node:<name>` requesters) of the scope with a decided serving CSR after this pass. */
  readonly servingDecidedNodes: readonly string[];
}

const ACTOR = 'csr-approver';

/**
 * How long after its approval an issued client certificate's token is spent. The node reads its
 * certificate with that token (the csr join script polls `kubectl get csr` once a second; a kubelet
 * watches): deleting the token the instant the certificate appears could leave the node unable to
 * fetch it. Until then the token is still spent for approval: no second client CSR is approved.
 */
export const SPEND_GRACE_MS = 5000;

/** When the CSR was approved (its Approved condition's server-set time), if it says. */
const approvedAt = (csr: V1CertificateSigningRequest): Date | undefined => {
  const condition = conditionsOf(csr).find((c) => c.type === 'Approved');
  const raw = (condition?.lastUpdateTime ?? condition?.lastTransitionTime) as unknown;
  const at = raw === undefined || raw === null ? undefined : new Date(raw as string);
  return at === undefined || Number.isNaN(at.getTime()) ? undefined : at;
};

const conditionsOf = (csr: V1CertificateSigningRequest): V1CertificateSigningRequestCondition[] => csr.status?.conditions ?? [];
const hasCondition = (csr: V1CertificateSigningRequest, type: string): boolean => conditionsOf(csr).some((c) => c.type === type && c.status === 'True');
const isIssued = (csr: V1CertificateSigningRequest): boolean => typeof csr.status?.certificate === 'string' && csr.status.certificate.length > 0;
/** csrapprover's rule too: a CSR with a certificate or an Approved/Denied condition is decided. */
const isPending = (csr: V1CertificateSigningRequest): boolean => !isIssued(csr) && !hasCondition(csr, 'Approved') && !hasCondition(csr, 'Denied');

const createdAtOf = (csr: V1CertificateSigningRequest): Date | undefined => {
  const raw = csr.metadata?.creationTimestamp as unknown;
  if (raw === undefined || raw === null) return undefined;
  const at = new Date(raw as string);
  return Number.isNaN(at.getTime()) ? undefined : at;
};

const decodeRequest = (base64: string | undefined): string | undefined => {
  if (typeof base64 !== 'string') return undefined;
  try {
    return atob(base64);
  } catch {
    return undefined;
  }
};

/** The facts decide.ts reads: requester and spec from the API object, the request parsed and its signature checked. */
export async function csrFacts(csr: V1CertificateSigningRequest): Promise<CsrFacts> {
  const spec = csr.spec;
  const pem = decodeRequest(spec?.request);
  const parsed = pem === undefined ? { ok: false as const, detail: 'spec.request is not base64' } : parseCertificateRequestPem(pem);
  const request: CsrFacts['request'] = parsed.ok ? { ok: true, request: parsed.request, signature: await verifyRequestSignature(parsed.request) } : { ok: false, detail: parsed.detail };
  const createdAt = createdAtOf(csr);
  return {
    name: csr.metadata?.name ?? '',
    signerName: spec?.signerName ?? '',
    username: spec?.username ?? '',
    groups: spec?.groups ?? [],
    usages: spec?.usages ?? [],
    ...(typeof spec?.expirationSeconds === 'number' ? { expirationSeconds: spec.expirationSeconds } : {}),
    createdAt,
    request,
  };
}

const keyOf = (row: JoinRow): LedgerKey => ({ provider: row.provider, account: row.account, instanceId: row.instanceId });

const byAge = (a: V1CertificateSigningRequest, b: V1CertificateSigningRequest): number =>
  (createdAtOf(a)?.getTime() ?? 0) - (createdAtOf(b)?.getTime() ?? 0) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');

/** One pass of the approver over `scope` (see the module header). Throws only if the list itself fails. */
export async function runApproval(deps: ApproverDeps, scope: ApprovalScope): Promise<ApprovalReport> {
  const { log } = deps;
  const all = await deps.kube.listCertificateSigningRequests();
  const inScope = (csr: V1CertificateSigningRequest): boolean => {
    if (!BROKER_SIGNERS.includes(csr.spec?.signerName ?? '')) return false;
    if (scope.kind === 'cluster') return true;
    const username = csr.spec?.username;
    return username === `system:bootstrap:${scope.tokenId}` || username === `system:node:${scope.nodeName}`;
  };
  const csrs = all.filter(inScope).sort(byAge);

  const tokenRows = new Map<string, Promise<JoinRow | undefined>>();
  const nodeRows = new Map<string, Promise<JoinRow | undefined>>();
  const tokenRow = (tokenId: string): Promise<JoinRow | undefined> => {
    let row = tokenRows.get(tokenId);
    if (row === undefined) tokenRows.set(tokenId, (row = deps.audit.joinByToken(tokenId)));
    return row;
  };
  const nodeRow = (nodeName: string): Promise<JoinRow | undefined> => {
    let row = nodeRows.get(nodeName);
    if (row === undefined) nodeRows.set(nodeName, (row = deps.audit.joinsByNode(nodeName).then((rows) => rows[0])));
    return row;
  };
  /** The row of a CSR made with a broker token, if it was made while that token lived. */
  const rowOfTokenCsr = async (csr: V1CertificateSigningRequest): Promise<JoinRow | undefined> => {
    const requester = requesterOf(csr.spec?.username ?? '', csr.spec?.groups ?? []);
    if (requester.kind !== 'bootstrap') return undefined;
    const row = await tokenRow(requester.tokenId);
    return row !== undefined && madeWithRowToken(createdAtOf(csr), row) ? row : undefined;
  };

  const outcomes: CsrOutcome[] = [];
  const tokensUsed: string[] = [];
  const spent = new Set<string>();
  let clientIssued = false;
  let servingDecided = false;
  const servingDecidedNodes = new Set<string>();
  const servingNodeOf = (csr: V1CertificateSigningRequest): string | undefined => {
    const username = csr.spec?.username ?? '';
    return csr.spec?.signerName !== KUBELET_CLIENT_SIGNER && username.startsWith('system:node:') ? username.slice('system:node:'.length) : undefined;
  };

  // 2. Single use. A token whose client CSR is approved (issued or not) is spent: no second one.
  for (const csr of csrs) {
    if (csr.spec?.signerName !== KUBELET_CLIENT_SIGNER || !hasCondition(csr, 'Approved')) continue;
    try {
      const row = await rowOfTokenCsr(csr);
      if (row === undefined) continue;
      spent.add(row.tokenId);
      if (!isIssued(csr)) continue;
      const scoped = scope.kind === 'instance' && row.tokenId === scope.tokenId;
      if (row.usedAt !== undefined || tokensUsed.includes(row.tokenId)) {
        if (scoped) clientIssued = true;
        continue;
      }
      const approved = approvedAt(csr);
      if (approved !== undefined && deps.clock.now().getTime() - approved.getTime() < SPEND_GRACE_MS) continue;
      await spendToken(deps, row, csr.metadata?.name ?? '');
      tokensUsed.push(row.tokenId);
      if (scoped) clientIssued = true;
    } catch (error) {
      log.error('csr.single_use_failed', { csr: csr.metadata?.name ?? '', error: error instanceof KubeApiError ? error.message : error instanceof Error ? error.name : 'unknown' });
    }
  }

  // 3. Decisions.
  for (const csr of csrs) {
    const name = csr.metadata?.name ?? '';
    const createdAt = createdAtOf(csr)?.toISOString();
    const signerName = csr.spec?.signerName ?? '';
    if (!isPending(csr)) {
      const node = servingNodeOf(csr);
      if (node !== undefined) servingDecidedNodes.add(node);
      if (scope.kind === 'instance' && csr.spec?.username === `system:node:${scope.nodeName}` && signerName !== KUBELET_CLIENT_SIGNER) servingDecided = true;
      continue;
    }
    try {
      const facts = await csrFacts(csr);
      const requester = requesterOf(facts.username, facts.groups);
      let context: CsrContext = {};
      if (requester.kind === 'bootstrap') {
        const row = await tokenRow(requester.tokenId);
        context = row === undefined ? {} : { tokenJoin: row, tokenHasApprovedClientCsr: spent.has(row.tokenId) };
      } else if (requester.kind === 'node') {
        const row = await nodeRow(requester.nodeName);
        const pool = row === undefined ? undefined : deps.policy.pools.find((p) => p.name === row.pool);
        context = row === undefined ? {} : { nodeJoin: row, ...(pool === undefined ? {} : { pool }) };
      }
      const decision = decideCsr(facts, context);
      if (decision.kind === 'leave') continue;
      const outcome = await writeDecision(deps, csr, decision);
      outcomes.push({ csr: name, signerName, ...(createdAt === undefined ? {} : { createdAt }), ...outcome });
      if (outcome.action === 'approved' && signerName === KUBELET_CLIENT_SIGNER) spent.add(decision.join.tokenId);
      if (outcome.action === 'approved' || outcome.action === 'denied') {
        const node = servingNodeOf(csr);
        if (node !== undefined) servingDecidedNodes.add(node);
        if (scope.kind === 'instance' && facts.username === `system:node:${scope.nodeName}`) servingDecided = true;
      }
    } catch (error) {
      const reason = error instanceof KubeApiError ? error.message : error instanceof Error ? error.name : 'unknown';
      log.error('csr.decision_failed', { csr: name, error: reason });
      outcomes.push({ csr: name, signerName, ...(createdAt === undefined ? {} : { createdAt }), action: 'failed', reason });
    }
  }
  return { examined: csrs.length, outcomes, tokensUsed, servingDecided, clientIssued, servingDecidedNodes: [...servingDecidedNodes].sort() };
}

/** Appends the decision's condition through `/approval` and audits it. */
async function writeDecision(deps: ApproverDeps, csr: V1CertificateSigningRequest, decision: Exclude<CsrDecision, { kind: 'leave' }>): Promise<Pick<CsrOutcome, 'action' | 'reason'>> {
  const now = deps.clock.now();
  const type = decision.kind === 'approve' ? 'Approved' : 'Denied';
  const reason = decision.kind === 'approve' ? APPROVED_REASON : deniedConditionReason(decision.reason);
  const condition = { type, status: 'True', reason, message: decision.message } as V1CertificateSigningRequestCondition;
  const updated = await deps.kube.updateCertificateSigningRequestApproval({ ...csr, status: { ...csr.status, conditions: [...conditionsOf(csr), condition] } });
  const name = csr.metadata?.name ?? '';
  if (updated === undefined) {
    deps.log.warn('csr.changed', { csr: name, decision: type });
    return { action: 'conflict' };
  }
  const fields = { csr: name, signer: csr.spec?.signerName ?? '', requester: csr.spec?.username ?? '', nodeName: decision.join.nodeName, tokenId: decision.join.tokenId, reason };
  if (decision.kind === 'approve') deps.log.info('csr.approved', fields);
  else deps.log.warn('csr.denied', { ...fields, detail: decision.message });
  await deps.audit
    .record({
      ...aboutJoin(decision.join),
      at: now.toISOString(),
      event: decision.kind === 'approve' ? 'csr.approved' : 'csr.denied',
      reason: decision.kind === 'approve' ? 'approved' : decision.reason,
      detail: `${name}: ${decision.message}`.slice(0, 2048),
      actor: ACTOR,
    })
    .catch((error: unknown) => deps.log.error('audit.write_failed', { event: `csr.${type.toLowerCase()}`, error: error instanceof Error ? error.name : 'unknown' }));
  return decision.kind === 'approve' ? { action: 'approved' } : { action: 'denied', reason: decision.reason };
}

/**
 * Single use (DESIGN "Beyond the anchors"): the node holds its client certificate, so its
 * bootstrap token has done its one job. Deleting the Secret makes the token stop authenticating at
 * once (SEMANTICS §2 step 2) instead of at its expiry, so a copy of the bundle is worthless.
 */
async function spendToken(deps: ApproverDeps, row: JoinRow, csrName: string): Promise<void> {
  const secretName = tokenSecretName(row.tokenId);
  const secret = await deps.kube.getSecret(BOOTSTRAP_TOKEN_NAMESPACE, secretName);
  const token = secret === undefined ? undefined : readBrokerToken(secret);
  // Only the Secret the broker minted under this ID, by UID: never kubeadm's, never a newer one.
  const deleted = token !== undefined && token.tokenId === row.tokenId ? await deps.kube.deleteSecret(BOOTSTRAP_TOKEN_NAMESPACE, secretName, token.uid === undefined ? {} : { uid: token.uid }) : false;
  const at = deps.clock.now();
  await deps.markTokenUsed(keyOf(row), row.tokenId, at);
  await deps.audit.record(
    {
      ...aboutJoin(row),
      at: at.toISOString(),
      event: 'token.used',
      reason: 'client_certificate_issued',
      detail: `${csrName}: client certificate issued for node ${row.nodeName}; token Secret ${deleted ? 'deleted' : 'already gone'}`,
      actor: ACTOR,
    },
    { kind: 'token_used', tokenId: row.tokenId, key: row.key, at: at.toISOString() },
  );
  deps.log.info('token.used', { tokenId: row.tokenId, nodeName: row.nodeName, csr: csrName, secretDeleted: deleted });
}
