import { Hono } from '../hono.js';
import { KubeApiError } from '../../cluster/kube-api.js';
import type { Deps } from '../../deps.js';
import {
  authenticateSnsMessage,
  createSnsCertificateSource,
  lifecycleEventFromSns,
  lifecycleHookFailureStatus,
  parseLifecycleRequest,
  sharedSecretMatches,
  subscriptionConfirmationUrl,
  type LifecycleEvent,
  type LifecycleHookFailure,
  type LifecycleHookFailureReason,
} from '../../hooks/aws/index.js';
import { actOnLifecycleEvent, type LifecycleHookResult } from '../../lifecycle/act.js';
import { confirmSnsSubscription } from '../../lifecycle/confirm-subscription.js';
import { PROBLEM_CODES, ProblemError, problemResponse, type ProblemCode } from '../problem.js';

export type LifecycleHookRouteDeps = Pick<Deps, 'config' | 'clock' | 'fetch' | 'kube' | 'ledger' | 'audit' | 'log'>;

export const LIFECYCLE_HOOK_PATH = '/v1/hooks/aws/lifecycle';
/** The header an EventBridge API destination's connection (API key authorization) sends. */
export const HOOK_SECRET_HEADER = 'X-Kube-Join-Broker-Hook-Secret';

const NO_STORE = { 'cache-control': 'no-store' };
/** Seconds SNS or EventBridge should wait before redelivering after a 503 of ours. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Each trust-boundary failure → the wire: a stable code whose status is the one
 * `lifecycleHookFailureStatus` gives (a test holds them together), and a fixed safe detail.
 * The failure's own detail goes to the log only.
 */
export const HOOK_FAILURE_PROBLEMS: Readonly<Record<LifecycleHookFailureReason, { code: ProblemCode; detail: string }>> = {
  malformed_event: { code: 'invalid_request', detail: 'The body is not a lifecycle hook delivery: expected an SNS message, an EventBridge lifecycle action event or an Auto Scaling lifecycle notification (JSON, at most 64 KiB).' },
  unsupported_event: { code: 'invalid_request', detail: 'The body is not an Auto Scaling lifecycle action, test notification or SNS subscription message the broker handles.' },
  untrusted_topic: { code: 'untrusted_topic', detail: "The SNS topic is not in the join policy's aws.lifecycle.trustedTopicArns." },
  untrusted_certificate_url: { code: 'invalid_sns_message', detail: 'SigningCertURL is not an https://sns.<region>.amazonaws.com/<name>.pem URL.' },
  untrusted_subscribe_url: { code: 'invalid_sns_message', detail: "SubscribeURL is not the SNS ConfirmSubscription URL of this message's topic and token." },
  unsupported_signature_version: { code: 'invalid_sns_message', detail: 'SignatureVersion must be 1 or 2.' },
  invalid_signature: { code: 'invalid_sns_message', detail: 'The SNS message signature does not verify.' },
  invalid_certificate: { code: 'invalid_sns_message', detail: 'The SNS signing certificate could not be obtained or used.' },
  expired_certificate: { code: 'invalid_sns_message', detail: 'The SNS signing certificate is not valid at this time.' },
  stale_message: { code: 'invalid_sns_message', detail: 'The SNS message Timestamp is older than an hour, or in the future.' },
  upstream_unavailable: { code: 'upstream_unavailable', detail: 'Amazon SNS could not be reached to fetch the signing certificate.' },
};

/** Said outright when the list is empty: the usual first-deployment mistake, and no secret. */
const NO_TRUSTED_TOPIC_DETAIL = 'This broker trusts no SNS topic: list the topic in the join policy under aws.lifecycle.trustedTopicArns.';

function hookProblem(failure: LifecycleHookFailure, log: Deps['log'], trustsNoTopic = false): ProblemError {
  const { code, detail: fixed } = HOOK_FAILURE_PROBLEMS[failure.reason];
  const detail = failure.reason === 'untrusted_topic' && trustsNoTopic ? NO_TRUSTED_TOPIC_DETAIL : fixed;
  const status = lifecycleHookFailureStatus(failure.reason);
  (status >= 500 ? log.warn : log.info)('lifecycle.refused', { code, reason: failure.reason, detail: failure.detail });
  return new ProblemError(code, detail, PROBLEM_CODES[code].status >= 500 ? RETRY_AFTER_SECONDS : undefined);
}

const UNAUTHORIZED_DETAIL = `EventBridge and plain deliveries must carry the ${HOOK_SECRET_HEADER} header with the broker's LIFECYCLE_HOOK_SECRET; SNS deliveries are authenticated by their signature.`;

function unauthorized(): Response {
  const response = problemResponse('unauthorized', { detail: UNAUTHORIZED_DETAIL });
  response.headers.set('www-authenticate', `HookSecret realm="kube-join-broker", header="${HOOK_SECRET_HEADER}"`);
  return response;
}

/**
 * `POST /v1/hooks/aws/lifecycle` (README "Autoscaling lifecycle hooks"), the pipeline of
 * src/hooks/aws/index.ts:
 * 1. classify the body (`parseLifecycleRequest`): SNS, EventBridge or a plain notification;
 * 2. authenticate: EventBridge and plain deliveries by the shared secret header (constant time;
 *    no secret configured: every such delivery is 401); SNS by its signature, with the topic in
 *    the policy's `aws.lifecycle.trustedTopicArns` (none configured: every SNS delivery is
 *    `untrusted_topic`) and the certificate fetched only from an SNS URL by the one certificate
 *    source of this isolate;
 * 3. SNS subscription messages: a SubscriptionConfirmation is confirmed by GETting its
 *    re-validated SubscribeURL (503 while SNS is unreachable, so SNS redelivers); an
 *    UnsubscribeConfirmation is acknowledged and nothing is visited;
 * 4. act on the lifecycle event (src/lifecycle/act.ts). A Kubernetes, ledger or index outage is
 *    503 with Retry-After: SNS and EventBridge redeliver, and the partial work is safe to redo.
 */
export function lifecycleHookRoutes(deps: LifecycleHookRouteDeps): Hono {
  const app = new Hono();
  // One per isolate (createApp runs once per isolate): it caches fetched certificates.
  const certificates = createSnsCertificateSource({ fetch: (url, init) => deps.fetch(url, init), clock: deps.clock });
  const trustedTopicArns = deps.config.policy.aws.lifecycle.trustedTopicArns;
  const secret = deps.config.lifecycleHookSecret;

  app.post(LIFECYCLE_HOOK_PATH, async (c) => {
    const source = c.req.header('cf-connecting-ip');
    const body = new Uint8Array(await c.req.arrayBuffer());
    const classified = parseLifecycleRequest({ body, headers: c.req.raw.headers });
    if (!classified.ok) throw hookProblem(classified.error, deps.log);

    let event: LifecycleEvent;
    if (classified.value.source === 'sns') {
      const verified = await authenticateSnsMessage(classified.value.message, certificates, deps.clock.now(), { trustedTopicArns });
      if (!verified.ok) throw hookProblem(verified.error, deps.log, trustedTopicArns.length === 0);
      const message = verified.value;
      if (message.type === 'SubscriptionConfirmation') {
        const url = subscriptionConfirmationUrl(message);
        if (!url.ok) throw hookProblem(url.error, deps.log);
        const confirmed = await confirmSnsSubscription(deps.fetch, url.value);
        if (!confirmed.ok) {
          deps.log.warn('lifecycle.subscription_not_confirmed', { topicArn: message.topicArn, ...(confirmed.failure === 'refused' ? { status: confirmed.status } : { detail: confirmed.detail }) });
          if (confirmed.failure === 'unreachable') throw new ProblemError('upstream_unavailable', 'Amazon SNS could not be reached to confirm the subscription.', RETRY_AFTER_SECONDS);
          throw new ProblemError('invalid_request', `Amazon SNS refused the subscription confirmation (HTTP ${confirmed.status}); the subscription stays pending.`);
        }
        deps.log.info('lifecycle.subscription_confirmed', { topicArn: message.topicArn, messageId: message.messageId });
        return c.json({ outcome: 'subscription_confirmed', changed: true, topicArn: message.topicArn } satisfies LifecycleHookResult, 200, NO_STORE);
      }
      if (message.type === 'UnsubscribeConfirmation') {
        // Its SubscribeURL would re-subscribe: that is the operator's decision, never the broker's.
        deps.log.info('lifecycle.unsubscribed', { topicArn: message.topicArn, messageId: message.messageId });
        return c.json({ outcome: 'unsubscribe_acknowledged', changed: false, topicArn: message.topicArn } satisfies LifecycleHookResult, 200, NO_STORE);
      }
      const fromSns = lifecycleEventFromSns(message);
      if (!fromSns.ok) throw hookProblem(fromSns.error, deps.log);
      event = fromSns.value;
    } else {
      // An unset secret matches nothing (sharedSecretMatches): no secret, no unsigned deliveries.
      if (!(await sharedSecretMatches(c.req.header(HOOK_SECRET_HEADER) ?? null, secret ?? ''))) {
        const presented = c.req.header(HOOK_SECRET_HEADER) !== undefined;
        deps.log.warn('lifecycle.unauthorized', { source: classified.value.source, reason: secret === undefined ? 'no_secret_configured' : presented ? 'wrong_secret' : 'no_secret_presented', address: source });
        return unauthorized();
      }
      event = classified.value.event;
    }

    let result: LifecycleHookResult;
    try {
      result = await actOnLifecycleEvent(deps, event, { now: deps.clock.now(), source });
    } catch (error) {
      deps.log.error('lifecycle.upstream_failed', { effect: event.effect, error: error instanceof KubeApiError ? error.message : error instanceof Error ? error.name : 'unknown' });
      const retryAfter = error instanceof KubeApiError ? (error.retryAfterSeconds ?? RETRY_AFTER_SECONDS) : RETRY_AFTER_SECONDS;
      throw new ProblemError('upstream_unavailable', 'The Kubernetes API or the ledger of the broker did not answer; deliver the event again.', retryAfter);
    }
    return c.json(result, 200, NO_STORE);
  });
  return app;
}
