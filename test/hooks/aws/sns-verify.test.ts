import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_MESSAGE_AGE_MS,
  LifecycleHookConfigError,
  lifecycleEventFromSns,
  parseSnsMessage,
  parseSnsSigningCertificate,
  snsStringToSign,
  verifySnsMessage,
  type SnsSigningCertificate,
} from '../../../src/hooks/aws/index.js';
import { confirmationFields, GENERATED_NOW, generatedSnsSigner, notificationFields, stringToSignForTest, TEST_TOPIC } from './signer.js';
import {
  BAD_SIGNATURE_VECTORS,
  CERTIFICATE_FILES,
  CERTIFICATE_VALIDITY,
  parsedMessage,
  pinnedNow,
  REAL_DATE,
  reasonOf,
  snsEnvelope,
  unwrap,
  vectorCertificate,
  vectorMessage,
  VERIFIED_SNS_VECTORS,
  type SnsVector,
} from './vectors.js';

const trusting = (vector: { topicArn: string }) => ({ trustedTopicArns: [vector.topicArn] });

async function verifyVector(vector: SnsVector, envelope: Record<string, unknown> = snsEnvelope(vector), overrides: { now?: Date; certificate?: SnsSigningCertificate } = {}) {
  const parsed = parseSnsMessage(envelope);
  if (!parsed.ok) return parsed;
  // Trusting the topic the (possibly altered) envelope names, so that the signature decides.
  return verifySnsMessage(parsed.value, overrides.certificate ?? vectorCertificate(vector.certificate), overrides.now ?? pinnedNow(snsEnvelope(vector)), {
    trustedTopicArns: [parsed.value.topicArn],
  });
}

describe.each(VERIFIED_SNS_VECTORS)('real SNS message $file', (vector) => {
  it(`verifies (SignatureVersion ${vector.signatureVersion}) with the clock pinned inside its certificate's validity`, async () => {
    const verified = unwrap(await verifyVector(vector));
    expect(verified.type).toBe(vector.type);
    expect(verified.topicArn).toBe(vector.topicArn);
    expect(verified.signatureVersion).toBe(vector.signatureVersion);
    expect(verified.type === 'Notification' && verified.subject !== undefined).toBe(vector.hasSubject);
    expect(Object.isFrozen(verified)).toBe(true);
  });

  it('builds the string to sign from the fields the docs list, in their order', () => {
    const envelope = snsEnvelope(vector) as Record<string, string>;
    expect(snsStringToSign(vectorMessage(vector))).toBe(stringToSignForTest(envelope));
  });

  it('is refused at the real date: its certificate has expired', async () => {
    const result = await verifyVector(vector, undefined, { now: REAL_DATE });
    expect(reasonOf(result)).toBe('expired_certificate');
  });

  it.each(CERTIFICATE_FILES.filter((file) => file !== vector.certificate))('does not verify under another SNS certificate (%s)', async (other) => {
    const { notBefore, notAfter } = CERTIFICATE_VALIDITY[other]!;
    const inside = new Date((Date.parse(notBefore) + Date.parse(notAfter)) / 2);
    const result = await verifyVector(vector, undefined, { certificate: vectorCertificate(other), now: inside });
    // At a time inside the other certificate, the message itself is stale unless the signature check comes first.
    expect(reasonOf(result)).toBe('invalid_signature');
  });

  const signedKeys = vector.type === 'Notification' ? ['Message', 'MessageId', 'Timestamp', 'TopicArn', ...(vector.hasSubject ? ['Subject'] : [])] : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token'];
  it.each(signedKeys)('is refused when one character of %s changes', async (key) => {
    const envelope = snsEnvelope(vector);
    const value = envelope[key] as string;
    const at = key === 'Timestamp' ? value.length - 3 : Math.floor(value.length / 2); // a Timestamp digit, still a valid time
    const changed = value.slice(0, at) + (value[at] === '1' ? '2' : '1') + value.slice(at + 1);
    envelope[key] = changed;
    expect(reasonOf(await verifyVector(vector, envelope))).toBe('invalid_signature');
  });

  it('is refused when Subject is added or removed', async () => {
    const envelope = snsEnvelope(vector);
    if (vector.hasSubject) delete envelope['Subject'];
    else if (vector.type === 'Notification') envelope['Subject'] = 'added';
    else return expect(reasonOf(parseSnsMessage({ ...envelope, Subject: 'added' }))).toBe('malformed_event');
    expect(reasonOf(await verifyVector(vector, envelope))).toBe('invalid_signature');
  });

  it('is refused when the other SignatureVersion is claimed', async () => {
    const envelope = { ...snsEnvelope(vector), SignatureVersion: vector.signatureVersion === '1' ? '2' : '1' };
    expect(reasonOf(await verifyVector(vector, envelope))).toBe('invalid_signature');
  });

  it.each(['3', '0', '', '01', '1.0', ' 1', 'SHA256'])('is refused with SignatureVersion %j', async (version) => {
    const envelope = { ...snsEnvelope(vector), SignatureVersion: version };
    expect(reasonOf(await verifyVector(vector, envelope))).toBe('unsupported_signature_version');
  });

  it('is refused from a topic the broker does not trust, before any signature work', async () => {
    const message = vectorMessage(vector);
    const result = await verifySnsMessage(message, vectorCertificate(vector.certificate), pinnedNow(snsEnvelope(vector)), { trustedTopicArns: [TEST_TOPIC] });
    expect(result).toEqual({ ok: false, error: { reason: 'untrusted_topic', detail: `topic ${vector.topicArn} is not trusted` } });
  });
});

describe.each(BAD_SIGNATURE_VECTORS)('tampered real SNS message $file', (vector) => {
  it('parses, and its signature is refused', async () => {
    expect(reasonOf(parseSnsMessage(snsEnvelope(vector)))).toBe('ok');
    expect(reasonOf(await verifyVector(vector))).toBe('invalid_signature');
  });
});

describe('restoring what a fixture author changed', () => {
  it('the mautic confirmation verifies once its Message has its newline back (README)', async () => {
    const [vector] = BAD_SIGNATURE_VECTORS.filter((v) => v.file.startsWith('mautic'));
    const envelope = snsEnvelope(vector!);
    envelope['Message'] = (envelope['Message'] as string).replace('. To confirm', '.\nTo confirm');
    const verified = unwrap(await verifyVector(vector!, envelope));
    expect(verified.type).toBe('SubscriptionConfirmation');
  });
});

describe('the real autoscaling:EC2_INSTANCE_TERMINATING notification (pudding, derived)', () => {
  const vector = VERIFIED_SNS_VECTORS.find((v) => v.file === 'pudding-2014-asg-terminating.derived.json')!;

  it('verifies and yields the exact terminate event', async () => {
    const verified = unwrap(await verifyVector(vector));
    expect(unwrap(lifecycleEventFromSns(verified))).toEqual({
      kind: 'terminate',
      effect: 'terminate',
      accountId: '341288657826',
      region: 'us-east-1',
      autoScalingGroupName: 'org-staging-docker-asg',
      instanceId: 'i-4c87e963',
      lifecycleHookName: 'org-staging-docker-lch-terminating',
      lifecycleActionToken: '2f346e45-4866-4bf1-a752-f6eea23011c7',
      time: new Date('2014-12-23T19:17:03.843Z'),
      source: 'sns',
      messageId: 'c87337ab-c19e-51f2-8a5d-7ab80071cc4b',
      topicArn: 'arn:aws:sns:us-east-1:341288657826:pudding-test-topic',
    });
  });

  it('the real test notification verifies and yields a test event', async () => {
    const testVector = VERIFIED_SNS_VECTORS.find((v) => v.file === 'pudding-2014-asg-test-notification.json')!;
    const verified = unwrap(await verifyVector(testVector));
    expect(unwrap(lifecycleEventFromSns(verified))).toEqual({
      kind: 'test',
      effect: 'none',
      accountId: '341288657826',
      region: 'us-east-1',
      autoScalingGroupName: 'org-staging-docker-asg',
      time: new Date('2014-12-22T20:58:56.930Z'),
      source: 'sns',
      messageId: '3edbc59a-0358-5152-aa1a-88888b0e3347',
      topicArn: 'arn:aws:sns:us-east-1:341288657826:pudding-test-topic',
    });
  });

  it.each([
    ['pudding-2014-notification.json', 'unsupported_event'], // "This is a test eh": not JSON
    ['eff-2017-ses-complaint.json', 'unsupported_event'], // JSON, but an SES complaint
    ['pudding-2014-subscription-confirmation.json', 'unsupported_event'], // not a Notification
  ])('other verified messages carry no lifecycle event: %s → %s', async (file, reason) => {
    const other = VERIFIED_SNS_VECTORS.find((v) => v.file === file)!;
    expect(reasonOf(lifecycleEventFromSns(unwrap(await verifyVector(other))))).toBe(reason);
  });
});

describe('certificate validity and message freshness boundaries', () => {
  const vector = VERIFIED_SNS_VECTORS.find((v) => v.file === 'ruby-2022-notification-sigv2.json')!;
  const published = Date.parse('2022-07-28T21:24:08.324Z');
  const certificate = vectorCertificate(vector.certificate);
  const verifyAt = (at: number, options: { maxMessageAgeMs?: number; maxFutureSkewMs?: number } = {}) =>
    verifySnsMessage(vectorMessage(vector), certificate, new Date(at), { ...trusting(vector), ...options });

  it.each([
    ['published this instant', published, 'ok'],
    ['exactly 1 h old', published + DEFAULT_MAX_MESSAGE_AGE_MS, 'ok'],
    ['1 h + 1 ms old', published + DEFAULT_MAX_MESSAGE_AGE_MS + 1, 'stale_message'],
    ['exactly 60 s in the future', published - 60_000, 'ok'],
    ['60 s + 1 ms in the future', published - 60_001, 'stale_message'],
    ['at the certificate notAfter, with a wide window', Date.parse('2022-08-17T23:59:59.000Z'), 'stale_message'],
    ['1 ms after the certificate notAfter', Date.parse('2022-08-17T23:59:59.001Z'), 'expired_certificate'],
    ['1 ms before the certificate notBefore', Date.parse('2021-09-06T23:59:59.999Z'), 'expired_certificate'],
    ['an invalid now', Number.NaN, 'expired_certificate'],
  ])('%s → %s', async (_, at, reason) => {
    expect(reasonOf(await verifyAt(at))).toBe(reason);
  });

  it('a configured window replaces the default (5 min: 5 min passes, 5 min + 1 ms fails)', async () => {
    expect(reasonOf(await verifyAt(published + 300_000, { maxMessageAgeMs: 300_000 }))).toBe('ok');
    expect(reasonOf(await verifyAt(published + 300_001, { maxMessageAgeMs: 300_000 }))).toBe('stale_message');
  });

  it('at notAfter with a window wide enough, the message verifies', async () => {
    expect(reasonOf(await verifyAt(Date.parse('2022-08-17T23:59:59.000Z'), { maxMessageAgeMs: 30 * 86_400_000 }))).toBe('ok');
  });

  it.each([
    [{ trustedTopicArns: undefined }],
    [{ trustedTopicArns: 'arn:aws:sns:us-east-2:295079676684:x' }],
    [{ trustedTopicArns: [], maxMessageAgeMs: -1 }],
    [{ trustedTopicArns: [], maxFutureSkewMs: Number.NaN }],
  ])('invalid options throw a configuration error: %j', async (options) => {
    await expect(verifySnsMessage(vectorMessage(vector), certificate, new Date(published), options as never)).rejects.toBeInstanceOf(LifecycleHookConfigError);
  });

  it('an empty trusted-topic list refuses everything', async () => {
    expect(reasonOf(await verifySnsMessage(vectorMessage(vector), certificate, new Date(published), { trustedTopicArns: [] }))).toBe('untrusted_topic');
  });
});

describe('signature encoding', () => {
  const vector = VERIFIED_SNS_VECTORS.find((v) => v.file === 'pudding-2014-notification.json')!;

  it.each([
    ['a missing Signature', undefined, 'malformed_event'],
    ['an empty Signature', '', 'malformed_event'],
    ['a numeric Signature', 12, 'malformed_event'],
    ['base64url instead of base64', 'oxUggncdas6GcSzheXSRU9MZtvvFEGqd4IwGTG1ljj9CRWF_AxQ-_hS986bW4bGrh9ic5Z-uIUXRq_XfN34aFGMsLy9RSNgAwKoDe0e-g9OFWP3DrK-oe-Lr2HfwyRtS7J5YnHAeRkuuCIVkCRX-RgXLJvCfosSmgKGiYBToDakoEVsJyBh1MbuPCz33Czw974UdsWfCSzUhM0gOceQ6LbkHBUdfXcPH8wFVpoSoJZcnDIKqjTjRAhmYKdC85c2J1Jca35PY2gaPPDtiPtnoKxDMfJ4PTlrW2jVefaZjKBRj43o-aaWzBVNG1931OpjtMu6d5Lml_148bweB27am3A==', 'invalid_signature'],
    ['base64 with whitespace', 'oxUggncdas6GcSzh eXSRU9MZtvvFEGqd4IwGTG1ljj9CRWF/AxQ+/hS986bW4bGrh9ic5Z+uIUXRq/XfN34aFGMsLy9RSNgAwKoDe0e+g9OFWP3DrK+oe+Lr2HfwyRtS7J5YnHAeRkuuCIVkCRX+RgXLJvCfosSmgKGiYBToDakoEVsJyBh1MbuPCz33Czw974UdsWfCSzUhM0gOceQ6LbkHBUdfXcPH8wFVpoSoJZcnDIKqjTjRAhmYKdC85c2J1Jca35PY2gaPPDtiPtnoKxDMfJ4PTlrW2jVefaZjKBRj43o+aaWzBVNG1931OpjtMu6d5Lml/148bweB27am3A==', 'invalid_signature'],
    ['a truncated signature', 'oxUggncdas6GcSzheXSRU9MZtvvFEGqd', 'invalid_signature'],
    ['a huge signature', 'A'.repeat(4096), 'invalid_signature'],
  ])('%s → %s', async (_, signature, reason) => {
    const envelope = snsEnvelope(vector);
    if (signature === undefined) delete envelope['Signature'];
    else envelope['Signature'] = signature;
    expect(reasonOf(await verifyVector(vector, envelope))).toBe(reason);
  });
});

describe('a certificate URL outside the policy is refused even with the right certificate in hand', () => {
  const vector = VERIFIED_SNS_VECTORS.find((v) => v.file === 'pudding-2014-notification.json')!;
  it.each([
    'http://sns.us-east-1.amazonaws.com/SimpleNotificationService-d6d679a1d18e95c2f9ffcf11f4f9e198.pem',
    'https://sns.us-east-1.amazonaws.com.evil.com/SimpleNotificationService-d6d679a1d18e95c2f9ffcf11f4f9e198.pem',
    'https://evil.com/sns.us-east-1.amazonaws.com/SimpleNotificationService-d6d679a1d18e95c2f9ffcf11f4f9e198.pem',
  ])('%s', async (url) => {
    const envelope = { ...snsEnvelope(vector), SigningCertURL: url };
    expect(reasonOf(await verifyVector(vector, envelope))).toBe('untrusted_certificate_url');
  });
});

describe('messages signed in the test by a generated SNS-like key', () => {
  it.each(['1', '2'] as const)('a Notification signed with SignatureVersion %s verifies, and unsigned fields can change freely', async (version) => {
    const signer = await generatedSnsSigner();
    const certificate = unwrap(parseSnsSigningCertificate(signer.pem));
    const envelope = await signer.sign(notificationFields(), version);
    const altered = { ...envelope, UnsubscribeURL: 'https://evil.example/', MessageAttributes: { x: { Type: 'String', Value: 'y' } } };
    const verified = unwrap(await verifySnsMessage(parsedMessage(altered), certificate, GENERATED_NOW, { trustedTopicArns: [TEST_TOPIC] }));
    expect(unwrap(lifecycleEventFromSns(verified))).toMatchObject({ kind: 'terminate', effect: 'terminate', instanceId: 'i-0123456789abcdef0', region: 'us-west-2', accountId: '123456789012' });
  });

  it('a Notification with a non-ASCII Message verifies over its UTF-8 bytes', async () => {
    const signer = await generatedSnsSigner();
    const envelope = await signer.sign(notificationFields({ Message: 'Größe ✓ 𝄞 "quoted"\n\ttab', Subject: 'Ünïcode' }));
    expect(reasonOf(await verifySnsMessage(parsedMessage(envelope), unwrap(parseSnsSigningCertificate(signer.pem)), GENERATED_NOW, { trustedTopicArns: [TEST_TOPIC] }))).toBe('ok');
  });

  it('an UnsubscribeConfirmation verifies but carries no lifecycle event', async () => {
    const signer = await generatedSnsSigner();
    const envelope = await signer.sign(confirmationFields('UnsubscribeConfirmation'));
    const verified = unwrap(await verifySnsMessage(parsedMessage(envelope), unwrap(parseSnsSigningCertificate(signer.pem)), GENERATED_NOW, { trustedTopicArns: [TEST_TOPIC] }));
    expect(verified.type).toBe('UnsubscribeConfirmation');
    expect(reasonOf(lifecycleEventFromSns(verified))).toBe('unsupported_event');
  });

  it('a 1024-bit key is refused even though its signature is valid', async () => {
    const signer = await generatedSnsSigner({ bits: 1024 });
    const envelope = await signer.sign(notificationFields());
    expect(reasonOf(await verifySnsMessage(parsedMessage(envelope), unwrap(parseSnsSigningCertificate(signer.pem)), GENERATED_NOW, { trustedTopicArns: [TEST_TOPIC] }))).toBe('invalid_signature');
  });

  it('a lifecycle event inside a verified message is still checked: a bad instance ID is malformed', async () => {
    const signer = await generatedSnsSigner();
    const envelope = await signer.sign(notificationFields({ Message: JSON.stringify({ ...JSON.parse(notificationFields()['Message']!), EC2InstanceId: 'i-../../etc' }) }));
    const verified = unwrap(await verifySnsMessage(parsedMessage(envelope), unwrap(parseSnsSigningCertificate(signer.pem)), GENERATED_NOW, { trustedTopicArns: [TEST_TOPIC] }));
    expect(reasonOf(lifecycleEventFromSns(verified))).toBe('malformed_event');
  });
});
