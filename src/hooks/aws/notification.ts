/**
 * The Auto Scaling lifecycle notification: the JSON Auto Scaling publishes to an SNS topic (the
 * SNS `Message`) or an SQS queue (the message body). No I/O, no clock.
 *
 * Format: Amazon EC2 Auto Scaling User Guide, "Prepare to add a lifecycle hook" → "Notification
 * message example" (Service, Time, RequestId, LifecycleActionToken, AccountId,
 * AutoScalingGroupName, LifecycleHookName, EC2InstanceId, LifecycleTransition,
 * NotificationMetadata) and its test notification (Event `autoscaling:TEST_NOTIFICATION`,
 * AutoScalingGroupARN). Origin/Destination appear for groups with a warm pool.
 *
 * Nothing here authenticates the notification: from SNS it must come out of `verifySnsMessage`
 * (see `lifecycleEventFromSns`); a plain body must be authenticated by the route (shared secret).
 */
import {
  accountIdCheck,
  anyString,
  autoScalingGroupNameCheck,
  optionalString,
  parseArn,
  parseTimestamp,
  requiredString,
  timestampCheck,
} from './fields.js';
import { TEST_NOTIFICATION_EVENT, type LifecycleEvent } from './event.js';
import { ownField, type JsonObject } from './json.js';
import { readLifecycleActionDetail } from './lifecycle-detail.js';
import { hookFailure, hookOk, type HookResult } from './result.js';

export interface NotificationContext {
  readonly source: 'sns' | 'plain';
  readonly messageId?: string;
  readonly topicArn?: string;
  /** The region the delivery proves (the SNS topic's); preferred to one read from the message. */
  readonly region?: string;
}

const AUTO_SCALING_SERVICE = 'AWS Auto Scaling';

export function lifecycleEventFromNotification(message: JsonObject, context: NotificationContext): HookResult<LifecycleEvent> {
  const service = optionalString(message, 'Service', anyString);
  if (!service.ok) return service;
  if (service.value !== undefined && service.value !== AUTO_SCALING_SERVICE) {
    return hookFailure('unsupported_event', `Service ${JSON.stringify(service.value.slice(0, 60))} is not ${AUTO_SCALING_SERVICE}`);
  }
  const hasEvent = ownField(message, 'Event') !== undefined;
  const hasTransition = ownField(message, 'LifecycleTransition') !== undefined;
  if (hasEvent && hasTransition) return hookFailure('malformed_event', 'notification has both Event and LifecycleTransition');
  if (!hasEvent && !hasTransition) return hookFailure('unsupported_event', 'notification has neither LifecycleTransition nor Event');

  const account = requiredString(message, 'AccountId', accountIdCheck);
  if (!account.ok) return account;
  const timeText = requiredString(message, 'Time', timestampCheck);
  if (!timeText.ok) return timeText;
  const time = parseTimestamp(timeText.value)!;
  const base = {
    accountId: account.value,
    time,
    source: context.source,
    ...(context.messageId === undefined ? {} : { messageId: context.messageId }),
    ...(context.topicArn === undefined ? {} : { topicArn: context.topicArn }),
  };

  if (hasEvent) {
    const event = requiredString(message, 'Event', anyString);
    if (!event.ok) return event;
    if (event.value !== TEST_NOTIFICATION_EVENT) {
      return hookFailure('unsupported_event', `Event ${JSON.stringify(event.value.slice(0, 60))} is not a lifecycle hook notification`);
    }
    const group = requiredString(message, 'AutoScalingGroupName', autoScalingGroupNameCheck);
    if (!group.ok) return group;
    const groupArn = optionalString(message, 'AutoScalingGroupARN', anyString);
    if (!groupArn.ok) return groupArn;
    let arnRegion: string | undefined;
    if (groupArn.value !== undefined) {
      const arn = parseArn(groupArn.value, 'autoscaling');
      if (arn === undefined || arn.account !== account.value || !arn.resource.endsWith(`:autoScalingGroupName/${group.value}`)) {
        return hookFailure('malformed_event', 'AutoScalingGroupARN is not the ARN of this account and group');
      }
      arnRegion = arn.region;
    }
    const region = context.region ?? arnRegion;
    return hookOk({ kind: 'test', effect: 'none', autoScalingGroupName: group.value, ...(region === undefined ? {} : { region }), ...base });
  }

  const detail = readLifecycleActionDetail(message);
  if (!detail.ok) return detail;
  return hookOk({ ...detail.value, ...(context.region === undefined ? {} : { region: context.region }), ...base });
}
