/**
 * Properties of the lifecycle-hook parsers and the SNS verifier over untrusted input,
 * parameterised by run count so the regular suite runs them briefly and `npm run fuzz` can run
 * them long. Each property: the entry point never throws, and hostile input never verifies.
 */
import fc from 'fast-check';
import {
  ACCOUNT_ID,
  INSTANCE_ID,
  parseLifecycleRequest,
  parseSnsMessage,
  parseSnsSigningCertificate,
  snsStringToSign,
  verifySnsMessage,
  type HookResult,
  type LifecycleEvent,
  type SnsSigningCertificate,
} from '../../../src/hooks/aws/index.js';
import { CERTIFICATE_FILES, certificatePem, eventBridgeExample, fixtureJson, noHeaders, pinnedNow, snsBody, snsEnvelope, vectorCertificate, vectorMessage, VERIFIED_SNS_VECTORS, type SnsVector } from './vectors.js';

/** 1–8 byte changes (each a real change) to a known-good input. */
export const mutationsOf = (original: Uint8Array): fc.Arbitrary<Uint8Array> =>
  fc
    .array(fc.record({ at: fc.nat({ max: original.length - 1 }), xor: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 8 })
    .map((edits) => {
      const copy = original.slice();
      for (const { at, xor } of edits) copy[at] = (copy[at] as number) ^ xor;
      return copy;
    })
    .filter((m) => m.some((b, i) => b !== original[i]));

const KNOWN_KEYS = [
  'Type', 'MessageId', 'TopicArn', 'Subject', 'Message', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL', 'Token', 'SubscribeURL',
  'version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail',
  'Service', 'Time', 'RequestId', 'Event', 'AccountId', 'AutoScalingGroupName', 'AutoScalingGroupARN', 'EC2InstanceId', 'LifecycleTransition',
  'LifecycleHookName', 'LifecycleActionToken', 'NotificationMetadata', 'Origin', 'Destination',
];

const PLAUSIBLE_VALUES = [
  'Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation', '1', '2', 'aws.autoscaling', 'AWS Auto Scaling',
  'EC2 Instance-launch Lifecycle Action', 'EC2 Instance-terminate Lifecycle Action', 'autoscaling:EC2_INSTANCE_LAUNCHING',
  'autoscaling:EC2_INSTANCE_TERMINATING', 'autoscaling:TEST_NOTIFICATION', 'EC2', 'AutoScalingGroup', 'WarmPool', '123456789012',
  'i-1234567890abcdef0', 'us-west-2', '2021-01-19T00:35:52.359Z', 'arn:aws:sns:us-east-1:341288657826:pudding-test-topic',
  'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-d6d679a1d18e95c2f9ffcf11f4f9e198.pem', '12345678-1234-1234-1234-123456789012',
];

/** JSON objects built from the keys and values the parsers look for, nested at random. */
const lifecycleShaped = (): fc.Arbitrary<unknown> =>
  fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, fc.constantFrom(...PLAUSIBLE_VALUES), fc.jsonValue({ maxDepth: 2 }), tie('object')),
    object: fc.dictionary(fc.constantFrom(...KNOWN_KEYS), tie('value'), { maxKeys: 12 }),
  })).object;

const fieldValues = (): fc.Arbitrary<unknown> =>
  fc.oneof(fc.constantFrom(...PLAUSIBLE_VALUES), fc.string({ unit: 'binary', maxLength: 40 }), fc.jsonValue({ maxDepth: 1 }), fc.constant(undefined));

/** Real events with a few fields (top level, or in EventBridge's detail) replaced by anything. */
export const perturbedEvents = (): fc.Arbitrary<string> => {
  const bases = [
    eventBridgeExample('awsdocs-warmpool-launch-warmpool-to-asg.json'),
    eventBridgeExample('awsdocs-terminate-lifecycle-action.json'),
    fixtureJson('asg-notification/pudding-2014-terminating.message.json'),
    fixtureJson('asg-notification/pudding-2014-test-notification.message.json'),
  ];
  return fc.constantFrom(...bases).chain((base) =>
    fc
      .record({
        top: fc.dictionary(fc.constantFrom(...Object.keys(base), ...KNOWN_KEYS), fieldValues(), { maxKeys: 2 }),
        detail: fc.dictionary(fc.constantFrom(...KNOWN_KEYS), fieldValues(), { maxKeys: 2 }),
      })
      .map(({ top, detail }) => {
        const event: Record<string, unknown> = { ...base, ...top };
        if (typeof base['detail'] === 'object' && top['detail'] === undefined) event['detail'] = { ...(base['detail'] as object), ...detail };
        return JSON.stringify(event);
      }),
  );
};

/** Whatever a parsed event claims about identifiers holds: nothing malformed gets through. */
function eventIsWellFormed(event: LifecycleEvent): boolean {
  if (!ACCOUNT_ID.test(event.accountId) || Number.isNaN(event.time.getTime())) return false;
  return event.kind === 'test' || INSTANCE_ID.test(event.instanceId);
}

function acceptedEventsAreWellFormed(result: HookResult<{ source: string; event?: LifecycleEvent }>): boolean {
  if (!result.ok) return typeof result.error.reason === 'string';
  return result.value.event === undefined || eventIsWellFormed(result.value.event);
}

/** Arbitrary bytes, strings and JSON posted to the hook never throw, and any event parsed is well formed. */
export function propertyRequestParserNeverThrows(numRuns: number): void {
  const bodies = fc.oneof(
    fc.uint8Array({ maxLength: 2048 }),
    fc.string({ unit: 'binary', maxLength: 512 }),
    fc.json({ maxDepth: 4 }),
    lifecycleShaped().map((value) => JSON.stringify(value)),
    perturbedEvents(),
    fc.constantFrom(...VERIFIED_SNS_VECTORS).chain((vector) => mutationsOf(snsBody(vector))),
  );
  const headers = fc.option(fc.constantFrom('Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation', 'Bogus'), { nil: undefined });
  fc.assert(
    fc.property(bodies, headers, (body, messageType) => {
      const result = parseLifecycleRequest({ body, headers: messageType === undefined ? noHeaders() : new Headers({ 'x-amz-sns-message-type': messageType }) });
      return acceptedEventsAreWellFormed(result as never);
    }),
    { numRuns },
  );
}

const certificates = new Map<string, SnsSigningCertificate>();
const certificateOf = (vector: SnsVector): SnsSigningCertificate => {
  let certificate = certificates.get(vector.certificate);
  if (certificate === undefined) certificates.set(vector.certificate, (certificate = vectorCertificate(vector.certificate)));
  return certificate;
};

/**
 * Byte-level mutations of real signed bodies: whatever still parses and verifies must sign the
 * very same content (only unsigned bytes — whitespace, UnsubscribeURL, SigningCertURL within the
 * policy, MessageAttributes — may differ). Never throws.
 */
export function propertyMutatedSnsBodiesNeverVerifyChangedContent(numRuns: number): Promise<void> {
  const cases = fc.constantFrom(...VERIFIED_SNS_VECTORS).chain((vector) => mutationsOf(snsBody(vector)).map((body) => ({ vector, body })));
  return fc.assert(
    fc.asyncProperty(cases, async ({ vector, body }) => {
      const parsed = parseLifecycleRequest({ body, headers: noHeaders() });
      if (!parsed.ok || parsed.value.source !== 'sns') return true;
      const message = parsed.value.message;
      const result = await verifySnsMessage(message, certificateOf(vector), pinnedNow(snsEnvelope(vector)), { trustedTopicArns: [message.topicArn] });
      return !result.ok || snsStringToSign(message) === snsStringToSign(vectorMessage(vector));
    }),
    { numRuns },
  );
}

/** Any change to a signed field of a real message (insert, delete or replace characters) never verifies. */
export function propertyChangedSignedFieldsNeverVerify(numRuns: number): Promise<void> {
  const cases = fc.constantFrom(...VERIFIED_SNS_VECTORS).chain((vector) => {
    const envelope = snsEnvelope(vector) as Record<string, string>;
    const keys = vector.type === 'Notification' ? ['Message', 'MessageId', 'Timestamp', 'TopicArn', ...(vector.hasSubject ? ['Subject'] : [])] : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn'];
    return fc.constantFrom(...keys).chain((key) => {
      const value = envelope[key]!;
      return fc
        .record({ at: fc.nat({ max: value.length }), remove: fc.nat({ max: 3 }), insert: fc.string({ unit: 'binary', maxLength: 3 }) })
        .map(({ at, remove, insert }) => value.slice(0, at) + insert + value.slice(at + remove))
        .filter((changed) => changed !== value)
        .map((changed) => ({ vector, envelope: { ...envelope, [key]: changed } }));
    });
  });
  return fc.assert(
    fc.asyncProperty(cases, async ({ vector, envelope }) => {
      const parsed = parseSnsMessage(envelope);
      if (!parsed.ok) return true;
      const result = await verifySnsMessage(parsed.value, certificateOf(vector), pinnedNow(snsEnvelope(vector)), { trustedTopicArns: [parsed.value.topicArn] });
      return !result.ok;
    }),
    { numRuns },
  );
}

/** Mutated real certificates (as PEM, and as re-encoded DER) and arbitrary text never make the certificate parser throw. */
export function propertyCertificateParserNeverThrows(numRuns: number): void {
  const derOf = (pem: string) => Uint8Array.from(Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64'));
  const asPem = (der: Uint8Array) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
  const inputs = fc.oneof(
    fc.constantFrom(...CERTIFICATE_FILES).chain((file) => mutationsOf(derOf(certificatePem(file))).map(asPem)),
    fc.constantFrom(...CERTIFICATE_FILES).chain((file) => mutationsOf(new TextEncoder().encode(certificatePem(file))).map((bytes) => new TextDecoder().decode(bytes))),
    fc.uint8Array({ maxLength: 2048 }).map(asPem),
    fc.string({ unit: 'binary', maxLength: 512 }),
  );
  fc.assert(
    fc.property(inputs, (pem) => typeof parseSnsSigningCertificate(pem).ok === 'boolean'),
    { numRuns },
  );
}
