/**
 * The SNS HTTP/HTTPS message envelope: Notification, SubscriptionConfirmation,
 * UnsubscribeConfirmation (Amazon SNS Developer Guide, "HTTP/HTTPS notification JSON format",
 * "HTTP/HTTPS subscription confirmation JSON format", "… unsubscribe confirmation JSON format").
 * No I/O, no clock. Parsing proves nothing: a `SnsMessage` is unauthenticated until
 * `verifySnsMessage` returns it as a `VerifiedSnsMessage`.
 *
 * Every field that enters the string to sign is kept exactly as received (a string, never
 * coerced): a number or null where AWS sends a string would make the string to sign ambiguous,
 * so it is `malformed_event`. Subject is omitted by AWS when the publisher gave none; present, it
 * must be a string.
 */
import {
  anyString,
  messageIdCheck,
  optionalString,
  parseArn,
  parseTimestamp,
  requiredString,
  timestampCheck,
  type FieldCheck,
} from './fields.js';
import { ownField, type JsonObject } from './json.js';
import { hookFailure, hookOk, type HookResult } from './result.js';

export type SnsMessageType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

export const SNS_MESSAGE_TYPES: ReadonlySet<string> = new Set<SnsMessageType>(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']);

interface SnsMessageBase {
  readonly messageId: string;
  readonly topicArn: string;
  /** The topic ARN's region and account, read from `topicArn`. */
  readonly topicRegion: string;
  readonly topicAccount: string;
  readonly message: string;
  /** Exactly as sent; it is part of the string to sign. */
  readonly timestamp: string;
  /** `timestamp`, parsed. */
  readonly publishedAt: Date;
  readonly signatureVersion: string;
  readonly signature: string;
  readonly signingCertUrl: string;
}

export interface SnsNotification extends SnsMessageBase {
  readonly type: 'Notification';
  readonly subject?: string;
  readonly unsubscribeUrl?: string;
}

export interface SnsSubscriptionMessage extends SnsMessageBase {
  readonly type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  readonly token: string;
  readonly subscribeUrl: string;
}

export type SnsMessage = SnsNotification | SnsSubscriptionMessage;

/** `arn:aws[-cn|-us-gov]:sns:<region>:<account>:<topic>`; topic names are 1..256 of `[A-Za-z0-9_-]` (+ `.fifo`). */
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}(?:\.fifo)?$/;

const topicArnCheck: FieldCheck = (value) => {
  const arn = parseArn(value, 'sns');
  return arn !== undefined && TOPIC_NAME.test(arn.resource) ? undefined : 'is not an SNS topic ARN';
};

const nonEmpty: FieldCheck = (value) => (value.length > 0 ? undefined : 'is empty');

export function parseSnsMessage(envelope: JsonObject): HookResult<SnsMessage> {
  const type = requiredString(envelope, 'Type', anyString);
  if (!type.ok) return type;
  if (!SNS_MESSAGE_TYPES.has(type.value)) return hookFailure('unsupported_event', `SNS Type ${JSON.stringify(type.value.slice(0, 40))} is not handled`);

  const messageId = requiredString(envelope, 'MessageId', messageIdCheck);
  if (!messageId.ok) return messageId;
  const topicArn = requiredString(envelope, 'TopicArn', topicArnCheck);
  if (!topicArn.ok) return topicArn;
  const message = requiredString(envelope, 'Message', anyString);
  if (!message.ok) return message;
  const timestamp = requiredString(envelope, 'Timestamp', timestampCheck);
  if (!timestamp.ok) return timestamp;
  const signatureVersion = requiredString(envelope, 'SignatureVersion', anyString);
  if (!signatureVersion.ok) return signatureVersion;
  const signature = requiredString(envelope, 'Signature', nonEmpty);
  if (!signature.ok) return signature;
  const signingCertUrl = requiredString(envelope, 'SigningCertURL', nonEmpty);
  if (!signingCertUrl.ok) return signingCertUrl;

  const arn = parseArn(topicArn.value, 'sns')!;
  const base: SnsMessageBase = {
    messageId: messageId.value,
    topicArn: topicArn.value,
    topicRegion: arn.region,
    topicAccount: arn.account,
    message: message.value,
    timestamp: timestamp.value,
    publishedAt: parseTimestamp(timestamp.value)!,
    signatureVersion: signatureVersion.value,
    signature: signature.value,
    signingCertUrl: signingCertUrl.value,
  };

  if (type.value === 'Notification') {
    for (const key of ['Token', 'SubscribeURL']) {
      if (ownField(envelope, key) !== undefined) return hookFailure('malformed_event', `a Notification carries ${key}`);
    }
    const subject = optionalString(envelope, 'Subject', anyString);
    if (!subject.ok) return subject;
    const unsubscribeUrl = optionalString(envelope, 'UnsubscribeURL', anyString);
    if (!unsubscribeUrl.ok) return unsubscribeUrl;
    return hookOk({
      type: 'Notification',
      ...base,
      ...(subject.value === undefined ? {} : { subject: subject.value }),
      ...(unsubscribeUrl.value === undefined ? {} : { unsubscribeUrl: unsubscribeUrl.value }),
    });
  }

  // Confirmations have no Subject; the string to sign has no place for one.
  if (ownField(envelope, 'Subject') !== undefined) return hookFailure('malformed_event', `a ${type.value} carries Subject`);
  const token = requiredString(envelope, 'Token', nonEmpty);
  if (!token.ok) return token;
  const subscribeUrl = requiredString(envelope, 'SubscribeURL', nonEmpty);
  if (!subscribeUrl.ok) return subscribeUrl;
  return hookOk({ type: type.value as SnsSubscriptionMessage['type'], ...base, token: token.value, subscribeUrl: subscribeUrl.value });
}
