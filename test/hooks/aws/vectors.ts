/**
 * The AWS lifecycle vectors in test/fixtures/aws-lifecycle/ (copied from
 * ../shared/vectors/aws-lifecycle; provenance in SOURCE-README.md there), loaded with the facts
 * the tests assert. Every SNS signature below is a real one made by Amazon SNS.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import {
  parseSnsMessage,
  parseSnsSigningCertificate,
  type HookResult,
  type JsonObject,
  type SnsMessage,
  type SnsSigningCertificate,
} from '../../../src/hooks/aws/index.js';

const FIXTURES = new URL('../../fixtures/aws-lifecycle/', import.meta.url);

export const fixtureText = (path: string): string => readFileSync(new URL(path, FIXTURES), 'utf8');
export const fixtureBytes = (path: string): Uint8Array => new Uint8Array(readFileSync(new URL(path, FIXTURES)));
export const fixtureJson = (path: string): Record<string, unknown> => JSON.parse(fixtureText(path)) as Record<string, unknown>;

/** The date the vectors were last checked (their README): every certificate has long expired. */
export const REAL_DATE = new Date('2026-11-30T00:00:00Z');

export interface SnsVector {
  readonly file: string;
  readonly type: SnsMessage['type'];
  readonly signatureVersion: '1' | '2';
  readonly topicArn: string;
  readonly certificate: string;
  readonly hasSubject: boolean;
}

const cert = {
  d6d6: 'SimpleNotificationService-d6d679a1d18e95c2f9ffcf11f4f9e198.pem',
  bb75: 'SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem',
  b950: 'SimpleNotificationService-b95095beb82e8f6a046b3aafc7f4149a.pem',
  '7ff5': 'SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem',
  '60ea': 'SimpleNotificationService-60eadc530605d63b8e62a523676ef735.pem',
} as const;

const PUDDING_TOPIC = 'arn:aws:sns:us-east-1:341288657826:pudding-test-topic';

/** The README's "Verified OK" SNS messages. */
export const VERIFIED_SNS_VECTORS: readonly SnsVector[] = [
  { file: 'pudding-2014-subscription-confirmation.json', type: 'SubscriptionConfirmation', signatureVersion: '1', topicArn: PUDDING_TOPIC, certificate: cert.d6d6, hasSubject: false },
  { file: 'pudding-2014-notification.json', type: 'Notification', signatureVersion: '1', topicArn: PUDDING_TOPIC, certificate: cert.d6d6, hasSubject: true },
  { file: 'pudding-2014-asg-test-notification.json', type: 'Notification', signatureVersion: '1', topicArn: PUDDING_TOPIC, certificate: cert.d6d6, hasSubject: true },
  { file: 'pudding-2014-asg-terminating.derived.json', type: 'Notification', signatureVersion: '1', topicArn: PUDDING_TOPIC, certificate: cert.d6d6, hasSubject: true },
  { file: 'awsjava-2015-notification.json', type: 'Notification', signatureVersion: '1', topicArn: 'arn:aws:sns:us-east-1:810605503585:just_testing', certificate: cert.bb75, hasSubject: true },
  { file: 'eff-2017-ses-complaint.json', type: 'Notification', signatureVersion: '1', topicArn: 'arn:aws:sns:us-west-2:486751131363:ses-complaint', certificate: cert.b950, hasSubject: false },
  { file: 'ruby-2022-notification-sigv1.json', type: 'Notification', signatureVersion: '1', topicArn: 'arn:aws:sns:us-east-2:295079676684:publish-and-verify-892f85fe-4836-424d-8188-ab85bef0f362', certificate: cert['7ff5'], hasSubject: false },
  { file: 'ruby-2022-notification-sigv2.json', type: 'Notification', signatureVersion: '2', topicArn: 'arn:aws:sns:us-east-2:295079676684:publish-and-verify-62674b1d-4295-426b-88e7-5fb75652a04e', certificate: cert['7ff5'], hasSubject: false },
  { file: 'unidentified-2024-subscription-confirmation-sigv2.json', type: 'SubscriptionConfirmation', signatureVersion: '2', topicArn: 'arn:aws:sns:eu-central-1:466136624261:ses', certificate: cert['60ea'], hasSubject: false },
];

/** The README's negative vectors: real signatures over bytes a fixture author later changed. */
export const BAD_SIGNATURE_VECTORS: readonly SnsVector[] = [
  { file: 'pudding-2014-asg-terminating.as-published.BADSIG.json', type: 'Notification', signatureVersion: '1', topicArn: PUDDING_TOPIC, certificate: cert.d6d6, hasSubject: true },
  { file: 'mautic-2016-subscription-confirmation.as-published.BADSIG.json', type: 'SubscriptionConfirmation', signatureVersion: '1', topicArn: 'arn:aws:sns:eu-west-1:918057160339:55hubs-mautic-test', certificate: cert.bb75, hasSubject: false },
];

/** Validity of each certificate, as `openssl x509 -dates` prints it. */
export const CERTIFICATE_VALIDITY: Readonly<Record<string, { notBefore: string; notAfter: string }>> = {
  [cert.d6d6]: { notBefore: '2014-08-23T00:00:00.000Z', notAfter: '2015-08-22T23:59:59.000Z' },
  [cert.bb75]: { notBefore: '2015-08-07T00:00:00.000Z', notAfter: '2016-08-21T23:59:59.000Z' },
  [cert.b950]: { notBefore: '2016-07-27T00:00:00.000Z', notAfter: '2017-08-22T23:59:59.000Z' },
  [cert['7ff5']]: { notBefore: '2021-09-07T00:00:00.000Z', notAfter: '2022-08-17T23:59:59.000Z' },
  [cert['60ea']]: { notBefore: '2023-12-14T00:00:00.000Z', notAfter: '2024-11-20T23:59:59.000Z' },
};

export const CERTIFICATE_FILES: readonly string[] = Object.values(cert);

export const snsBody = (vector: SnsVector): Uint8Array => fixtureBytes(`sns/${vector.file}`);
export const snsEnvelope = (vector: SnsVector): Record<string, unknown> => fixtureJson(`sns/${vector.file}`);
export const certificatePem = (file: string): string => fixtureText(`sns/certs/${file}`);

export function unwrap<T>(result: HookResult<T>): T {
  if (!result.ok) expect.fail(`expected ok, got ${result.error.reason}: ${result.error.detail}`);
  return result.value;
}

export const reasonOf = (result: HookResult<unknown>): string => (result.ok ? 'ok' : result.error.reason);

export const parsedMessage = (envelope: JsonObject): SnsMessage => unwrap(parseSnsMessage(envelope));
export const vectorMessage = (vector: SnsVector): SnsMessage => parsedMessage(snsEnvelope(vector));
export const vectorCertificate = (file: string): SnsSigningCertificate => unwrap(parseSnsSigningCertificate(certificatePem(file)));

/** One second after the message was published: inside its certificate's validity, inside the replay window. */
export const pinnedNow = (envelope: Record<string, unknown>): Date => new Date(Date.parse(envelope['Timestamp'] as string) + 1000);

/**
 * The AWS docs render notifications as `Key: Value` lines; this is the JSON object those lines
 * describe (every value a string, as in the JSON Auto Scaling sends).
 */
export function keyValueLinesToJson(text: string): Record<string, string> {
  const object: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const at = line.indexOf(': ');
    object[line.slice(0, at)] = line.slice(at + 2);
  }
  return object;
}

/** The AWS doc EventBridge examples without a real `time` ("yyyy-mm-ddThh:mm:ssZ"), given one. */
export const DOC_EVENT_TIME = '2021-01-19T00:36:26.533Z';

export function eventBridgeExample(file: string): Record<string, unknown> {
  const event = fixtureJson(`eventbridge/${file}`);
  if (event['time'] === 'yyyy-mm-ddThh:mm:ssZ') event['time'] = DOC_EVENT_TIME;
  return event;
}

export const jsonBody = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
export const noHeaders = (): Headers => new Headers();
