/**
 * What the broker does about an authenticated Auto Scaling lifecycle event. The route
 * (src/http/routes/lifecycle-hooks.ts) authenticates the delivery first; this module trusts the
 * event it is given. `now` is passed in; I/O only through `deps` (ledger, Kubernetes, index).
 *
 * By `event.effect` (src/hooks/aws/event.ts says which transition is which):
 * - `none` (autoscaling:TEST_NOTIFICATION): nothing.
 * - `enter-warm-pool` (launch EC2 → WarmPool): nothing but a log line. The instance is being
 *   pre-initialised and will be stopped; it is not entering service, so it is not announced and
 *   a `requireLaunchHook` pool keeps refusing it until it enters the group.
 * - `enter-group` (launch into the group, from EC2 or the warm pool): the ledger records the
 *   announcement (`expectLaunch`; the first one is kept), audited once (`instance.launch_expected`).
 * - `terminate`: (1) `markTerminated` first: it closes the instance to joins for good and drops a
 *   join in flight, whose commit then fails and whose pipeline revokes the token it minted, so no
 *   token appears behind step 2's back; (2) revoke the instance's broker tokens; (3) delete its
 *   Node (name from the ledger, see `nodeVerdict`); (4) audit `instance.terminated` once.
 * - `return-to-warm-pool` (terminate AutoScalingGroup → WarmPool, an instance reuse policy): (2)
 *   and (3) only, no tombstone. The ledger keeps the join record, whose `issuedAt` is the
 *   pendingTime the instance joined with. When the instance comes back (WarmPool → group) it is
 *   started again, so its identity document carries a newer pendingTime, which the pool's
 *   `rejoin: after-relaunch` admits, while a replay of the old document stays refused. (A reset
 *   would forget that pendingTime and let the old document join again within its freshness
 *   window.) With `rejoin: never` the instance cannot rejoin after a warm-pool stay: README says
 *   to use `after-relaunch` for such groups. The event acts only on the incarnation it is about:
 *   a record whose pendingTime is newer than the event (the instance already came back and
 *   joined), tokens created after it, and a Node created after it are left alone.
 *
 * Idempotency: the same event twice changes nothing the second time, and a delivery that failed
 * halfway (503, retried by SNS or EventBridge) is finished by the next one. That rests on state,
 * not on remembering deliveries: the ledger transitions are idempotent (`alreadyTerminated`,
 * `alreadyExpected`), cleanup writes only what still exists (cleanup.ts), the event-time fence
 * keeps a late redelivery off a later incarnation, and audit events are written only for changes
 * (plus the one `instance.terminated` a retried terminate may still owe, checked in the index).
 * The event's ID (`lifecycleActionToken ?? messageId`: the same on every delivery of one
 * lifecycle action, whichever transport carried it) goes into the launch record, the audit
 * detail, the log and the answer, so deliveries can be traced.
 *
 * The broker never calls CompleteLifecycleAction (it holds no AWS credentials): the hook's
 * heartbeat timeout ends the wait, with default result CONTINUE.
 */
import type { LifecycleActionEvent, LifecycleEvent } from '../hooks/aws/index.js';
import { ledgerKeyString, type JoinRecord, type LedgerKey } from '../ledger/ledger.js';
import { LIFECYCLE_ACTOR, recordAudit, removeInstanceNode, revokeInstanceTokens, type CleanupContext, type CleanupDeps } from './cleanup.js';

export type LifecycleActDeps = CleanupDeps;

export const LIFECYCLE_OUTCOMES = ['launch_expected', 'terminated', 'returned_to_warm_pool', 'ignored', 'subscription_confirmed', 'unsubscribe_acknowledged'] as const;
export type LifecycleOutcome = (typeof LIFECYCLE_OUTCOMES)[number];

/** The 200 answer of `POST /v1/hooks/aws/lifecycle` (openapi.yaml `LifecycleHookResult`). */
export interface LifecycleHookResult {
  outcome: LifecycleOutcome;
  /** false when this delivery changed nothing: a redelivered event, or nothing to do. */
  changed: boolean;
  instanceId?: string;
  /** `lifecycleActionToken ?? messageId`; absent for a plain body without either. */
  eventId?: string;
  /** Why the event was ignored. */
  ignored?: 'test_notification' | 'warm_pool_launch';
  /** Broker tokens whose Secrets this delivery deleted. */
  revokedTokens?: string[];
  /** The Node this delivery deleted. */
  deletedNode?: string;
  /** SNS subscription messages: the topic. */
  topicArn?: string;
}

export interface LifecycleDelivery {
  readonly now: Date;
  /** The caller's address (`cf-connecting-ip`), for the audit. */
  readonly source?: string | undefined;
}

/** The ID every delivery of one lifecycle action shares (the action token), else the message's. */
export const lifecycleEventId = (event: LifecycleEvent): string | undefined =>
  event.kind === 'test' ? event.messageId : (event.lifecycleActionToken ?? event.messageId);

export async function actOnLifecycleEvent(deps: LifecycleActDeps, event: LifecycleEvent, delivery: LifecycleDelivery): Promise<LifecycleHookResult> {
  const eventId = lifecycleEventId(event);
  const answer = ({ outcome, changed, ...done }: Outcome & Pick<LifecycleHookResult, 'ignored'>): LifecycleHookResult => ({
    outcome,
    changed,
    ...(event.kind === 'test' ? {} : { instanceId: event.instanceId }),
    ...(eventId === undefined ? {} : { eventId }),
    ...done,
  });
  switch (event.effect) {
    case 'none':
      deps.log.info('lifecycle.ignored', { reason: 'test_notification', group: event.autoScalingGroupName, source: event.source, eventId });
      return answer({ outcome: 'ignored', changed: false, ignored: 'test_notification' });
    case 'enter-warm-pool':
      deps.log.info('lifecycle.ignored', { reason: 'warm_pool_launch', instanceId: event.instanceId, group: event.autoScalingGroupName, source: event.source, eventId });
      return answer({ outcome: 'ignored', changed: false, ignored: 'warm_pool_launch' });
    case 'enter-group':
      return answer(await expectLaunch(deps, event, delivery, eventId));
    case 'terminate':
      return answer(await terminate(deps, event, delivery, eventId));
    case 'return-to-warm-pool':
      return answer(await returnToWarmPool(deps, event, delivery, eventId));
  }
}

const keyOf = (event: LifecycleActionEvent): LedgerKey => ({ provider: 'aws', account: event.accountId, instanceId: event.instanceId });

function describeEvent(event: LifecycleActionEvent, eventId: string | undefined): string {
  const hook = event.lifecycleHookName === undefined ? '' : ` ${event.lifecycleHookName}`;
  return `${event.kind} hook${hook} of group ${event.autoScalingGroupName} via ${event.source}${eventId === undefined ? '' : ` (event ${eventId})`}`;
}

type Outcome = Pick<LifecycleHookResult, 'outcome' | 'changed' | 'revokedTokens' | 'deletedNode'>;

async function expectLaunch(deps: LifecycleActDeps, event: LifecycleActionEvent, delivery: LifecycleDelivery, eventId: string | undefined): Promise<Outcome> {
  const key = keyOf(event);
  const result = await deps.ledger.expectLaunch(key, delivery.now, {
    autoScalingGroupName: event.autoScalingGroupName,
    source: event.source,
    ...(eventId === undefined ? {} : { eventId }),
  });
  deps.log.info('lifecycle.launch_expected', { instanceId: key.instanceId, group: event.autoScalingGroupName, source: event.source, eventId, alreadyExpected: result.alreadyExpected });
  if (!result.alreadyExpected) {
    await recordAudit(deps, {
      at: delivery.now.toISOString(),
      event: 'instance.launch_expected',
      ...key,
      ...(event.region === undefined ? {} : { region: event.region }),
      reason: 'lifecycle_launch',
      detail: `announced by the ${describeEvent(event, eventId)}`,
      actor: LIFECYCLE_ACTOR,
      ...(delivery.source === undefined ? {} : { source: delivery.source }),
    });
  }
  return { outcome: 'launch_expected', changed: !result.alreadyExpected };
}

async function terminate(deps: LifecycleActDeps, event: LifecycleActionEvent, delivery: LifecycleDelivery, eventId: string | undefined): Promise<Outcome> {
  const key = keyOf(event);
  const closed = await deps.ledger.markTerminated(key, delivery.now);
  const context = cleanupContext(event, key, closed.record, delivery, eventId, 'lifecycle_terminate', false);
  const revokedTokens = await revokeInstanceTokens(deps, context);
  const node = closed.record === undefined ? { deleted: false } : await removeInstanceNode(deps, closed.record.nodeName, context);
  const changed = !closed.alreadyTerminated || revokedTokens.length > 0 || node.deleted;
  deps.log.info('lifecycle.terminated', {
    instanceId: key.instanceId,
    group: event.autoScalingGroupName,
    source: event.source,
    eventId,
    alreadyTerminated: closed.alreadyTerminated,
    revokedTokens,
    nodeName: closed.record?.nodeName,
    nodeDeleted: node.deleted,
    nodeKept: node.kept,
  });

  // Once per termination: a first delivery writes it; a redelivery only if the first stopped
  // before its audit step (it failed, and SNS or EventBridge retried), as the index shows.
  if (!closed.alreadyTerminated || !(await terminationAudited(deps, key, closed.terminatedAt))) {
    const record = closed.record;
    const done = [
      revokedTokens.length === 0 ? undefined : `revoked ${revokedTokens.join(', ')}`,
      record === undefined ? 'no join recorded' : node.deleted ? `deleted Node ${record.nodeName}` : node.kept !== undefined ? `kept Node ${record.nodeName} (${node.kept})` : `no Node ${record.nodeName}`,
    ].filter((part) => part !== undefined);
    await recordAudit(
      deps,
      {
        at: delivery.now.toISOString(),
        event: 'instance.terminated',
        ...key,
        ...(event.region === undefined ? {} : { region: event.region }),
        ...(record === undefined ? {} : { nodeName: record.nodeName, pool: record.pool, tokenId: record.tokenId }),
        reason: 'lifecycle_terminate',
        detail: `${describeEvent(event, eventId)}: joins closed; ${done.join('; ')}`,
        actor: LIFECYCLE_ACTOR,
        ...(delivery.source === undefined ? {} : { source: delivery.source }),
      },
      { kind: 'terminated', key: ledgerKeyString(key), at: closed.terminatedAt },
    );
  }
  return { outcome: 'terminated', changed, revokedTokens, ...(node.deleted && closed.record !== undefined ? { deletedNode: closed.record.nodeName } : {}) };
}

/** Whether the index holds an `instance.terminated` event for the instance since `terminatedAt`. */
async function terminationAudited(deps: LifecycleActDeps, key: LedgerKey, terminatedAt: string): Promise<boolean> {
  try {
    const page = await deps.audit.events({ provider: key.provider, account: key.account, instanceId: key.instanceId, since: terminatedAt, limit: 100 });
    return page.items.some((item) => item.event === 'instance.terminated');
  } catch (error) {
    deps.log.error('lifecycle.audit_read_failed', { instanceId: key.instanceId, error: error instanceof Error ? error.name : 'unknown' });
    return false;
  }
}

async function returnToWarmPool(deps: LifecycleActDeps, event: LifecycleActionEvent, delivery: LifecycleDelivery, eventId: string | undefined): Promise<Outcome> {
  const key = keyOf(event);
  const stored = await deps.ledger.get(key);
  // A join whose document is newer than the event is the instance's next stay in the group.
  const record = stored !== undefined && Date.parse(stored.issuedAt) <= event.time.getTime() ? stored : undefined;
  if (stored !== undefined && record === undefined) {
    deps.log.info('lifecycle.join_kept', { instanceId: key.instanceId, reason: 'joined_after_event', issuedAt: stored.issuedAt, eventTime: event.time.toISOString() });
  }
  const context = cleanupContext(event, key, record, delivery, eventId, 'lifecycle_return_to_warm_pool', true);
  const revokedTokens = await revokeInstanceTokens(deps, context);
  const node = record === undefined ? { deleted: false } : await removeInstanceNode(deps, record.nodeName, context);
  deps.log.info('lifecycle.returned_to_warm_pool', {
    instanceId: key.instanceId,
    group: event.autoScalingGroupName,
    source: event.source,
    eventId,
    revokedTokens,
    nodeName: record?.nodeName,
    nodeDeleted: node.deleted,
    nodeKept: node.kept,
  });
  return {
    outcome: 'returned_to_warm_pool',
    changed: revokedTokens.length > 0 || node.deleted,
    revokedTokens,
    ...(node.deleted && record !== undefined ? { deletedNode: record.nodeName } : {}),
  };
}

function cleanupContext(
  event: LifecycleActionEvent,
  key: LedgerKey,
  record: JoinRecord | undefined,
  delivery: LifecycleDelivery,
  eventId: string | undefined,
  reason: string,
  keepTokensCreatedAfterEvent: boolean,
): CleanupContext {
  return { key, record, eventTime: event.time, keepTokensCreatedAfterEvent, now: delivery.now, reason, describeEvent: describeEvent(event, eventId), source: delivery.source };
}
