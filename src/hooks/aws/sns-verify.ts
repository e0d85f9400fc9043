/**
 * SNS message signature verification. Pure given the certificate: no I/O, no clock — `now` is
 * passed in; WebCrypto (`crypto.subtle`, workerd and Node 20) does the RSA.
 *
 * Source: Amazon SNS Developer Guide, "Verifying the signatures of Amazon SNS messages" and the
 * JSON format pages. The string to sign is `Key\nValue\n` for, in this order:
 * - Notification: Message, MessageId, Subject (only if present), Timestamp, TopicArn, Type;
 * - SubscriptionConfirmation, UnsubscribeConfirmation: Message, MessageId, SubscribeURL,
 *   Timestamp, Token, TopicArn, Type.
 * Values are the JSON-decoded strings (escapes such as `\n` in Message are real newlines), UTF-8
 * encoded. SignatureVersion "1" is SHA1withRSA, "2" SHA256withRSA (RSASSA-PKCS1-v1_5); any other
 * version is refused, never defaulted. Nothing outside those keys is signed: UnsubscribeURL,
 * SigningCertURL and MessageAttributes are attacker-controlled, and nothing here trusts them.
 */
import { parseTimestamp } from './fields.js';
import { checkSigningCertUrl } from './sns-urls.js';
import { MIN_RSA_MODULUS_BITS, modulusBits, type SnsDigest, type SnsSigningCertificate } from './sns-certificate.js';
import type { SnsMessage } from './sns-message.js';
import { hookFailure, hookOk, LifecycleHookConfigError, type HookResult } from './result.js';

/** SignatureVersion → digest. A lookup table, so an unknown version can only be refused. */
export const SNS_SIGNATURE_DIGESTS: Readonly<Record<string, SnsDigest>> = { '1': 'SHA-1', '2': 'SHA-256' };

declare const verified: unique symbol;

/** An SNS message whose signature, certificate, topic and freshness have been checked. Only `verifySnsMessage` makes one. */
export type VerifiedSnsMessage = SnsMessage & { readonly [verified]: true };

export interface SnsVerifyOptions {
  /**
   * The topics the broker accepts messages from, exact ARNs. Required, no default: a valid SNS
   * signature proves only that SNS delivered the message from *some* topic, and anyone can
   * subscribe this endpoint to a topic of their own and publish signed lifecycle look-alikes (or
   * get their subscription confirmed). An empty list refuses everything.
   */
  readonly trustedTopicArns: readonly string[];
  /** Oldest accepted Timestamp, in ms before `now`. Default 1 h: SNS stops retrying an HTTP/S delivery within 3,600 s. */
  readonly maxMessageAgeMs?: number;
  /** How far Timestamp may be ahead of `now` (clock skew), in ms. Default 60 s. */
  readonly maxFutureSkewMs?: number;
}

export const DEFAULT_MAX_MESSAGE_AGE_MS = 60 * 60_000;
export const DEFAULT_MAX_FUTURE_SKEW_MS = 60_000;

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const MAX_SIGNATURE_BASE64 = 1400; // a 8192-bit signature; SNS uses 2048-bit keys (344 characters)

/** The exact bytes SNS signed, before UTF-8 encoding. */
export function snsStringToSign(message: SnsMessage): string {
  const pairs: [string, string][] =
    message.type === 'Notification'
      ? [
          ['Message', message.message],
          ['MessageId', message.messageId],
          ...(message.subject === undefined ? [] : [['Subject', message.subject] as [string, string]]),
          ['Timestamp', message.timestamp],
          ['TopicArn', message.topicArn],
          ['Type', message.type],
        ]
      : [
          ['Message', message.message],
          ['MessageId', message.messageId],
          ['SubscribeURL', message.subscribeUrl],
          ['Timestamp', message.timestamp],
          ['Token', message.token],
          ['TopicArn', message.topicArn],
          ['Type', message.type],
        ];
  return pairs.map(([key, value]) => `${key}\n${value}\n`).join('');
}

/**
 * Verifies `message` against `certificate` at `now`. Steps, in order (the first failure is the
 * reason):
 * 1. the topic is one of `trustedTopicArns` (`untrusted_topic`) — first, so a stranger's topic
 *    costs no certificate fetch and no RSA;
 * 2. SigningCertURL passes the URL policy (`untrusted_certificate_url`), even though the caller
 *    already fetched by it: a certificate obtained some other way must not vouch for a message
 *    naming a foreign URL;
 * 3. SignatureVersion is 1 or 2 (`unsupported_signature_version`);
 * 4. Signature is strict base64 (`invalid_signature`);
 * 5. `now` is within the certificate's validity (`expired_certificate`);
 * 6. the key is RSA ≥ 2048 bits and the signature verifies over the string to sign (`invalid_signature`);
 * 7. Timestamp is at most `maxMessageAgeMs` old and `maxFutureSkewMs` ahead (`stale_message`):
 *    a captured message replayed later is refused even though its signature stays valid.
 * Never throws for any message; invalid `options` throw a LifecycleHookConfigError.
 */
export async function verifySnsMessage(
  message: SnsMessage,
  certificate: SnsSigningCertificate,
  now: Date,
  options: SnsVerifyOptions,
): Promise<HookResult<VerifiedSnsMessage>> {
  const prerequisites = checkSnsMessagePrerequisites(message, options);
  if (!prerequisites.ok) return prerequisites;
  const { hash, signature } = prerequisites.value;

  const at = now.getTime();
  if (!(at >= certificate.notBefore.getTime() && at <= certificate.notAfter.getTime())) {
    return hookFailure(
      'expired_certificate',
      `signing certificate is valid ${certificate.notBefore.toISOString()} to ${certificate.notAfter.toISOString()}, now is ${Number.isNaN(at) ? 'invalid' : now.toISOString()}`,
    );
  }

  let valid: boolean;
  try {
    const key = await certificate.verifyKey(hash);
    const bits = modulusBits(key);
    if (bits === undefined || bits < MIN_RSA_MODULUS_BITS) return hookFailure('invalid_signature', `signing key has ${String(bits)} bits, at least ${MIN_RSA_MODULUS_BITS} required`);
    valid = await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, signature, new TextEncoder().encode(snsStringToSign(message)));
  } catch {
    return hookFailure('invalid_signature', 'signing key could not be used for RSA verification');
  }
  if (!valid) return hookFailure('invalid_signature', `SignatureVersion ${message.signatureVersion} signature does not verify under the signing certificate`);

  const fresh = checkFreshness(message, at, options);
  if (!fresh.ok) return fresh;
  return hookOk(Object.freeze({ ...message }) as VerifiedSnsMessage);
}

/**
 * Steps 1–4 of `verifySnsMessage`, which need no certificate: a caller that must fetch the
 * certificate runs these first, so a message from a stranger's topic, naming a foreign URL, or
 * with an unusable signature never causes a fetch. Invalid `options` throw.
 */
export function checkSnsMessagePrerequisites(
  message: SnsMessage,
  options: SnsVerifyOptions,
): HookResult<{ readonly hash: SnsDigest; readonly signature: Uint8Array<ArrayBuffer> }> {
  checkOptions(options);
  if (!options.trustedTopicArns.includes(message.topicArn)) return hookFailure('untrusted_topic', `topic ${message.topicArn} is not trusted`);
  const certUrl = checkSigningCertUrl(message.signingCertUrl);
  if (!certUrl.ok) return certUrl;
  const hash = Object.hasOwn(SNS_SIGNATURE_DIGESTS, message.signatureVersion) ? SNS_SIGNATURE_DIGESTS[message.signatureVersion] : undefined;
  if (hash === undefined) {
    return hookFailure('unsupported_signature_version', `SignatureVersion ${JSON.stringify(message.signatureVersion.slice(0, 20))} is not 1 or 2`);
  }
  if (message.signature.length > MAX_SIGNATURE_BASE64 || !STRICT_BASE64.test(message.signature)) {
    return hookFailure('invalid_signature', 'Signature is not base64');
  }
  return hookOk({ hash, signature: Uint8Array.from(atob(message.signature), (c) => c.charCodeAt(0)) });
}

function checkOptions(options: SnsVerifyOptions): void {
  if (!Array.isArray(options.trustedTopicArns) || !options.trustedTopicArns.every((arn) => typeof arn === 'string')) {
    throw new LifecycleHookConfigError('invalid_option', 'trustedTopicArns must be an array of topic ARNs');
  }
  for (const name of ['maxMessageAgeMs', 'maxFutureSkewMs'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new LifecycleHookConfigError('invalid_option', `${name} must be a non-negative number of milliseconds, got ${String(value)}`);
    }
  }
}

function checkFreshness(message: SnsMessage, at: number, options: SnsVerifyOptions): HookResult<true> {
  const maxAge = options.maxMessageAgeMs ?? DEFAULT_MAX_MESSAGE_AGE_MS;
  const maxFuture = options.maxFutureSkewMs ?? DEFAULT_MAX_FUTURE_SKEW_MS;
  // From the signed string itself, not from a field derived from it.
  const published = parseTimestamp(message.timestamp);
  if (published === undefined) return hookFailure('stale_message', 'Timestamp is not an RFC 3339 date-time');
  const age = at - published.getTime();
  if (age > maxAge) return hookFailure('stale_message', `Timestamp ${message.timestamp} is ${age} ms old, at most ${maxAge} ms accepted`);
  if (-age > maxFuture) return hookFailure('stale_message', `Timestamp ${message.timestamp} is ${-age} ms ahead, at most ${maxFuture} ms accepted`);
  return hookOk(true);
}
