/**
 * The normalised Auto Scaling lifecycle event, whichever way it arrived (SNS, EventBridge, or a
 * plain notification body), and what it means for the broker. No I/O, no clock.
 *
 * Warm pools. With a warm pool, "launch" and "terminate" no longer mean "enters service" and
 * "ceases to exist"; the event's `Origin` and `Destination` (EC2 | AutoScalingGroup | WarmPool)
 * say where the instance comes from and goes to (Amazon EC2 Auto Scaling User Guide,
 * "Warm pool event types and patterns", and "Use lifecycle hooks with a warm pool"):
 * - launch EC2 → WarmPool: a new instance is pre-initialised and then stopped or hibernated as
 *   soon as its hook completes. It is not entering service, so it is `enter-warm-pool` and must
 *   not count as the group announcing a node that may join now (`requireLaunchHook`).
 * - launch WarmPool → AutoScalingGroup, EC2 → AutoScalingGroup, or no Origin/Destination (groups
 *   without a warm pool, and every notification before warm pools existed): `enter-group`, the
 *   instance is going into service and may join. One coming out of the warm pool restarts, so its
 *   identity document's pendingTime is new (the ledger's `after-relaunch` rule can admit it).
 * - terminate AutoScalingGroup → WarmPool (an instance reuse policy): the instance leaves service
 *   and is stopped, not terminated. `return-to-warm-pool`: revoke its tokens and delete its Node,
 *   but do not tombstone the identity; it may come back through a later WarmPool → group launch.
 * - any other terminate: `terminate`, the instance is going away; revoke, delete, close.
 * - autoscaling:TEST_NOTIFICATION: `none`, acknowledged and otherwise ignored.
 * A launch whose destination is EC2, or any Origin/Destination value outside those three, is
 * `unsupported_event`: a launch can authorise joins, so the broker does not guess at one it does
 * not understand.
 */
import { hookFailure, hookOk, type HookResult } from './result.js';

export type LifecycleKind = 'launch' | 'terminate' | 'test';
export type LifecycleLocation = 'EC2' | 'AutoScalingGroup' | 'WarmPool';
export type LifecycleSource = 'sns' | 'eventbridge' | 'plain';
export type LifecycleEffect = 'enter-group' | 'enter-warm-pool' | 'return-to-warm-pool' | 'terminate' | 'none';

interface LifecycleEventBase {
  readonly accountId: string;
  /** EventBridge `region`; for SNS the signed TopicArn's region (topic and group share a region); else the group ARN's, if any. */
  readonly region?: string;
  readonly autoScalingGroupName: string;
  /** When Auto Scaling emitted the event (notification `Time`, EventBridge `time`). */
  readonly time: Date;
  readonly source: LifecycleSource;
  /** SNS MessageId or EventBridge id: the same on a redelivery, for idempotency. Absent for plain bodies. */
  readonly messageId?: string;
  /** The verified SNS topic the notification came through (SNS only). */
  readonly topicArn?: string;
}

export interface LifecycleActionEvent extends LifecycleEventBase {
  readonly kind: 'launch' | 'terminate';
  readonly instanceId: string;
  readonly lifecycleHookName?: string;
  /** Unique per lifecycle action (CompleteLifecycleAction's token); a good idempotency key. */
  readonly lifecycleActionToken?: string;
  readonly notificationMetadata?: string;
  readonly origin?: LifecycleLocation;
  readonly destination?: LifecycleLocation;
  /** What the transition means for the broker; see the module header. */
  readonly effect: Exclude<LifecycleEffect, 'none'>;
}

export interface LifecycleTestEvent extends LifecycleEventBase {
  readonly kind: 'test';
  readonly effect: 'none';
}

export type LifecycleEvent = LifecycleActionEvent | LifecycleTestEvent;

/** `LifecycleTransition` values of lifecycle hooks. */
export const LIFECYCLE_TRANSITIONS: Readonly<Record<string, 'launch' | 'terminate'>> = {
  'autoscaling:EC2_INSTANCE_LAUNCHING': 'launch',
  'autoscaling:EC2_INSTANCE_TERMINATING': 'terminate',
};

export const TEST_NOTIFICATION_EVENT = 'autoscaling:TEST_NOTIFICATION';

const LOCATIONS: ReadonlySet<string> = new Set<LifecycleLocation>(['EC2', 'AutoScalingGroup', 'WarmPool']);

/** Destination → effect, per kind; `-` is "no Destination". A pair missing here is unsupported. */
const EFFECTS: Readonly<Record<'launch' | 'terminate', Readonly<Record<string, Exclude<LifecycleEffect, 'none'>>>>> = {
  launch: { '-': 'enter-group', AutoScalingGroup: 'enter-group', WarmPool: 'enter-warm-pool' },
  terminate: { '-': 'terminate', EC2: 'terminate', AutoScalingGroup: 'terminate', WarmPool: 'return-to-warm-pool' },
};

/** Launch origins that exist: a new instance (EC2) or one leaving the warm pool. */
const LAUNCH_ORIGINS: ReadonlySet<string> = new Set(['EC2', 'WarmPool']);

export interface Placement {
  readonly origin?: LifecycleLocation;
  readonly destination?: LifecycleLocation;
  readonly effect: Exclude<LifecycleEffect, 'none'>;
}

/** Decides the effect of a `kind` transition from `origin` to `destination` (either may be absent). */
export function placementOf(kind: 'launch' | 'terminate', origin: string | undefined, destination: string | undefined): HookResult<Placement> {
  for (const [name, value] of [['Origin', origin], ['Destination', destination]] as const) {
    if (value !== undefined && !LOCATIONS.has(value)) return hookFailure('unsupported_event', `${name} ${JSON.stringify(value.slice(0, 40))} is not EC2, AutoScalingGroup or WarmPool`);
  }
  if (kind === 'launch' && origin !== undefined && !LAUNCH_ORIGINS.has(origin)) {
    return hookFailure('unsupported_event', `a launch from ${origin} is not a transition Auto Scaling documents`);
  }
  const effect = EFFECTS[kind][destination ?? '-'];
  if (effect === undefined) return hookFailure('unsupported_event', `a ${kind} into ${destination} is not a transition Auto Scaling documents`);
  return hookOk({
    ...(origin === undefined ? {} : { origin: origin as LifecycleLocation }),
    ...(destination === undefined ? {} : { destination: destination as LifecycleLocation }),
    effect,
  });
}
