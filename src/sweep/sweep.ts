import { runApproval, type ApprovalReport } from '../approval/approver.js';
import { aboutJoin, retentionAt, type AuditEvent, type JoinRow } from '../audit/audit.js';
import { BOOTSTRAP_TOKEN_NAMESPACE } from '../cluster/bootstrap-token.js';
import { isExpired, readBrokerToken, type BrokerToken } from '../cluster/broker-tokens.js';
import { BROKER_TOKEN_SELECTOR } from '../cluster/mint.js';
import type { Deps } from '../deps.js';
import type { LedgerKey } from '../ledger/ledger.js';
import { runRevocations, type RevocationReport } from './revocations.js';

export type SweepDeps = Pick<Deps, 'kube' | 'ledger' | 'audit' | 'clock' | 'log'> & { config: Pick<Deps['config'], 'policy'> };

/** At most this many index rows are reconciled per run (each may cost one Node read). */
export const RECONCILE_BATCH = 500;

export interface SweepReport {
  /** The CSR approver's backstop pass: CSRs decided, tokens spent. */
  csr: { approved: number; denied: number; tokensUsed: number };
  /** The backstop of the join index's "revoke later" records (src/sweep/revocations.ts). */
  revocations: RevocationReport;
  expiredDeleted: number;
  reconciled: { used: number; revoked: number };
  pruned: { events: number; joins: number };
  /** Steps that failed (each is logged); the others still ran. */
  failed: SweepStep[];
}

export type SweepStep = 'csr' | 'revocations' | 'list' | 'expired' | 'reconcile' | 'prune';

const ACTOR = 'cron';

/**
 * The cron sweep (wrangler.toml `[triggers]`), one pass:
 * 0. the CSR approver over every CSR (src/approval/approver.ts): the backstop of the join index's
 *    poller, for a CSR a poll missed (API down, object evicted) or made after polling stopped
 *    (a kubelet's serving certificate rotation); it also spends tokens whose client certificate
 *    was issued, before the reconcile below looks at them;
 * 0b. the due "revoke later" records (src/sweep/revocations.ts): the backstop of the same poller;
 * 1. read the index rows whose token should still be alive, then list the broker's tokens (in
 *    that order: a row is written only after its Secret exists, so every row read first has its
 *    Secret in the later list unless the Secret is gone);
 * 2. delete broker tokens whose `expiration` has passed and which the tokencleaner has not removed
 *    (kube-controller-manager down, its controller disabled), each with its UID as precondition
 *    so a Secret recreated under the same name in between is left alone;
 * 3. reconcile: a row whose Secret vanished before expiry was used (its Node exists: the CSR
 *    approver or an operator deleted the spent token) or revoked outside the broker (no Node);
 *    the ledger and the index are marked and the audit says which;
 * 4. prune the audit to its retention (AUDIT_RETENTION).
 * Only Secrets `readBrokerToken` accepts are ever deleted: never kubeadm's own tokens.
 */
export async function runSweep(deps: SweepDeps): Promise<SweepReport> {
  const { log } = deps;
  const now = deps.clock.now();
  const report: SweepReport = { csr: { approved: 0, denied: 0, tokensUsed: 0 }, revocations: { checked: 0, revoked: 0, dropped: 0 }, expiredDeleted: 0, reconciled: { used: 0, revoked: 0 }, pruned: { events: 0, joins: 0 }, failed: [] };
  const step = async (name: SweepStep, work: () => Promise<void>): Promise<boolean> => {
    try {
      await work();
      return true;
    } catch (error) {
      report.failed.push(name);
      log.error('sweep.step_failed', { step: name, error: error instanceof Error ? error.message : 'unknown' });
      return false;
    }
  };

  await step('csr', async () => {
    const approval: ApprovalReport = await runApproval(
      { kube: deps.kube, audit: deps.audit, markTokenUsed: (key, tokenId, at) => deps.ledger.markTokenUsed(key, tokenId, at), policy: deps.config.policy, clock: deps.clock, log },
      { kind: 'cluster' },
    );
    report.csr = {
      approved: approval.outcomes.filter((o) => o.action === 'approved').length,
      denied: approval.outcomes.filter((o) => o.action === 'denied').length,
      tokensUsed: approval.tokensUsed.length,
    };
  });

  await step('revocations', async () => {
    report.revocations = await runRevocations({ kube: deps.kube, audit: deps.audit, clock: deps.clock, log });
  });

  let rows: JoinRow[] = [];
  let tokens: BrokerToken[] = [];
  const listed = await step('list', async () => {
    rows = await deps.audit.unsettledJoins(now.toISOString(), RECONCILE_BATCH);
    const secrets = await deps.kube.listSecrets(BOOTSTRAP_TOKEN_NAMESPACE, { labelSelector: BROKER_TOKEN_SELECTOR });
    tokens = secrets.flatMap((secret) => readBrokerToken(secret) ?? []);
  });

  if (listed) {
    await step('expired', async () => {
      for (const token of tokens.filter((t) => isExpired(t.expiration, now))) {
        if (!(await deps.kube.deleteSecret(BOOTSTRAP_TOKEN_NAMESPACE, token.secretName, { uid: token.uid }))) continue;
        report.expiredDeleted++;
        const expiredAt = token.expiration.kind === 'at' ? token.expiration.at.toISOString() : 'unparseable';
        await deps.audit.record({
          ...eventAbout(token),
          at: deps.clock.now().toISOString(),
          event: 'token.expired_deleted',
          reason: 'expired',
          detail: `expiration ${expiredAt} passed and the tokencleaner had not deleted the Secret`,
          actor: ACTOR,
        });
      }
    });

    await step('reconcile', async () => {
      const present = new Set(tokens.map((t) => t.tokenId));
      for (const row of rows.filter((r) => !present.has(r.tokenId))) {
        const at = deps.clock.now();
        const key: LedgerKey = { provider: row.provider, account: row.account, instanceId: row.instanceId };
        const node = await deps.kube.getNode(row.nodeName);
        const used = node !== undefined;
        if (used) await deps.ledger.markTokenUsed(key, row.tokenId, at);
        else await deps.ledger.markTokenRevoked(key, row.tokenId, at);
        await deps.audit.record(
          {
            ...aboutJoin(row),
            at: at.toISOString(),
            event: used ? 'token.used' : 'token.revoked',
            reason: used ? 'node_registered' : 'secret_deleted_outside_broker',
            detail: used
              ? `the token Secret is gone before its expiry (${row.expiresAt}) and Node ${row.nodeName} exists`
              : `the token Secret was deleted before its expiry (${row.expiresAt}), not by the broker, and no Node ${row.nodeName} exists`,
            actor: ACTOR,
          },
          { kind: used ? 'token_used' : 'token_revoked', tokenId: row.tokenId, key: row.key, at: at.toISOString() },
        );
        if (used) report.reconciled.used++;
        else report.reconciled.revoked++;
      }
    });
  }

  await step('prune', async () => {
    report.pruned = await deps.audit.prune(retentionAt(now));
  });

  log.info('sweep.done', {
    csrApproved: report.csr.approved,
    csrDenied: report.csr.denied,
    tokensUsed: report.csr.tokensUsed,
    revocationsRevoked: report.revocations.revoked,
    expiredDeleted: report.expiredDeleted,
    reconciledUsed: report.reconciled.used,
    reconciledRevoked: report.reconciled.revoked,
    prunedEvents: report.pruned.events,
    prunedJoins: report.pruned.joins,
    failed: report.failed,
  });
  return report;
}

function eventAbout(token: BrokerToken): Omit<AuditEvent, 'at' | 'event'> {
  const about: Omit<AuditEvent, 'at' | 'event'> = { tokenId: token.tokenId };
  if (token.identity !== undefined) Object.assign(about, token.identity);
  if (token.nodeName !== undefined) about.nodeName = token.nodeName;
  if (token.pool !== undefined) about.pool = token.pool;
  return about;
}
