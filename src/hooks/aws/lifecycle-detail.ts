/**
 * The lifecycle-action fields that EventBridge's `detail` and the SNS/SQS notification share
 * (AutoScalingGroupName, EC2InstanceId, LifecycleTransition, LifecycleHookName,
 * LifecycleActionToken, NotificationMetadata, Origin, Destination). No I/O, no clock.
 * Keys AWS added over the years (NotificationMetadata, Origin, Destination) are optional, and
 * unknown keys are ignored: the 2014 notifications have none of the newer ones.
 */
import {
  autoScalingGroupNameCheck,
  anyString,
  instanceIdCheck,
  lifecycleActionTokenCheck,
  lifecycleHookNameCheck,
  notificationMetadataCheck,
  optionalString,
  requiredString,
} from './fields.js';
import { LIFECYCLE_TRANSITIONS, placementOf, type Placement } from './event.js';
import type { JsonObject } from './json.js';
import { hookFailure, hookOk, type HookResult } from './result.js';

export interface LifecycleActionDetail extends Placement {
  readonly kind: 'launch' | 'terminate';
  readonly autoScalingGroupName: string;
  readonly instanceId: string;
  readonly lifecycleHookName?: string;
  readonly lifecycleActionToken?: string;
  readonly notificationMetadata?: string;
}

export function readLifecycleActionDetail(detail: JsonObject): HookResult<LifecycleActionDetail> {
  const transition = requiredString(detail, 'LifecycleTransition', anyString);
  if (!transition.ok) return transition;
  const kind = Object.hasOwn(LIFECYCLE_TRANSITIONS, transition.value) ? LIFECYCLE_TRANSITIONS[transition.value] : undefined;
  if (kind === undefined) return hookFailure('unsupported_event', `LifecycleTransition ${JSON.stringify(transition.value.slice(0, 60))} is not a launch or terminate hook`);

  const group = requiredString(detail, 'AutoScalingGroupName', autoScalingGroupNameCheck);
  if (!group.ok) return group;
  const instance = requiredString(detail, 'EC2InstanceId', instanceIdCheck);
  if (!instance.ok) return instance;
  const hook = optionalString(detail, 'LifecycleHookName', lifecycleHookNameCheck);
  if (!hook.ok) return hook;
  const token = optionalString(detail, 'LifecycleActionToken', lifecycleActionTokenCheck);
  if (!token.ok) return token;
  const metadata = optionalString(detail, 'NotificationMetadata', notificationMetadataCheck);
  if (!metadata.ok) return metadata;
  const origin = optionalString(detail, 'Origin', anyString);
  if (!origin.ok) return origin;
  const destination = optionalString(detail, 'Destination', anyString);
  if (!destination.ok) return destination;
  const placement = placementOf(kind, origin.value, destination.value);
  if (!placement.ok) return placement;

  return hookOk({
    kind,
    autoScalingGroupName: group.value,
    instanceId: instance.value,
    ...(hook.value === undefined ? {} : { lifecycleHookName: hook.value }),
    ...(token.value === undefined ? {} : { lifecycleActionToken: token.value }),
    ...(metadata.value === undefined ? {} : { notificationMetadata: metadata.value }),
    ...placement.value,
  });
}
