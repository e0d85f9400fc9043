/**
 * EventBridge lifecycle-action events, as an EventBridge API destination posts them (the body is
 * the event JSON). No I/O, no clock.
 *
 * Format: Amazon EC2 Auto Scaling User Guide, "Amazon EC2 Auto Scaling event reference"
 * (`EC2 Instance-launch Lifecycle Action`, `EC2 Instance-terminate Lifecycle Action`) and
 * "Warm pool event types and patterns" (Origin/Destination in `detail`).
 *
 * EventBridge does not sign events. The only thing that authenticates one is the API
 * destination's shared-secret header, which the route must check with `sharedSecretMatches`
 * before acting on the result of this module. `source: aws.autoscaling` and the detail-type are
 * filters, not proof: whoever holds the secret can post any source, so the secret must be scoped
 * to a connection whose rule matches only Auto Scaling lifecycle actions.
 */
import { accountIdCheck, anyString, messageIdCheck, optionalString, parseTimestamp, regionCheck, requiredString, timestampCheck } from './fields.js';
import type { LifecycleEvent } from './event.js';
import { describeJsonType, isJsonObject, ownField, type JsonObject } from './json.js';
import { readLifecycleActionDetail } from './lifecycle-detail.js';
import { hookFailure, hookOk, type HookResult } from './result.js';

export const AUTO_SCALING_EVENT_SOURCE = 'aws.autoscaling';

/** The two lifecycle-action detail-types, and the kind each carries. */
export const LIFECYCLE_DETAIL_TYPES: Readonly<Record<string, 'launch' | 'terminate'>> = {
  'EC2 Instance-launch Lifecycle Action': 'launch',
  'EC2 Instance-terminate Lifecycle Action': 'terminate',
};

export function lifecycleEventFromEventBridge(event: JsonObject): HookResult<LifecycleEvent> {
  const version = optionalString(event, 'version', anyString);
  if (!version.ok) return version;
  if (version.value !== undefined && version.value !== '0') return hookFailure('unsupported_event', `event version ${JSON.stringify(version.value.slice(0, 20))} is not 0`);
  const source = requiredString(event, 'source', anyString);
  if (!source.ok) return source;
  if (source.value !== AUTO_SCALING_EVENT_SOURCE) return hookFailure('unsupported_event', `event source ${JSON.stringify(source.value.slice(0, 60))} is not ${AUTO_SCALING_EVENT_SOURCE}`);
  const detailType = requiredString(event, 'detail-type', anyString);
  if (!detailType.ok) return detailType;
  const kind = Object.hasOwn(LIFECYCLE_DETAIL_TYPES, detailType.value) ? LIFECYCLE_DETAIL_TYPES[detailType.value] : undefined;
  if (kind === undefined) return hookFailure('unsupported_event', `detail-type ${JSON.stringify(detailType.value.slice(0, 60))} is not a lifecycle action`);

  const id = requiredString(event, 'id', messageIdCheck);
  if (!id.ok) return id;
  const account = requiredString(event, 'account', accountIdCheck);
  if (!account.ok) return account;
  const region = requiredString(event, 'region', regionCheck);
  if (!region.ok) return region;
  const timeText = requiredString(event, 'time', timestampCheck);
  if (!timeText.ok) return timeText;
  const detail = ownField(event, 'detail');
  if (!isJsonObject(detail)) return hookFailure('malformed_event', `detail is ${describeJsonType(detail)}, expected an object`);

  const action = readLifecycleActionDetail(detail);
  if (!action.ok) return action;
  // The detail-type and the transition inside must agree; a launch event carrying a terminate
  // transition is not something Auto Scaling emits.
  if (action.value.kind !== kind) return hookFailure('malformed_event', `detail-type says ${kind} but LifecycleTransition says ${action.value.kind}`);

  return hookOk({
    ...action.value,
    accountId: account.value,
    region: region.value,
    time: parseTimestamp(timeText.value)!,
    source: 'eventbridge',
    messageId: id.value,
  });
}
