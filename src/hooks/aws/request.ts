/**
 * What kind of lifecycle-hook request a body is. No I/O, no clock.
 *
 * `parseLifecycleRequest` reads an untrusted body (and the headers SNS sets) and says how it must
 * be authenticated before anything acts on it:
 * - `sns`: an SNS HTTP message (Notification, SubscriptionConfirmation, UnsubscribeConfirmation).
 *   Not yet trusted: pass `message` to `authenticateSnsMessage`; only the verified message yields
 *   a lifecycle event (`lifecycleEventFromSns`) or a subscription URL.
 * - `eventbridge`: an EventBridge lifecycle-action event; `plain`: an Auto Scaling notification
 *   body (what SNS carries in `Message`, what an SQS queue holds). Both unsigned: the route must
 *   check the shared-secret header (`sharedSecretMatches`) before acting on `event`.
 *
 * A request marked as SNS raw message delivery is refused. Classification is by the body, with
 * SNS first: any body with a `Type` key, or any request with an `x-amz-sns-message-type` header,
 * is SNS and can only be accepted through its signature — an SNS-shaped body is never treated as
 * an unsigned plain one. SNS's unsigned headers must agree with the body when present. Then `detail-type` means EventBridge, and `LifecycleTransition` or
 * `Event` a plain notification. Anything else is `unsupported_event`; a body that is not a JSON
 * object within the limits is `malformed_event`.
 */
import { DEFAULT_JSON_LIMITS, ownField, parseJsonObject, type JsonInput, type JsonLimits } from './json.js';
import type { LifecycleEvent } from './event.js';
import { lifecycleEventFromEventBridge } from './eventbridge.js';
import { lifecycleEventFromNotification } from './notification.js';
import { parseSnsMessage, SNS_MESSAGE_TYPES, type SnsMessage } from './sns-message.js';
import { hookFailure, hookOk, type HookResult } from './result.js';

/** Anything with a case-insensitive `get`, such as `Headers`. */
export interface HeaderReader {
  get(name: string): string | null;
}

export interface LifecycleHookRequest {
  readonly body: JsonInput;
  readonly headers: HeaderReader;
}

export type ClassifiedLifecycleRequest =
  | { readonly source: 'sns'; readonly message: SnsMessage }
  | { readonly source: 'eventbridge'; readonly event: LifecycleEvent }
  | { readonly source: 'plain'; readonly event: LifecycleEvent };

/** The SNS headers that restate body fields (SNS Developer Guide, "Parsing message formats" → HTTP/HTTPS headers). */
const SNS_HEADERS = [
  ['x-amz-sns-message-type', 'type'],
  ['x-amz-sns-message-id', 'messageId'],
  ['x-amz-sns-topic-arn', 'topicArn'],
] as const;

export function parseLifecycleRequest(request: LifecycleHookRequest, limits: JsonLimits = DEFAULT_JSON_LIMITS): HookResult<ClassifiedLifecycleRequest> {
  // With raw message delivery SNS posts the bare Message, unsigned, and SNS cannot add the
  // shared-secret header either: such a body can never be authenticated, so say why up front
  // (SNS Developer Guide, "Amazon SNS raw message delivery").
  if (request.headers.get('x-amz-sns-rawdelivery') === 'true') {
    return hookFailure('unsupported_event', 'SNS raw message delivery is unsigned; disable RawMessageDelivery on the subscription');
  }
  const snsType = request.headers.get('x-amz-sns-message-type');
  if (snsType !== null && !SNS_MESSAGE_TYPES.has(snsType)) {
    return hookFailure('unsupported_event', `x-amz-sns-message-type ${JSON.stringify(snsType.slice(0, 40))} is not handled`);
  }
  const body = parseJsonObject(request.body, limits);
  if (!body.ok) return body;
  const object = body.value;

  if (snsType !== null || ownField(object, 'Type') !== undefined) {
    const message = parseSnsMessage(object);
    if (!message.ok) return message;
    for (const [header, field] of SNS_HEADERS) {
      const value = request.headers.get(header);
      if (value !== null && value !== message.value[field]) return hookFailure('malformed_event', `${header} disagrees with the body`);
    }
    return hookOk({ source: 'sns', message: message.value });
  }
  if (ownField(object, 'detail-type') !== undefined) {
    const event = lifecycleEventFromEventBridge(object);
    return event.ok ? hookOk({ source: 'eventbridge', event: event.value }) : event;
  }
  if (ownField(object, 'LifecycleTransition') !== undefined || ownField(object, 'Event') !== undefined) {
    const event = lifecycleEventFromNotification(object, { source: 'plain' });
    return event.ok ? hookOk({ source: 'plain', event: event.value }) : event;
  }
  return hookFailure('unsupported_event', 'body is neither an SNS message, an EventBridge event nor an Auto Scaling notification');
}
