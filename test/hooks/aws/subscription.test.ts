import { describe, expect, it } from 'vitest';
import { parseSnsSigningCertificate, subscriptionConfirmationUrl, verifySnsMessage } from '../../../src/hooks/aws/index.js';
import { confirmationFields, GENERATED_NOW, generatedSnsSigner, notificationFields, TEST_TOPIC } from './signer.js';
import { parsedMessage, pinnedNow, reasonOf, snsEnvelope, unwrap, vectorCertificate, vectorMessage, VERIFIED_SNS_VECTORS } from './vectors.js';

describe('subscriptionConfirmationUrl', () => {
  it.each(VERIFIED_SNS_VECTORS.filter((v) => v.type === 'SubscriptionConfirmation'))('a verified real confirmation ($file) yields its SubscribeURL exactly', async (vector) => {
    const verified = unwrap(await verifySnsMessage(vectorMessage(vector), vectorCertificate(vector.certificate), pinnedNow(snsEnvelope(vector)), { trustedTopicArns: [vector.topicArn] }));
    expect(unwrap(subscriptionConfirmationUrl(verified))).toBe(snsEnvelope(vector)['SubscribeURL']);
  });

  async function verifiedGenerated(fields: Record<string, string>) {
    const signer = await generatedSnsSigner();
    const envelope = await signer.sign(fields);
    return unwrap(await verifySnsMessage(parsedMessage(envelope), unwrap(parseSnsSigningCertificate(signer.pem)), GENERATED_NOW, { trustedTopicArns: [TEST_TOPIC] }));
  }

  it('a verified Notification is not a confirmation', async () => {
    expect(reasonOf(subscriptionConfirmationUrl(await verifiedGenerated(notificationFields())))).toBe('unsupported_event');
  });

  it('a verified UnsubscribeConfirmation is never re-subscribed', async () => {
    expect(reasonOf(subscriptionConfirmationUrl(await verifiedGenerated(confirmationFields('UnsubscribeConfirmation'))))).toBe('unsupported_event');
  });

  it.each([
    ['on another host', 'https://evil.example/?Action=ConfirmSubscription'],
    ['on a lookalike host', `https://sns.us-west-2.amazonaws.com.evil.example/?Action=ConfirmSubscription&TopicArn=${TEST_TOPIC}&Token=x`],
    ['for another topic', confirmationFields('SubscriptionConfirmation')['SubscribeURL']!.replace('kjb-lifecycle', 'attacker-topic')],
    ['with another token', confirmationFields('SubscriptionConfirmation')['SubscribeURL']!.replace(/Token=.*$/, 'Token=0000')],
  ])('a validly signed SubscribeURL %s is refused', async (_, subscribeUrl) => {
    const verified = await verifiedGenerated(confirmationFields('SubscriptionConfirmation', { SubscribeURL: subscribeUrl }));
    expect(reasonOf(subscriptionConfirmationUrl(verified))).toBe('untrusted_subscribe_url');
  });
});
