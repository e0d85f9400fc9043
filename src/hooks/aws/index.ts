/**
 * AWS Auto Scaling lifecycle hooks: the trust boundary for `POST /v1/hooks/aws/lifecycle`.
 *
 * The route's pipeline:
 * 1. `parseLifecycleRequest({ body, headers })` → `sns` | `eventbridge` | `plain`, or a failure.
 * 2. `eventbridge` / `plain`: `await sharedSecretMatches(headers.get(<secret header>), secret)`,
 *    else 401; then act on `event`.
 * 3. `sns`: `await authenticateSnsMessage(message, certificateSource, clock.now(), { trustedTopicArns })`
 *    (the source from `createSnsCertificateSource({ fetch, clock })`, one per isolate); then by
 *    `type`: SubscriptionConfirmation → GET `subscriptionConfirmationUrl(verified)`;
 *    UnsubscribeConfirmation → acknowledge only; Notification → `lifecycleEventFromSns(verified)`.
 * 4. Act on the event by `event.effect` (see event.ts for the warm-pool rules); `test` → 200, no action.
 * Every failure is `{ reason, detail }`; `lifecycleHookFailureStatus(reason)` gives 400 or 503.
 */
export { DEFAULT_JSON_LIMITS, parseJsonObject, type JsonLimits, type JsonObject, type JsonInput } from './json.js';
export {
  LIFECYCLE_TRANSITIONS,
  TEST_NOTIFICATION_EVENT,
  placementOf,
  type LifecycleActionEvent,
  type LifecycleEffect,
  type LifecycleEvent,
  type LifecycleKind,
  type LifecycleLocation,
  type LifecycleSource,
  type LifecycleTestEvent,
  type Placement,
} from './event.js';
export { INSTANCE_ID, ACCOUNT_ID, REGION, parseTimestamp } from './fields.js';
export { AUTO_SCALING_EVENT_SOURCE, LIFECYCLE_DETAIL_TYPES, lifecycleEventFromEventBridge } from './eventbridge.js';
export { lifecycleEventFromNotification, type NotificationContext } from './notification.js';
export { parseLifecycleRequest, type ClassifiedLifecycleRequest, type HeaderReader, type LifecycleHookRequest } from './request.js';
export {
  hookFailure,
  hookOk,
  lifecycleHookFailureStatus,
  LifecycleHookConfigError,
  type HookResult,
  type LifecycleHookFailure,
  type LifecycleHookFailureReason,
} from './result.js';
export { sharedSecretMatches } from './shared-secret.js';
export { authenticateSnsMessage } from './sns-authenticate.js';
export { createSnsCertificateSource, type SnsCertificateFetch, type SnsCertificateSource, type SnsCertificateSourceOptions } from './sns-certificate-source.js';
export { MIN_RSA_MODULUS_BITS, parseSnsSigningCertificate, type SnsDigest, type SnsSigningCertificate } from './sns-certificate.js';
export { lifecycleEventFromSns } from './sns-lifecycle.js';
export { parseSnsMessage, SNS_MESSAGE_TYPES, type SnsMessage, type SnsMessageType, type SnsNotification, type SnsSubscriptionMessage } from './sns-message.js';
export { checkSigningCertUrl, checkSubscribeUrl, type SnsEndpoint } from './sns-urls.js';
export {
  DEFAULT_MAX_FUTURE_SKEW_MS,
  DEFAULT_MAX_MESSAGE_AGE_MS,
  SNS_SIGNATURE_DIGESTS,
  checkSnsMessagePrerequisites,
  snsStringToSign,
  verifySnsMessage,
  type SnsVerifyOptions,
  type VerifiedSnsMessage,
} from './sns-verify.js';
export { subscriptionConfirmationUrl } from './subscription.js';
