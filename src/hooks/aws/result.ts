/**
 * Results of the AWS lifecycle-hook trust boundary: every parser and verifier in this folder
 * returns a tagged value instead of throwing. The `reason` is stable (tests assert it, the route
 * maps it); `detail` is for the log only and is never sent to the caller.
 */

export type LifecycleHookFailureReason =
  /** Not UTF-8 JSON, over a size or depth limit, a required field missing or of the wrong type, an invalid ID. */
  | 'malformed_event'
  /** Well-formed, but not an event the broker handles (other detail-type or source, a non-lifecycle SNS message, …). */
  | 'unsupported_event'
  /** An SNS message from a topic the broker was not configured to trust. */
  | 'untrusted_topic'
  /** SigningCertURL is not an `https://sns.<region>.amazonaws.com[.cn]/….pem` URL. */
  | 'untrusted_certificate_url'
  /** SubscribeURL is not the SNS ConfirmSubscription URL for this message's topic and token. */
  | 'untrusted_subscribe_url'
  /** SignatureVersion other than "1" (SHA1withRSA) or "2" (SHA256withRSA). */
  | 'unsupported_signature_version'
  /** Signature missing, not base64, or not valid for the message under the certificate's key. */
  | 'invalid_signature'
  /** The signing certificate could not be obtained from its URL (4xx, redirect, too large) or is unusable. */
  | 'invalid_certificate'
  /** `now` is outside the signing certificate's validity period. */
  | 'expired_certificate'
  /** The SNS Timestamp is older than the replay window, or too far in the future. */
  | 'stale_message'
  /** The certificate host could not be reached (network error, timeout, 5xx, 429). Never an accept. */
  | 'upstream_unavailable';

export interface LifecycleHookFailure {
  readonly reason: LifecycleHookFailureReason;
  /** For the log only; never contains secrets; never sent on the wire. */
  readonly detail: string;
}

export type HookResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: LifecycleHookFailure };

export const hookOk = <T>(value: T): HookResult<T> => ({ ok: true, value });

export const hookFailure = <T = never>(reason: LifecycleHookFailureReason, detail: string): HookResult<T> => ({
  ok: false,
  error: { reason, detail },
});

/**
 * The HTTP status the route should answer for a failure. SNS retries HTTP/S deliveries only on
 * server-side errors, for at most an hour (docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html);
 * EventBridge API destinations retry on 5xx and 429. So only a failure that may heal on its own
 * (the certificate host being unreachable) is a 503; everything else is the sender's fault and a
 * retry would fail the same way.
 */
export function lifecycleHookFailureStatus(reason: LifecycleHookFailureReason): 400 | 503 {
  switch (reason) {
    case 'upstream_unavailable':
      return 503;
    case 'malformed_event':
    case 'unsupported_event':
    case 'untrusted_topic':
    case 'untrusted_certificate_url':
    case 'untrusted_subscribe_url':
    case 'unsupported_signature_version':
    case 'invalid_signature':
    case 'invalid_certificate':
    case 'expired_certificate':
    case 'stale_message':
      return 400;
  }
}

/** A mistake in how a component was configured. Thrown at creation only, never while handling a request. */
export class LifecycleHookConfigError extends Error {
  override readonly name = 'LifecycleHookConfigError';
  constructor(
    readonly code: 'invalid_option',
    message: string,
  ) {
    super(message);
  }
}

/** The hooks' log-safe description of a caught exception: the same as for the broker's other upstream I/O. */
export { describeError } from '../../http/bounded-fetch.js';
