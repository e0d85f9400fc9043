/**
 * The "revoke later" pass (src/audit/revocations.ts says when and why): for each due record,
 * read the token's Secret and delete it when it is the broker's Secret for that token and that
 * instance (UID precondition, so a Secret recreated in between is left alone), look again later
 * when it is absent or the API could not be asked, and drop the record when done. Run by the join
 * index's poller on its alarm, and by the cron sweep as the backstop.
 * Only Secrets `readBrokerToken` accepts are ever deleted: never kubeadm's own tokens.
 */
import { aboutJoin, type AuditEvent, type JoinAudit, type PendingRevocation } from '../audit/audit.js';
import { afterRevocationCheck, type RevocationFinding } from '../audit/revocations.js';
import { BOOTSTRAP_TOKEN_NAMESPACE, tokenSecretName } from '../cluster/bootstrap-token.js';
import { readBrokerToken } from '../cluster/broker-tokens.js';
import { KubeApiError, type KubeApi } from '../cluster/kube-api.js';
import type { Clock } from '../deps.js';
import type { Logger } from '../log.js';

export interface RevocationDeps {
  readonly kube: Pick<KubeApi, 'getSecret' | 'deleteSecret'>;
  readonly audit: Pick<JoinAudit, 'dueRevocations' | 'rescheduleRevocation' | 'settleRevocation'>;
  readonly clock: Clock;
  readonly log: Logger;
}

export interface RevocationReport {
  checked: number;
  revoked: number;
  /** Records dropped without a DELETE: absent for the settle window, another token's, or given up. */
  dropped: number;
}

/** Records handled per pass; the rest wait for the next one. */
export const REVOCATION_BATCH = 50;
const ACTOR = 'revoke-later';

/** What the API holds for the record now, deleting it when it is the broker's token for that instance. */
async function check(deps: RevocationDeps, pending: PendingRevocation): Promise<RevocationFinding> {
  const name = tokenSecretName(pending.tokenId);
  try {
    const secret = await deps.kube.getSecret(BOOTSTRAP_TOKEN_NAMESPACE, name);
    if (secret === undefined) return 'absent';
    const token = readBrokerToken(secret);
    // Another token under this ID (a kubeadm token, another instance's): never ours to delete.
    if (token === undefined || token.tokenId !== pending.tokenId || (token.identity !== undefined && token.identity.instanceId !== pending.instanceId)) return 'foreign';
    return (await deps.kube.deleteSecret(BOOTSTRAP_TOKEN_NAMESPACE, name, token.uid === undefined ? {} : { uid: token.uid })) ? 'revoked' : 'absent';
  } catch (error) {
    deps.log.warn('revocation.check_failed', { tokenId: pending.tokenId, error: error instanceof KubeApiError ? error.message : error instanceof Error ? error.name : 'unknown' });
    return 'failed';
  }
}

export async function runRevocations(deps: RevocationDeps): Promise<RevocationReport> {
  const report: RevocationReport = { checked: 0, revoked: 0, dropped: 0 };
  const due = await deps.audit.dueRevocations(deps.clock.now().toISOString(), REVOCATION_BATCH);
  for (const pending of due) {
    const finding = await check(deps, pending);
    report.checked++;
    const now = deps.clock.now();
    const step = afterRevocationCheck(pending, finding, now);
    if (step.kind === 'again') {
      await deps.audit.rescheduleRevocation(pending.tokenId, step.checkAt);
      continue;
    }
    if (step.outcome !== 'revoked') {
      report.dropped++;
      if (step.outcome === 'gave_up') deps.log.error('revocation.gave_up', { tokenId: pending.tokenId, recordedAt: pending.at });
      await deps.audit.settleRevocation(pending.tokenId);
      continue;
    }
    report.revoked++;
    const event: AuditEvent = {
      ...aboutJoin(pending),
      at: now.toISOString(),
      event: 'token.revoked',
      reason: pending.reason,
      detail: `no node received token ${pending.tokenId} (its join answered 503 at ${pending.at}); its Secret existed and was deleted`,
      actor: ACTOR,
    };
    await deps.audit.settleRevocation(pending.tokenId, event, { kind: 'token_revoked', tokenId: pending.tokenId, key: pending.key, at: now.toISOString() });
    deps.log.info('token.revoked', { tokenId: pending.tokenId, reason: pending.reason, instanceId: pending.instanceId });
  }
  return report;
}
