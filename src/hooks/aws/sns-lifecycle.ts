/**
 * The lifecycle event inside a verified SNS Notification. No I/O, no clock.
 *
 * Takes only a `VerifiedSnsMessage`, so the inner JSON is never read before the signature,
 * topic and freshness have been checked. The inner `Message` is an Auto Scaling notification
 * (notification.ts) parsed under the same limits as a request body. The event's region is the
 * signed TopicArn's: lifecycle hook topics must be in the group's region (EC2 Auto Scaling User
 * Guide, "Configure a notification target for lifecycle notifications").
 */
import { parseArn } from './fields.js';
import { DEFAULT_JSON_LIMITS, parseJsonObject, type JsonLimits } from './json.js';
import type { LifecycleEvent } from './event.js';
import { lifecycleEventFromNotification } from './notification.js';
import type { VerifiedSnsMessage } from './sns-verify.js';
import { hookFailure, type HookResult } from './result.js';

export function lifecycleEventFromSns(message: VerifiedSnsMessage, limits: JsonLimits = DEFAULT_JSON_LIMITS): HookResult<LifecycleEvent> {
  if (message.type !== 'Notification') return hookFailure('unsupported_event', `an SNS ${message.type} carries no lifecycle event`);
  const inner = parseJsonObject(message.message, limits);
  // Authentic, but not something Auto Scaling published (a person testing the topic, another service).
  if (!inner.ok) return hookFailure('unsupported_event', `SNS Message is not an Auto Scaling notification: ${inner.error.detail}`);
  return lifecycleEventFromNotification(inner.value, {
    source: 'sns',
    messageId: message.messageId,
    topicArn: message.topicArn,
    region: parseArn(message.topicArn, 'sns')?.region ?? message.topicRegion,
  });
}
