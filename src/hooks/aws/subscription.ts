/**
 * Confirming an SNS HTTPS subscription. No I/O: this says which URL to GET; the route does it.
 *
 * Only a verified SubscriptionConfirmation from a trusted topic gets here, so a stranger cannot
 * subscribe the broker to their topic. Its SubscribeURL is signed, and is still held to the
 * same host policy as the certificate URL plus this message's TopicArn and Token (sns-urls.ts):
 * the route will fetch it. An UnsubscribeConfirmation also carries a SubscribeURL (to undo the
 * unsubscription); the broker never visits it — re-subscribing is the operator's call.
 */
import { checkSubscribeUrl } from './sns-urls.js';
import type { VerifiedSnsMessage } from './sns-verify.js';
import { hookFailure, hookOk, type HookResult } from './result.js';

/** The URL the route must GET (with `redirect: 'manual'`) to confirm the subscription. */
export function subscriptionConfirmationUrl(message: VerifiedSnsMessage): HookResult<string> {
  if (message.type !== 'SubscriptionConfirmation') return hookFailure('unsupported_event', `an SNS ${message.type} is not a subscription confirmation`);
  const url = checkSubscribeUrl(message.subscribeUrl, { topicArn: message.topicArn, token: message.token });
  return url.ok ? hookOk(url.value.url.href) : url;
}
