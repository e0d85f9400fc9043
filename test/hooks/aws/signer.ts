/**
 * A stand-in for Amazon SNS, made in the test: a key pair, a self-signed certificate with an
 * SNS signing name, and a signer that produces SNS HTTP bodies. For cases the real vectors cannot
 * cover (an UnsubscribeConfirmation, a foreign SubscribeURL under a valid signature, odd keys).
 * The string to sign is written out here independently of src/, so a mistake there would not be
 * repeated here; the real vectors pin both to what AWS signs.
 */
import { cryptoProvider, X509CertificateGenerator } from '@peculiar/x509';

cryptoProvider.set(crypto);

export interface GeneratedSigner {
  readonly pem: string;
  /** The message as SNS would post it, signed with `signatureVersion` ("1" SHA-1, "2" SHA-256). */
  sign(fields: Record<string, string>, signatureVersion?: '1' | '2'): Promise<Record<string, string>>;
}

export interface SignerOptions {
  readonly name?: string;
  readonly bits?: number;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly algorithm?: 'RSA' | 'ECDSA';
}

const NOTIFICATION_KEYS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'];
const CONFIRMATION_KEYS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];

export function stringToSignForTest(fields: Record<string, string>): string {
  const keys = fields['Type'] === 'Notification' ? NOTIFICATION_KEYS : CONFIRMATION_KEYS;
  return keys
    .filter((key) => fields[key] !== undefined)
    .map((key) => `${key}\n${fields[key]}\n`)
    .join('');
}

export async function generatedSnsSigner(options: SignerOptions = {}): Promise<GeneratedSigner> {
  const { name = 'sns.amazonaws.com', bits = 2048, notBefore = new Date('2020-01-01T00:00:00Z'), notAfter = new Date('2040-01-01T00:00:00Z'), algorithm = 'RSA' } = options;
  const keys =
    algorithm === 'RSA'
      ? await crypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'])
      : await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const certificate = await X509CertificateGenerator.createSelfSigned({
    serialNumber: '0102',
    name: `CN=${name}`,
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: algorithm === 'RSA' ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : { name: 'ECDSA', hash: 'SHA-256' },
  });
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  const signingKeys = {
    '1': algorithm === 'RSA' ? await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1' }, false, ['sign']) : keys.privateKey,
    '2': keys.privateKey,
  };
  return {
    pem: certificate.toString('pem'),
    async sign(fields, signatureVersion = '2') {
      const data = new TextEncoder().encode(stringToSignForTest(fields));
      const signature =
        algorithm === 'RSA'
          ? await crypto.subtle.sign('RSASSA-PKCS1-v1_5', signingKeys[signatureVersion], data)
          : await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, signingKeys[signatureVersion], data);
      return { ...fields, SignatureVersion: signatureVersion, Signature: Buffer.from(signature).toString('base64') };
    },
  };
}

export const TEST_TOPIC = 'arn:aws:sns:us-west-2:123456789012:kjb-lifecycle';
export const TEST_CERT_URL = 'https://sns.us-west-2.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem';
export const TEST_TOKEN = '2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736';

/** A lifecycle notification as Auto Scaling publishes it, with values for this test. */
export function lifecycleNotificationJson(overrides: Record<string, string> = {}): string {
  return JSON.stringify({
    Origin: 'EC2',
    LifecycleHookName: 'kjb-terminate',
    Destination: 'AutoScalingGroup',
    AccountId: '123456789012',
    RequestId: 'd4b6a7e6-3c1b-4c9f-9f44-3a1e2c7b9d10',
    LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
    AutoScalingGroupName: 'kjb-workers',
    Service: 'AWS Auto Scaling',
    Time: '2026-11-30T12:00:00.123Z',
    EC2InstanceId: 'i-0123456789abcdef0',
    LifecycleActionToken: '3f1e6b2a-9c4d-4e8f-a1b2-c3d4e5f60718',
    ...overrides,
  });
}

export function notificationFields(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    Type: 'Notification',
    MessageId: '6f0c0d2e-8f7a-5b1c-9d3e-4a5b6c7d8e9f',
    TopicArn: TEST_TOPIC,
    Subject: 'Auto Scaling:  Lifecycle action \'TERMINATING\' for instance i-0123456789abcdef0 in progress.',
    Message: lifecycleNotificationJson(),
    Timestamp: '2026-11-30T12:00:00.456Z',
    SigningCertURL: TEST_CERT_URL,
    UnsubscribeURL: `https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${TEST_TOPIC}:0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0`,
    ...overrides,
  };
}

export function confirmationFields(type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation', overrides: Record<string, string> = {}): Record<string, string> {
  return {
    Type: type,
    MessageId: '1c2d3e4f-5061-4728-8394-a5b6c7d8e9f0',
    Token: TEST_TOKEN,
    TopicArn: TEST_TOPIC,
    Message: `You have chosen to subscribe to the topic ${TEST_TOPIC}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
    SubscribeURL: `https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TEST_TOPIC}&Token=${TEST_TOKEN}`,
    Timestamp: '2026-11-30T12:00:00.456Z',
    SigningCertURL: TEST_CERT_URL,
    ...overrides,
  };
}

/** One second after the generated messages' Timestamp. */
export const GENERATED_NOW = new Date('2026-11-30T12:00:01.456Z');
