/**
 * Cleaning up after an instance that leaves service: its broker tokens and its Node. Kubernetes
 * I/O only through `deps.kube`; times are passed in.
 *
 * Every step reads before it writes and writes only what still exists, so a step that already
 * happened costs reads and no write: a redelivered lifecycle event makes no Kubernetes write,
 * and a delivery that failed halfway is finished by the next one.
 */
import type { V1Node } from '@kubernetes/client-node';
import type { AuditEvent } from '../audit/audit.js';
import { BOOTSTRAP_TOKEN_NAMESPACE, tokenSecretName } from '../cluster/bootstrap-token.js';
import { readBrokerToken, type BrokerToken } from '../cluster/broker-tokens.js';
import { BROKER_LABELS, BROKER_TOKEN_SELECTOR } from '../cluster/mint.js';
import type { Deps } from '../deps.js';
import { ledgerKeyString, type JoinRecord, type LedgerKey } from '../ledger/ledger.js';

export type CleanupDeps = Pick<Deps, 'kube' | 'ledger' | 'audit' | 'log'>;

export interface CleanupContext {
  readonly key: LedgerKey;
  /** The instance's last join in the ledger, if it is one this event may act on. */
  readonly record: JoinRecord | undefined;
  /** When Auto Scaling emitted the event: things created after it belong to a later incarnation. */
  readonly eventTime: Date;
  /** Tokens created after `eventTime` are left alone (return-to-warm-pool); terminate revokes every one. */
  readonly keepTokensCreatedAfterEvent: boolean;
  readonly now: Date;
  /** The audit `reason` of what this delivery does (`lifecycle_terminate`, …). */
  readonly reason: string;
  /** For the audit `detail`: which event, from which group. */
  readonly describeEvent: string;
  readonly source: string | undefined;
}

export const LIFECYCLE_ACTOR = 'lifecycle-hook';

/** A broker token is the instance's only if its identity annotation names exactly that identity. */
const tokenOf = (token: BrokerToken, key: LedgerKey): boolean =>
  token.identity?.provider === key.provider && token.identity.account === key.account && token.identity.instanceId === key.instanceId;

/**
 * Deletes every live broker token of the instance: the Secrets labelled with its instance ID in
 * kube-system, plus the ledger's token of its last join (should its labels have been edited
 * away). Only Secrets `readBrokerToken` accepts, whose identity annotation names this instance,
 * are deleted, each with its UID as precondition. Each deletion is marked in the ledger and
 * audited (`token.revoked`) as it happens, so a later failure loses none of them.
 * Returns the IDs of the tokens this call deleted.
 */
export async function revokeInstanceTokens(deps: CleanupDeps, context: CleanupContext): Promise<string[]> {
  const { key, record } = context;
  const selector = `${BROKER_TOKEN_SELECTOR},${BROKER_LABELS.instance}=${key.instanceId}`;
  const tokens = (await deps.kube.listSecrets(BOOTSTRAP_TOKEN_NAMESPACE, { labelSelector: selector }))
    .flatMap((secret) => readBrokerToken(secret) ?? [])
    .filter((token) => tokenOf(token, key));
  if (record !== undefined && !tokens.some((token) => token.tokenId === record.tokenId)) {
    const secret = await deps.kube.getSecret(BOOTSTRAP_TOKEN_NAMESPACE, tokenSecretName(record.tokenId));
    const token = secret === undefined ? undefined : readBrokerToken(secret);
    if (token !== undefined && tokenOf(token, key)) tokens.push(token);
  }

  const revoked: string[] = [];
  for (const token of tokens) {
    if (context.keepTokensCreatedAfterEvent && token.createdAt !== undefined && Date.parse(token.createdAt) > context.eventTime.getTime()) {
      deps.log.info('lifecycle.token_kept', { tokenId: token.tokenId, instanceId: key.instanceId, reason: 'created_after_event' });
      continue;
    }
    if (!(await deps.kube.deleteSecret(BOOTSTRAP_TOKEN_NAMESPACE, token.secretName, { uid: token.uid }))) continue;
    revoked.push(token.tokenId);
    await deps.ledger.markTokenRevoked(key, token.tokenId, context.now);
    const event: AuditEvent = {
      at: context.now.toISOString(),
      event: 'token.revoked',
      ...key,
      ...(token.identity?.region === undefined ? {} : { region: token.identity.region }),
      ...(token.nodeName === undefined ? {} : { nodeName: token.nodeName }),
      ...(token.pool === undefined ? {} : { pool: token.pool }),
      tokenId: token.tokenId,
      reason: context.reason,
      detail: `revoked by ${context.describeEvent}`,
      actor: LIFECYCLE_ACTOR,
      ...(context.source === undefined ? {} : { source: context.source }),
    };
    await recordAudit(deps, event, { kind: 'token_revoked', tokenId: token.tokenId, key: ledgerKeyString(key), at: context.now.toISOString() });
  }
  return revoked;
}

export type NodeVerdict = 'delete' | 'other_instance' | 'newer_than_event';

/**
 * Whether the Node named in the ledger is still this instance's. Node names are reused: the
 * default EC2 name comes from the private IP, which AWS hands to the next instance in the
 * subnet, and a lifecycle event can arrive late (SNS retries for an hour, EventBridge for a day).
 * Deleting a live Node of another machine would strand its pods and its kubelet, so:
 * - a `spec.providerID` (`aws:///<zone>/<instance-id>`, set by the AWS cloud provider) must
 *   name this instance;
 * - a Node created after the event was registered by someone after this instance left service.
 */
export function nodeVerdict(node: V1Node, instanceId: string, eventTime: Date): NodeVerdict {
  const providerId = node.spec?.providerID;
  if (typeof providerId === 'string' && providerId !== '') {
    const named = /\/(i-[0-9a-f]{8,17})$/.exec(providerId)?.[1];
    if (named !== instanceId) return 'other_instance';
  }
  const created = node.metadata?.creationTimestamp;
  if (created !== undefined && new Date(created).getTime() > eventTime.getTime()) return 'newer_than_event';
  return 'delete';
}

export interface NodeRemoval {
  readonly deleted: boolean;
  /** Set when a Node of that name exists and was left alone. */
  readonly kept?: Exclude<NodeVerdict, 'delete'>;
}

/** Deletes the Node `name` if `nodeVerdict` says it is this instance's, with its UID as precondition. */
export async function removeInstanceNode(deps: CleanupDeps, name: string, context: Pick<CleanupContext, 'key' | 'eventTime'>): Promise<NodeRemoval> {
  const node = await deps.kube.getNode(name);
  if (node === undefined) return { deleted: false };
  const verdict = nodeVerdict(node, context.key.instanceId, context.eventTime);
  if (verdict !== 'delete') {
    deps.log.warn('lifecycle.node_kept', { nodeName: name, instanceId: context.key.instanceId, reason: verdict });
    return { deleted: false, kept: verdict };
  }
  const uid = node.metadata?.uid;
  return { deleted: await deps.kube.deleteNode(name, uid === undefined ? undefined : { uid }) };
}

/**
 * Audit writes after the cluster and the ledger changed are best effort: the change is done and
 * a retry of the delivery would not redo it. A failure is logged, never turned into an error.
 */
export async function recordAudit(deps: Pick<Deps, 'audit' | 'log'>, event: AuditEvent, effect?: Parameters<Deps['audit']['record']>[1]): Promise<void> {
  try {
    await deps.audit.record(event, effect);
  } catch (error) {
    deps.log.error('lifecycle.audit_failed', { event: event.event, instanceId: event.instanceId, error: error instanceof Error ? error.name : 'unknown' });
  }
}
