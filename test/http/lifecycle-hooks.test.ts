/**
 * `POST /v1/hooks/aws/lifecycle` through createApp on fakes: authentication of each delivery
 * kind, every trust-boundary failure reason → status and code, SNS subscription handling, and
 * what each lifecycle effect does to the ledger, the cluster and the audit — including that a
 * redelivered event changes nothing and that a delivery failing halfway is finished by the next.
 * SNS messages are the real vectors (clock pinned to each) or signed in the test (signer.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { KubeApiError } from '../../src/cluster/kube-api.js';
import { lifecycleHookFailureStatus, type LifecycleHookFailureReason } from '../../src/hooks/aws/index.js';
import { PROBLEM_CODES } from '../../src/http/problem.js';
import { HOOK_FAILURE_PROBLEMS, HOOK_SECRET_HEADER } from '../../src/http/routes/lifecycle-hooks.js';
import { LIFECYCLE_OUTCOMES } from '../../src/lifecycle/act.js';
import { openapi } from '../contract/openapi.js';
import { confirmationFields, GENERATED_NOW, generatedSnsSigner, lifecycleNotificationJson, notificationFields, TEST_CERT_URL, TEST_TOPIC, type GeneratedSigner } from '../hooks/aws/signer.js';
import { BAD_SIGNATURE_VECTORS, certificatePem, fixtureText, keyValueLinesToJson, pinnedNow, REAL_DATE, snsBody, snsEnvelope, VERIFIED_SNS_VECTORS, type SnsVector } from '../hooks/aws/vectors.js';
import {
  ACCOUNT,
  answer,
  EVENT_TIME,
  eventBridgeEvent,
  hookApp,
  hookPolicy,
  INSTANCE,
  keyOf,
  NODE_NAME,
  PENDING_TIME,
  PUDDING_TOPIC,
  recordingFetch,
  recordJoin,
  registerNode,
  SECRET_HEADER,
} from './lifecycle-support.js';

const vector = (file: string): SnsVector => [...VERIFIED_SNS_VECTORS, ...BAD_SIGNATURE_VECTORS].find((v) => v.file === file)!;
const TERMINATING = vector('pudding-2014-asg-terminating.derived.json');
const TERMINATING_BADSIG = vector('pudding-2014-asg-terminating.as-published.BADSIG.json');
const SNS_HEADERS = { 'content-type': 'text/plain; charset=UTF-8' };

/** A fetch serving each vector's certificate at its SigningCertURL. */
function vectorCertificates(extra: Record<string, () => Response> = {}) {
  const served: Record<string, () => Response> = { ...extra };
  for (const v of [...VERIFIED_SNS_VECTORS, ...BAD_SIGNATURE_VECTORS]) {
    const url = snsEnvelope(v)['SigningCertURL'] as string;
    served[url] = () => new Response(certificatePem(v.certificate), { status: 200 });
  }
  return recordingFetch(served);
}

let signer: GeneratedSigner;
beforeAll(async () => {
  signer = await generatedSnsSigner();
});
const generatedCertificate = () => new Response(signer.pem, { status: 200 });

describe('configuration', () => {
  it.each([
    ['a topic ARN', 'arn:aws:sns:us-east-1:123456789012:kjb-lifecycle', true],
    ['GovCloud', 'arn:aws-us-gov:sns:us-gov-west-1:123456789012:kjb', true],
    ['China', 'arn:aws-cn:sns:cn-north-1:123456789012:kjb', true],
    ['a China region in the aws partition', 'arn:aws:sns:cn-north-1:123456789012:kjb', false],
    ['a FIFO topic (cannot deliver to HTTPS)', 'arn:aws:sns:us-east-1:123456789012:kjb.fifo', false],
    ['a wildcard', 'arn:aws:sns:us-east-1:123456789012:*', false],
    ['an SQS queue', 'arn:aws:sqs:us-east-1:123456789012:kjb', false],
    ['a short account', 'arn:aws:sns:us-east-1:12345:kjb', false],
    ['a subscription ARN', 'arn:aws:sns:us-east-1:123456789012:kjb:0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0', false],
  ])('aws.lifecycle.trustedTopicArns: %s → valid %s', (_name, arn, valid) => {
    const build = () => hookApp({ env: { JOIN_POLICY: hookPolicy([arn]) } });
    if (valid) expect(build().deps.config.policy.aws.lifecycle.trustedTopicArns).toEqual([arn]);
    else expect(build).toThrow('aws.lifecycle.trustedTopicArns[0]: expected an SNS topic ARN, arn:aws:sns:<region>:<account>:<topic> (standard topics only)');
  });

  it.each([
    ['shorter than 32 characters', 'x'.repeat(31), 'must be at least 32 characters (e.g. openssl rand -hex 32)'],
    ['with a space', `${'x'.repeat(32)} y`, 'must be printable ASCII without spaces (it travels in an HTTP header)'],
  ])('LIFECYCLE_HOOK_SECRET %s is a named configuration error that never echoes the value', (_name, value, message) => {
    expect(() => hookApp({ env: { LIFECYCLE_HOOK_SECRET: value } })).toThrow(`"variable":"LIFECYCLE_HOOK_SECRET","message":"${message}"`);
  });

  it('the trusted topics default to none, the secret to unset', () => {
    const { deps } = hookApp({ env: { JOIN_POLICY: 'pools: [{name: workers}]', LIFECYCLE_HOOK_SECRET: undefined } });
    expect(deps.config.policy.aws.lifecycle).toEqual({ trustedTopicArns: [] });
    expect(deps.config.lifecycleHookSecret).toBeUndefined();
  });
});

describe('openapi.yaml names what the route answers', () => {
  it('LifecycleHookResult.outcome is LIFECYCLE_OUTCOMES; the secret header is the hookSecret scheme', () => {
    const schemas = openapi.components['schemas'] as Record<string, { properties: Record<string, { enum?: string[] }> }>;
    expect(schemas['LifecycleHookResult']!.properties['outcome']!.enum).toEqual(LIFECYCLE_OUTCOMES);
    expect((openapi.components['securitySchemes'] as Record<string, { name: string }>)['hookSecret']!.name).toBe(HOOK_SECRET_HEADER);
  });
});

describe('every trust-boundary failure has one stable code with the status the boundary asks for', () => {
  it.each(Object.keys(HOOK_FAILURE_PROBLEMS) as LifecycleHookFailureReason[])('%s', (reason) => {
    const { code } = HOOK_FAILURE_PROBLEMS[reason];
    expect(PROBLEM_CODES[code].status).toBe(lifecycleHookFailureStatus(reason));
  });

  it('the codes', () => {
    expect(Object.fromEntries(Object.entries(HOOK_FAILURE_PROBLEMS).map(([reason, { code }]) => [reason, code]))).toEqual({
      malformed_event: 'invalid_request',
      unsupported_event: 'invalid_request',
      untrusted_topic: 'untrusted_topic',
      untrusted_certificate_url: 'invalid_sns_message',
      untrusted_subscribe_url: 'invalid_sns_message',
      unsupported_signature_version: 'invalid_sns_message',
      invalid_signature: 'invalid_sns_message',
      invalid_certificate: 'invalid_sns_message',
      expired_certificate: 'invalid_sns_message',
      stale_message: 'invalid_sns_message',
      upstream_unavailable: 'upstream_unavailable',
    });
  });
});

describe('deliveries that are not lifecycle events, or not authentic: 4xx/503, nothing changes', () => {
  /** Each case: the request, the status and code, the reason in the log; the ledger, cluster and audit stay empty. */
  const signedNotification = (overrides: Record<string, string> = {}, version: '1' | '2' = '2') => signer.sign(notificationFields(overrides), version);
  const cases: [string, () => Promise<{ body: string | Uint8Array; headers?: Record<string, string>; now?: Date; serve?: Record<string, () => Response> }>, number, string, string][] = [
    ['not JSON', async () => ({ body: 'terminate i-0123456789abcdef0' }), 400, 'invalid_request', 'malformed_event'],
    ['an empty body', async () => ({ body: '' }), 400, 'invalid_request', 'malformed_event'],
    ['a JSON array', async () => ({ body: '[1]' }), 400, 'invalid_request', 'malformed_event'],
    ['an unrelated JSON object', async () => ({ body: '{"hello":"world"}' }), 400, 'invalid_request', 'unsupported_event'],
    ['an EventBridge event of another source', async () => ({ body: eventBridgeEvent('terminate').replace('"aws.autoscaling"', '"aws.ec2"'), headers: SECRET_HEADER }), 400, 'invalid_request', 'unsupported_event'],
    ['an EventBridge event with a bad instance ID', async () => ({ body: eventBridgeEvent('terminate', { instanceId: 'i-XYZ' }), headers: SECRET_HEADER }), 400, 'invalid_request', 'malformed_event'],
    ['SNS raw message delivery', async () => ({ body: lifecycleNotificationJson(), headers: { 'x-amz-sns-rawdelivery': 'true' } }), 400, 'invalid_request', 'unsupported_event'],
    ['a genuine SNS message from a topic not trusted', async () => ({ body: snsBody(vector('ruby-2022-notification-sigv2.json')), headers: SNS_HEADERS }), 400, 'untrusted_topic', 'untrusted_topic'],
    [
      'a genuine SNS message whose SigningCertURL was changed to a foreign host',
      async () => ({ body: JSON.stringify({ ...snsEnvelope(TERMINATING), SigningCertURL: 'https://sns.us-east-1.amazonaws.com.attacker.example/cert.pem' }), now: pinnedNow(snsEnvelope(TERMINATING)) }),
      400,
      'invalid_sns_message',
      'untrusted_certificate_url',
    ],
    ['SignatureVersion 3', async () => ({ body: JSON.stringify({ ...(await signedNotification()), SignatureVersion: '3' }), now: GENERATED_NOW }), 400, 'invalid_sns_message', 'unsupported_signature_version'],
    ['the real BADSIG terminating notification', async () => ({ body: snsBody(TERMINATING_BADSIG), headers: SNS_HEADERS, now: pinnedNow(snsEnvelope(TERMINATING_BADSIG)) }), 400, 'invalid_sns_message', 'invalid_signature'],
    ['a genuine message whose Message was edited', async () => ({ body: JSON.stringify({ ...snsEnvelope(TERMINATING), Message: (snsEnvelope(TERMINATING)['Message'] as string).replace('i-4c87e963', 'i-4c87e964') }), now: pinnedNow(snsEnvelope(TERMINATING)) }), 400, 'invalid_sns_message', 'invalid_signature'],
    ['a certificate URL that answers 404', async () => ({ body: JSON.stringify(await signedNotification()), now: GENERATED_NOW, serve: { [TEST_CERT_URL]: () => new Response('no such key', { status: 404 }) } }), 400, 'invalid_sns_message', 'invalid_certificate'],
    ['a certificate URL that redirects', async () => ({ body: JSON.stringify(await signedNotification()), now: GENERATED_NOW, serve: { [TEST_CERT_URL]: () => new Response(null, { status: 302, headers: { location: 'https://attacker.example/cert.pem' } }) } }), 400, 'invalid_sns_message', 'invalid_certificate'],
    ['a genuine message at a time its certificate has expired', async () => ({ body: snsBody(TERMINATING), headers: SNS_HEADERS, now: REAL_DATE }), 400, 'invalid_sns_message', 'expired_certificate'],
    ['a signed message two hours old', async () => ({ body: JSON.stringify(await signedNotification()), now: new Date(GENERATED_NOW.getTime() + 2 * 3600_000), serve: { [TEST_CERT_URL]: generatedCertificate } }), 400, 'invalid_sns_message', 'stale_message'],
    ['a certificate host that cannot be reached', async () => ({ body: JSON.stringify(await signedNotification()), now: GENERATED_NOW, serve: {} }), 503, 'upstream_unavailable', 'upstream_unavailable'],
    ['a certificate host answering 503', async () => ({ body: JSON.stringify(await signedNotification()), now: GENERATED_NOW, serve: { [TEST_CERT_URL]: () => new Response('slow down', { status: 503 }) } }), 503, 'upstream_unavailable', 'upstream_unavailable'],
    [
      'a signed SNS message that is not an Auto Scaling notification',
      async () => ({ body: JSON.stringify(await signedNotification({ Message: 'hello from a person testing the topic' })), now: GENERATED_NOW, serve: { [TEST_CERT_URL]: generatedCertificate } }),
      400,
      'invalid_request',
      'unsupported_event',
    ],
  ];

  it.each(cases.map(([name, make, status, code, reason]) => ({ name, make, status, code, reason })))('$name → $status $code', async ({ make, status, code, reason }) => {
    const request = await make();
    const hook = hookApp({ fetch: vectorCertificates(request.serve), ...(request.now === undefined ? {} : { now: request.now }) });
    const { body, headers } = await answer(await hook.post(request.body, request.headers));
    expect({ status: body['status'], code: body['code'] }).toEqual({ status, code });
    if (status === 503) expect(headers.get('retry-after')).toBe('5');
    else expect(headers.get('retry-after')).toBeNull();
    expect(hook.log.lines.find((line) => line.event === 'lifecycle.refused')?.fields).toMatchObject({ code, reason });
    expect(hook.ledger.states.size).toBe(0);
    expect(hook.kube.writes).toEqual([]);
    expect(hook.audit.stored).toEqual([]);
  });

  it('a foreign certificate URL is never fetched, and neither is anything for a topic not trusted', async () => {
    const foreign = { ...snsEnvelope(TERMINATING), SigningCertURL: 'https://attacker.example/SimpleNotificationService-x.pem' };
    const untrusted = snsBody(vector('ruby-2022-notification-sigv1.json'));
    const hook = hookApp({ fetch: vectorCertificates(), now: pinnedNow(snsEnvelope(TERMINATING)) });
    expect((await hook.post(JSON.stringify(foreign))).status).toBe(400);
    expect((await hook.post(untrusted)).status).toBe(400);
    expect(hook.fetch.calls).toEqual([]);
  });

  it('with no trusted topic configured, every SNS delivery is untrusted_topic, and the detail says why', async () => {
    const hook = hookApp({ env: { JOIN_POLICY: hookPolicy([]) }, fetch: vectorCertificates(), now: pinnedNow(snsEnvelope(TERMINATING)) });
    const { status, body } = await answer(await hook.post(snsBody(TERMINATING), SNS_HEADERS));
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'untrusted_topic', detail: 'This broker trusts no SNS topic: list the topic in the join policy under aws.lifecycle.trustedTopicArns.' });
    expect(hook.fetch.calls).toEqual([]);
  });

  describe('EventBridge and plain deliveries need the shared secret', () => {
    it.each([
      ['no header', {}, {}],
      ['a wrong secret', { 'x-kube-join-broker-hook-secret': 'hook-secret-for-tests-0123456789abcdeX' }, {}],
      ['the secret in another header', { authorization: 'Bearer hook-secret-for-tests-0123456789abcdef' }, {}],
      ['the right header, but no secret configured', SECRET_HEADER, { LIFECYCLE_HOOK_SECRET: undefined }],
    ])('%s → 401 with a challenge, nothing changes', async (_name, headers: Record<string, string>, env) => {
      const hook = hookApp({ env });
      for (const body of [eventBridgeEvent('terminate'), lifecycleNotificationJson({ AccountId: ACCOUNT })]) {
        const { status, body: problem, headers: answered } = await answer(await hook.post(body, headers));
        expect(status).toBe(401);
        expect(problem).toMatchObject({ code: 'unauthorized', detail: expect.stringContaining('X-Kube-Join-Broker-Hook-Secret') });
        expect(answered.get('www-authenticate')).toBe('HookSecret realm="kube-join-broker", header="X-Kube-Join-Broker-Hook-Secret"');
      }
      expect(hook.ledger.states.size).toBe(0);
      expect(hook.log.text()).not.toContain('hook-secret-for-tests');
    });

    it('the log says which: no secret configured, none presented, or a wrong one', async () => {
      const reasons = async (env: Record<string, string | undefined>, headers: Record<string, string>) => {
        const hook = hookApp({ env });
        await hook.post(eventBridgeEvent('launch'), headers);
        return hook.log.lines.find((line) => line.event === 'lifecycle.unauthorized')?.fields['reason'];
      };
      expect(await reasons({ LIFECYCLE_HOOK_SECRET: undefined }, SECRET_HEADER)).toBe('no_secret_configured');
      expect(await reasons({}, {})).toBe('no_secret_presented');
      expect(await reasons({}, { 'x-kube-join-broker-hook-secret': 'x' })).toBe('wrong_secret');
    });

    it('an SNS message is never accepted on the secret alone: an unsigned one fails its signature check', async () => {
      const hook = hookApp({ fetch: recordingFetch({ [TEST_CERT_URL]: generatedCertificate }), now: GENERATED_NOW });
      const unsigned = { ...notificationFields(), SignatureVersion: '2', Signature: Buffer.from('x'.repeat(256)).toString('base64') };
      const { body } = await answer(await hook.post(JSON.stringify(unsigned), SECRET_HEADER));
      expect(body['code']).toBe('invalid_sns_message');
      expect(hook.ledger.states.size).toBe(0);
    });
  });
});

describe('SNS subscriptions', () => {
  const confirmUrl = (fields: Record<string, string>) => fields['SubscribeURL']!;

  it('the real SubscriptionConfirmation vector is confirmed: one GET of its SubscribeURL, redirect manual, with a timeout', async () => {
    const confirmation = vector('pudding-2014-subscription-confirmation.json');
    const url = snsEnvelope(confirmation)['SubscribeURL'] as string;
    const hook = hookApp({ fetch: vectorCertificates({ [url]: () => new Response('<ConfirmSubscriptionResponse/>', { status: 200 }) }), now: pinnedNow(snsEnvelope(confirmation)) });
    const { status, body } = await answer(await hook.post(snsBody(confirmation), { ...SNS_HEADERS, 'x-amz-sns-message-type': 'SubscriptionConfirmation' }));
    expect(status).toBe(200);
    expect(body).toEqual({ outcome: 'subscription_confirmed', changed: true, topicArn: PUDDING_TOPIC });
    expect(hook.fetch.calls.map((call) => [call.url, call.init?.method, call.init?.redirect, call.init?.signal instanceof AbortSignal])).toEqual([
      [snsEnvelope(confirmation)['SigningCertURL'], 'GET', 'manual', true],
      [url, 'GET', 'manual', true],
    ]);
    expect(hook.log.text()).not.toContain(snsEnvelope(confirmation)['Token'] as string);
  });

  it.each([
    ['SNS cannot be reached', undefined, 503, 'upstream_unavailable'],
    ['SNS answers 500', () => new Response('', { status: 500 }), 503, 'upstream_unavailable'],
    ['SNS answers 429', () => new Response('', { status: 429 }), 503, 'upstream_unavailable'],
    ['SNS answers 403 (an expired token)', () => new Response('<Error/>', { status: 403 }), 400, 'invalid_request'],
    ['SNS redirects', () => new Response(null, { status: 301, headers: { location: 'https://attacker.example/' } }), 400, 'invalid_request'],
  ].map(([name, subscribeAnswer, status, code]) => ({ name: name as string, subscribeAnswer: subscribeAnswer as (() => Response) | undefined, status: status as number, code: code as string })))('a generated SubscriptionConfirmation when $name → $status $code', async ({ subscribeAnswer, status, code }) => {
    const fields = await signer.sign(confirmationFields('SubscriptionConfirmation'));
    const serve: Record<string, () => Response> = { [TEST_CERT_URL]: generatedCertificate };
    if (subscribeAnswer !== undefined) serve[confirmUrl(fields)] = subscribeAnswer;
    const hook = hookApp({ fetch: recordingFetch(serve), now: GENERATED_NOW });
    const { body, headers } = await answer(await hook.post(JSON.stringify(fields), SNS_HEADERS));
    expect({ status: body['status'], code: body['code'] }).toEqual({ status, code });
    expect(headers.get('retry-after')).toBe(status === 503 ? '5' : null);
    expect(hook.fetch.calls.map((call) => call.url)).toEqual([TEST_CERT_URL, confirmUrl(fields)]);
  });

  it('a signed confirmation whose SubscribeURL points elsewhere is refused and not visited', async () => {
    const fields = await signer.sign(confirmationFields('SubscriptionConfirmation', { SubscribeURL: 'https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-west-2:123456789012:other&Token=abc' }));
    const hook = hookApp({ fetch: recordingFetch({ [TEST_CERT_URL]: generatedCertificate }), now: GENERATED_NOW });
    const { body } = await answer(await hook.post(JSON.stringify(fields), SNS_HEADERS));
    expect(body).toMatchObject({ status: 400, code: 'invalid_sns_message' });
    expect(hook.fetch.calls.map((call) => call.url)).toEqual([TEST_CERT_URL]);
  });

  it('an UnsubscribeConfirmation is acknowledged, and its SubscribeURL is never visited', async () => {
    const fields = await signer.sign(confirmationFields('UnsubscribeConfirmation'));
    const hook = hookApp({ fetch: recordingFetch({ [TEST_CERT_URL]: generatedCertificate, [confirmUrl(fields)]: () => new Response('', { status: 200 }) }), now: GENERATED_NOW });
    const { status, body } = await answer(await hook.post(JSON.stringify(fields), SNS_HEADERS));
    expect(status).toBe(200);
    expect(body).toEqual({ outcome: 'unsubscribe_acknowledged', changed: false, topicArn: TEST_TOPIC });
    expect(hook.fetch.calls.map((call) => call.url)).toEqual([TEST_CERT_URL]);
  });

  it('a confirmation from a topic not trusted is refused before any fetch: nobody subscribes the broker to their topic', async () => {
    const confirmation = vector('unidentified-2024-subscription-confirmation-sigv2.json');
    const hook = hookApp({ fetch: vectorCertificates(), now: pinnedNow(snsEnvelope(confirmation)) });
    expect((await answer(await hook.post(snsBody(confirmation), SNS_HEADERS))).body['code']).toBe('untrusted_topic');
    expect(hook.fetch.calls).toEqual([]);
  });

  it('the certificate source is one per app: a second message from the same certificate fetches nothing', async () => {
    const hook = hookApp({ fetch: recordingFetch({ [TEST_CERT_URL]: generatedCertificate }), now: GENERATED_NOW });
    const test = await signer.sign(notificationFields({ Message: JSON.stringify({ Service: 'AWS Auto Scaling', Time: '2026-11-30T12:00:00.000Z', RequestId: 'a', Event: 'autoscaling:TEST_NOTIFICATION', AccountId: ACCOUNT, AutoScalingGroupName: 'kjb-workers' }) }));
    expect((await hook.post(JSON.stringify(test))).status).toBe(200);
    expect((await hook.post(JSON.stringify(test))).status).toBe(200);
    expect(hook.fetch.calls.map((call) => call.url)).toEqual([TEST_CERT_URL]);
  });
});

describe('test notifications and warm-pool launches are acknowledged and ignored', () => {
  it.each([
    ['the real SNS test notification', async () => ({ body: snsBody(vector('pudding-2014-asg-test-notification.json')), headers: SNS_HEADERS, now: pinnedNow(snsEnvelope(vector('pudding-2014-asg-test-notification.json'))) }), { outcome: 'ignored', changed: false, ignored: 'test_notification', eventId: '3edbc59a-0358-5152-aa1a-88888b0e3347' }],
    ['the AWS doc test notification, plain, with the secret', async () => ({ body: JSON.stringify(keyValueLinesToJson(fixtureText('asg-notification/awsdocs-test-notification.txt'))), headers: SECRET_HEADER }), { outcome: 'ignored', changed: false, ignored: 'test_notification' }],
    ['a launch into the warm pool (EventBridge)', async () => ({ body: eventBridgeEvent('launch', { origin: 'EC2', destination: 'WarmPool' }), headers: SECRET_HEADER }), { outcome: 'ignored', changed: false, ignored: 'warm_pool_launch', instanceId: INSTANCE, eventId: '5d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c0d' }],
  ])('%s', async (_name, make, expected) => {
    const request = await make();
    const hook = hookApp({ fetch: vectorCertificates(), ...('now' in request ? { now: request.now } : {}) });
    const { status, body } = await answer(await hook.post(request.body, request.headers));
    expect(status).toBe(200);
    expect(body).toEqual(expected);
    expect(hook.ledger.states.size).toBe(0);
    expect(hook.audit.stored).toEqual([]);
  });

  it('a warm-pool launch is not an announcement: a requireLaunchHook pool still refuses the instance', async () => {
    const hook = hookApp();
    await hook.post(eventBridgeEvent('launch', { origin: 'EC2', destination: 'WarmPool' }), SECRET_HEADER);
    const claim = await hook.ledger.claim({ key: keyOf(), issuedAt: new Date(EVENT_TIME), rejoin: 'never', now: new Date(EVENT_TIME), leaseMs: 60_000, requireLaunch: true });
    expect(claim).toEqual({ ok: false, reason: 'not_announced', detail: 'no launch hook recorded' });
  });
});

describe('launch into the group: the instance is announced', () => {
  it.each([
    ['EventBridge, no warm pool', eventBridgeEvent('launch'), SECRET_HEADER],
    ['EventBridge, from the warm pool', eventBridgeEvent('launch', { origin: 'WarmPool', destination: 'AutoScalingGroup' }), SECRET_HEADER],
    ['a plain notification (as SQS holds it)', lifecycleNotificationJson({ LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING', AccountId: ACCOUNT, EC2InstanceId: INSTANCE, LifecycleActionToken: '5d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c0d', Time: EVENT_TIME, Origin: 'EC2', Destination: 'AutoScalingGroup' }), SECRET_HEADER],
  ])('%s: expectLaunch, one audit event; the same event again changes nothing', async (_name, body, headers) => {
    const hook = hookApp();
    const first = await answer(await hook.post(body, headers));
    expect(first).toMatchObject({ status: 200, body: { outcome: 'launch_expected', changed: true, instanceId: INSTANCE, eventId: '5d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c0d' } });
    const source = body.includes('"detail-type"') ? 'eventbridge' : 'plain';
    expect(hook.ledger.states.get(`aws/${ACCOUNT}/${INSTANCE}`)).toEqual({
      launch: { expectedAt: '2026-11-30T12:00:05.000Z', details: { autoScalingGroupName: 'kjb-workers', source, eventId: '5d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c0d' } },
    });
    expect(hook.audit.stored).toEqual([
      expect.objectContaining({
        event: 'instance.launch_expected',
        provider: 'aws',
        account: ACCOUNT,
        instanceId: INSTANCE,
        reason: 'lifecycle_launch',
        actor: 'lifecycle-hook',
        detail: `announced by the launch hook ${source === 'plain' ? 'kjb-terminate' : 'kjb-launch'} of group kjb-workers via ${source} (event 5d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c0d)`,
      }),
    ]);
    const again = await answer(await hook.post(body, headers));
    expect(again.body).toMatchObject({ outcome: 'launch_expected', changed: false });
    expect(hook.audit.stored).toHaveLength(1);
    expect(hook.kube.writes).toEqual([]);
  });

  it('requireLaunchHook: refused before the announcement, admitted after it', async () => {
    const hook = hookApp();
    const request = { key: keyOf(), issuedAt: new Date(EVENT_TIME), rejoin: 'never' as const, now: new Date(EVENT_TIME), leaseMs: 60_000, requireLaunch: true };
    expect(await hook.ledger.claim(request)).toMatchObject({ ok: false, reason: 'not_announced' });
    await hook.post(eventBridgeEvent('launch'), SECRET_HEADER);
    expect(await hook.ledger.claim(request)).toMatchObject({ ok: true });
  });
});

describe('terminate: tokens revoked, Node deleted, ledger closed, audited once', () => {
  it('EventBridge: the Secret and the Node go, the ledger and the index are marked, and later joins are refused', async () => {
    const hook = hookApp();
    const { minted, key } = await recordJoin(hook);
    registerNode(hook.kube, { providerID: `aws:///us-east-1a/${INSTANCE}` });
    const { status, body } = await answer(await hook.post(eventBridgeEvent('terminate'), SECRET_HEADER));
    expect(status).toBe(200);
    expect(body).toEqual({ outcome: 'terminated', changed: true, instanceId: INSTANCE, eventId: '87654321-4321-4321-4321-210987654321', revokedTokens: [minted.token.id], deletedNode: NODE_NAME });
    expect(hook.kube.writes).toEqual([`delete secret bootstrap-token-${minted.token.id}`, `delete node ${NODE_NAME}`]);
    expect(hook.kube.secrets.size).toBe(0);
    expect(hook.kube.nodes.size).toBe(0);

    const state = hook.ledger.states.get(`aws/${ACCOUNT}/${INSTANCE}`)!;
    expect(state.terminatedAt).toBe('2026-11-30T12:00:05.000Z');
    expect(state.record).toMatchObject({ tokenRevokedAt: '2026-11-30T12:00:05.000Z', terminatedAt: '2026-11-30T12:00:05.000Z' });
    expect(hook.audit.joins.get(`aws/${ACCOUNT}/${INSTANCE}`)).toMatchObject({ revokedAt: '2026-11-30T12:00:05.000Z', terminatedAt: '2026-11-30T12:00:05.000Z' });
    expect(hook.audit.stored.slice(1).map(({ id: _id, ...event }) => event)).toEqual([
      {
        at: '2026-11-30T12:00:05.000Z',
        event: 'token.revoked',
        ...key,
        region: 'us-east-1',
        nodeName: NODE_NAME,
        pool: 'workers',
        tokenId: minted.token.id,
        reason: 'lifecycle_terminate',
        detail: 'revoked by terminate hook kjb-terminate of group kjb-workers via eventbridge (event 87654321-4321-4321-4321-210987654321)',
        actor: 'lifecycle-hook',
      },
      {
        at: '2026-11-30T12:00:05.000Z',
        event: 'instance.terminated',
        ...key,
        region: 'us-east-1',
        nodeName: NODE_NAME,
        pool: 'workers',
        tokenId: minted.token.id,
        reason: 'lifecycle_terminate',
        detail: `terminate hook kjb-terminate of group kjb-workers via eventbridge (event 87654321-4321-4321-4321-210987654321): joins closed; revoked ${minted.token.id}; deleted Node ${NODE_NAME}`,
        actor: 'lifecycle-hook',
      },
    ]);
    const claim = await hook.ledger.claim({ key, issuedAt: new Date('2026-11-30T12:01:00Z'), rejoin: 'always-within-window', now: new Date('2026-11-30T12:01:00Z'), leaseMs: 60_000 });
    expect(claim).toMatchObject({ ok: false, reason: 'terminated' });
  });

  it('the same event again (and the same action through the other transport) changes nothing: no Kubernetes write, no audit event', async () => {
    const hook = hookApp();
    await recordJoin(hook);
    registerNode(hook.kube);
    await hook.post(eventBridgeEvent('terminate'), SECRET_HEADER);
    const writes = [...hook.kube.writes];
    const events = hook.audit.stored.length;
    const ledger = structuredClone(hook.ledger.states.get(`aws/${ACCOUNT}/${INSTANCE}`));
    hook.clock.advance(30_000);
    for (const body of [eventBridgeEvent('terminate'), eventBridgeEvent('terminate', { id: 'ffffffff-1234-1234-1234-123456789012' })]) {
      const again = await answer(await hook.post(body, SECRET_HEADER));
      expect(again.body).toEqual({ outcome: 'terminated', changed: false, instanceId: INSTANCE, eventId: '87654321-4321-4321-4321-210987654321', revokedTokens: [] });
    }
    expect(hook.kube.writes).toEqual(writes);
    expect(hook.audit.stored).toHaveLength(events);
    expect(hook.ledger.states.get(`aws/${ACCOUNT}/${INSTANCE}`)).toEqual(ledger);
  });

  it('the real SNS terminating notification (vector, clock pinned): its instance is closed', async () => {
    const envelope = snsEnvelope(TERMINATING);
    const hook = hookApp({ fetch: vectorCertificates(), now: pinnedNow(envelope) });
    const { status, body } = await answer(await hook.post(snsBody(TERMINATING), { ...SNS_HEADERS, 'x-amz-sns-message-type': 'Notification', 'x-amz-sns-topic-arn': PUDDING_TOPIC }));
    expect(status).toBe(200);
    expect(body).toEqual({ outcome: 'terminated', changed: true, instanceId: 'i-4c87e963', eventId: '2f346e45-4866-4bf1-a752-f6eea23011c7', revokedTokens: [] });
    expect(hook.ledger.states.get('aws/341288657826/i-4c87e963')).toEqual({ terminatedAt: '2014-12-23T19:17:04.874Z' });
    expect(hook.audit.stored).toEqual([
      expect.objectContaining({
        event: 'instance.terminated',
        instanceId: 'i-4c87e963',
        region: 'us-east-1',
        detail: 'terminate hook org-staging-docker-lch-terminating of group org-staging-docker-asg via sns (event 2f346e45-4866-4bf1-a752-f6eea23011c7): joins closed; no join recorded',
      }),
    ]);
    expect(hook.fetch.calls.map((call) => call.url)).toEqual([envelope['SigningCertURL']]);
    // Redelivered by SNS (same MessageId): nothing more.
    expect((await answer(await hook.post(snsBody(TERMINATING), SNS_HEADERS))).body['changed']).toBe(false);
    expect(hook.audit.stored).toHaveLength(1);
  });

  it('a generated SNS terminate (SignatureVersion 1 and 2) acts like the EventBridge one', async () => {
    for (const version of ['1', '2'] as const) {
      const hook = hookApp({ fetch: recordingFetch({ [TEST_CERT_URL]: generatedCertificate }), now: GENERATED_NOW });
      const { minted } = await recordJoin(hook);
      registerNode(hook.kube);
      const fields = await signer.sign(notificationFields(), version);
      const { body } = await answer(await hook.post(JSON.stringify(fields), SNS_HEADERS));
      expect(body).toEqual({ outcome: 'terminated', changed: true, instanceId: INSTANCE, eventId: '3f1e6b2a-9c4d-4e8f-a1b2-c3d4e5f60718', revokedTokens: [minted.token.id], deletedNode: NODE_NAME });
    }
  });

  it('every broker token of the instance goes: labelled ones and the ledger one; other instances and kubeadm tokens stay', async () => {
    const hook = hookApp();
    const { minted } = await recordJoin(hook);
    const other = await recordJoin(hook, { instanceId: 'i-0fedcba9876543210', seed: 200 });
    // An older token of the same instance (an earlier join) still labelled with its instance ID.
    const older = await recordJoin(hook, { instanceId: 'i-0aaaaaaaaaaaaaaaa', seed: 300 });
    const olderSecret = hook.kube.secrets.get(`kube-system/bootstrap-token-${older.minted.token.id}`)!;
    const identity = JSON.parse(olderSecret.metadata!.annotations!['kube-join-broker.io/identity']!) as Record<string, string>;
    hook.kube.secrets.set(`kube-system/bootstrap-token-${older.minted.token.id}`, {
      ...olderSecret,
      metadata: {
        ...olderSecret.metadata,
        labels: { ...olderSecret.metadata!.labels, 'kube-join-broker.io/instance': INSTANCE },
        annotations: { ...olderSecret.metadata!.annotations, 'kube-join-broker.io/identity': JSON.stringify({ ...identity, instanceId: INSTANCE }) },
      },
    });
    // The current token with its labels edited away: found through the ledger.
    const current = hook.kube.secrets.get(`kube-system/bootstrap-token-${minted.token.id}`)!;
    hook.kube.secrets.set(`kube-system/bootstrap-token-${minted.token.id}`, { ...current, metadata: { ...current.metadata, labels: { 'app.kubernetes.io/managed-by': 'kube-join-broker' } } });
    // A Secret labelled for the instance that is not a broker token.
    await hook.kube.createSecret('kube-system', { metadata: { name: 'lookalike', labels: { 'app.kubernetes.io/managed-by': 'kube-join-broker', 'kube-join-broker.io/instance': INSTANCE } }, type: 'Opaque' });
    hook.kube.writes.length = 0;

    const { body } = await answer(await hook.post(eventBridgeEvent('terminate'), SECRET_HEADER));
    expect((body['revokedTokens'] as string[]).sort()).toEqual([minted.token.id, older.minted.token.id].sort());
    expect([...hook.kube.secrets.keys()].sort()).toEqual([`kube-system/bootstrap-token-${other.minted.token.id}`, 'kube-system/lookalike'].sort());
  });

  it('a token created after the event is still revoked: the instance is going away', async () => {
    const hook = hookApp();
    const { minted } = await recordJoin(hook, { joinedAt: '2026-11-30T12:00:02Z' });
    const { body } = await answer(await hook.post(eventBridgeEvent('terminate'), SECRET_HEADER));
    expect(body['revokedTokens']).toEqual([minted.token.id]);
  });

  it.each([
    ['a providerID naming another instance', { providerID: 'aws:///us-east-1b/i-0fedcba9876543210' }, 'other_instance'],
    ['a providerID of another cloud', { providerID: 'gce://project/zone/name' }, 'other_instance'],
    ['created after the event (the name was reused)', { createdAt: '2026-11-30T12:00:01Z' }, 'newer_than_event'],
  ])('a Node with %s is left alone', async (_name, node, reason) => {
    const hook = hookApp();
    await recordJoin(hook);
    registerNode(hook.kube, node);
    const { body } = await answer(await hook.post(eventBridgeEvent('terminate'), SECRET_HEADER));
    expect(body).toMatchObject({ outcome: 'terminated', changed: true });
    expect(body['deletedNode']).toBeUndefined();
    expect(hook.kube.nodes.has(NODE_NAME)).toBe(true);
    expect(hook.log.lines.find((line) => line.event === 'lifecycle.node_kept')?.fields).toMatchObject({ nodeName: NODE_NAME, reason });
    expect(hook.audit.stored.at(-1)?.detail).toContain(`kept Node ${NODE_NAME} (${reason})`);
  });

  it('a Node replaced between the read and the delete (UID precondition) is not deleted', async () => {
    const hook = hookApp();
    await recordJoin(hook);
    registerNode(hook.kube);
    const getNode = hook.kube.getNode.bind(hook.kube);
    hook.kube.getNode = async (name) => {
      const node = await getNode(name);
      registerNode(hook.kube, { uid: 'replaced' });
      return node;
    };
    const { body } = await answer(await hook.post(eventBridgeEvent('terminate'), SECRET_HEADER));
    expect(body['deletedNode']).toBeUndefined();
    expect(hook.kube.nodes.get(NODE_NAME)?.metadata?.uid).toBe('replaced');
  });

  it('an instance the broker never saw: closed in the ledger, audited, nothing else', async () => {
    const hook = hookApp();
    const { body } = await answer(await hook.post(eventBridgeEvent('terminate'), SECRET_HEADER));
    expect(body).toEqual({ outcome: 'terminated', changed: true, instanceId: INSTANCE, eventId: '87654321-4321-4321-4321-210987654321', revokedTokens: [] });
    expect(hook.ledger.states.get(`aws/${ACCOUNT}/${INSTANCE}`)).toEqual({ terminatedAt: '2026-11-30T12:00:05.000Z' });
    expect(hook.audit.stored.map((e) => e.event)).toEqual(['instance.terminated']);
    expect(hook.kube.writes).toEqual([]);
  });

  describe('a Kubernetes failure halfway: 503 with Retry-After, and the redelivery finishes the work', () => {
    const failing = (status: number, retryAfter?: number) => new KubeApiError('delete node', 'status', status, undefined, retryAfter);
    it.each([
      ['listing the tokens', 'listSecrets', failing(503, 7), '7'],
      ['deleting the token', 'deleteSecret', new KubeApiError('delete secret', 'timeout'), '5'],
      ['reading the Node', 'getNode', failing(429, 2), '2'],
      ['deleting the Node', 'deleteNode', failing(500), '5'],
    ] as const)('%s fails', async (_name, operation, error, retryAfter) => {
      const hook = hookApp();
      const { minted } = await recordJoin(hook);
      registerNode(hook.kube);
      const original = hook.kube[operation].bind(hook.kube) as (...args: unknown[]) => Promise<unknown>;
      let failures = 1;
      (hook.kube as unknown as Record<string, unknown>)[operation] = async (...args: unknown[]) => {
        if (failures-- > 0) throw error;
        return original(...args);
      };
      const first = await answer(await hook.post(eventBridgeEvent('terminate'), SECRET_HEADER));
      expect(first.status).toBe(503);
      expect(first.body).toMatchObject({ code: 'upstream_unavailable', retryAfter: Number(retryAfter) });
      expect(first.headers.get('retry-after')).toBe(retryAfter);
      // The door is shut at once, whatever failed after.
      expect(hook.ledger.states.get(`aws/${ACCOUNT}/${INSTANCE}`)?.terminatedAt).toBe('2026-11-30T12:00:05.000Z');
      expect(hook.log.text()).not.toContain('kube-token-for-tests');

      hook.clock.advance(5_000);
      const retried = await answer(await hook.post(eventBridgeEvent('terminate'), SECRET_HEADER));
      expect(retried.status).toBe(200);
      expect(hook.kube.secrets.size).toBe(0);
      expect(hook.kube.nodes.size).toBe(0);
      const events = hook.audit.stored.map((e) => e.event);
      expect(events.filter((e) => e === 'instance.terminated')).toHaveLength(1);
      expect(events.filter((e) => e === 'token.revoked')).toHaveLength(1);
      expect(hook.audit.stored.find((e) => e.event === 'token.revoked')?.tokenId).toBe(minted.token.id);
      // And a third delivery changes nothing.
      const writes = hook.kube.writes.length;
      expect((await answer(await hook.post(eventBridgeEvent('terminate'), SECRET_HEADER))).body['changed']).toBe(false);
      expect(hook.kube.writes.length).toBe(writes);
      expect(hook.audit.stored.map((e) => e.event)).toEqual(events);
    });

    it('a ledger outage is 503 too, before anything is touched', async () => {
      const hook = hookApp();
      await recordJoin(hook);
      hook.ledger.markTerminated = async () => {
        throw new Error('Durable Object reset because its code was updated.');
      };
      const { status, body } = await answer(await hook.post(eventBridgeEvent('terminate'), SECRET_HEADER));
      expect({ status, code: body['code'] }).toEqual({ status: 503, code: 'upstream_unavailable' });
      expect(hook.kube.writes).toEqual([]);
      expect(JSON.stringify(body)).not.toContain('Durable Object');
    });

    it('an index outage does not fail the hook: the change is done, the failure logged', async () => {
      const hook = hookApp();
      await recordJoin(hook);
      registerNode(hook.kube);
      hook.audit.failWith = new Error('index unavailable');
      const { status, body } = await answer(await hook.post(eventBridgeEvent('terminate'), SECRET_HEADER));
      expect(status).toBe(200);
      expect(body['deletedNode']).toBe(NODE_NAME);
      expect(hook.log.lines.filter((line) => line.event === 'lifecycle.audit_failed').map((line) => line.fields['event'])).toEqual(['token.revoked', 'instance.terminated']);
    });
  });
});

describe('return to the warm pool: revoke and delete, no tombstone; the instance may rejoin when it comes back', () => {
  const toWarmPool = (options: { time?: string } = {}) => eventBridgeEvent('terminate', { origin: 'AutoScalingGroup', destination: 'WarmPool', token: '42694b3d-4b70-6a62-8523-09a1e0000001', ...options });

  it('the Secret and the Node go, the ledger keeps the join (token marked revoked), and no termination is recorded', async () => {
    const hook = hookApp();
    const { minted, key } = await recordJoin(hook, { rejoin: 'after-relaunch' });
    registerNode(hook.kube, { providerID: `aws:///us-east-1a/${INSTANCE}` });
    const { status, body } = await answer(await hook.post(toWarmPool(), SECRET_HEADER));
    expect(status).toBe(200);
    expect(body).toEqual({ outcome: 'returned_to_warm_pool', changed: true, instanceId: INSTANCE, eventId: '42694b3d-4b70-6a62-8523-09a1e0000001', revokedTokens: [minted.token.id], deletedNode: NODE_NAME });
    const state = hook.ledger.states.get(`aws/${ACCOUNT}/${INSTANCE}`)!;
    expect(state.terminatedAt).toBeUndefined();
    expect(state.record).toMatchObject({ issuedAt: '2026-11-30T11:49:00.000Z', tokenRevokedAt: '2026-11-30T12:00:05.000Z' });
    expect(state.record?.terminatedAt).toBeUndefined();
    expect(hook.audit.stored.slice(1).map((e) => [e.event, e.reason, e.tokenId])).toEqual([['token.revoked', 'lifecycle_return_to_warm_pool', minted.token.id]]);

    // It comes back from the warm pool: started again, so its document has a newer pendingTime.
    const at = new Date('2026-11-30T13:00:00Z');
    const relaunched = await hook.ledger.claim({ key, issuedAt: new Date('2026-11-30T12:59:00Z'), rejoin: 'after-relaunch', now: at, leaseMs: 60_000 });
    expect(relaunched).toMatchObject({ ok: true });
    // The document it joined with before stays refused.
    await hook.ledger.release(key, (relaunched as { claimId: string }).claimId);
    const replayed = await hook.ledger.claim({ key, issuedAt: new Date(PENDING_TIME), rejoin: 'after-relaunch', now: at, leaseMs: 60_000 });
    expect(replayed).toMatchObject({ ok: false, reason: 'already_joined' });
  });

  it('the same event again changes nothing', async () => {
    const hook = hookApp();
    await recordJoin(hook);
    registerNode(hook.kube);
    await hook.post(toWarmPool(), SECRET_HEADER);
    const writes = [...hook.kube.writes];
    const events = hook.audit.stored.length;
    const { body } = await answer(await hook.post(toWarmPool(), SECRET_HEADER));
    expect(body).toMatchObject({ outcome: 'returned_to_warm_pool', changed: false, revokedTokens: [] });
    expect(hook.kube.writes).toEqual(writes);
    expect(hook.audit.stored).toHaveLength(events);
  });

  it('a late redelivery leaves the next stay alone: a newer join, its token and its Node', async () => {
    const hook = hookApp();
    // The instance came back and joined again at 12:30 (pendingTime 12:29), after the 12:00 event.
    const { minted } = await recordJoin(hook, { pendingTime: '2026-11-30T12:29:00Z', joinedAt: '2026-11-30T12:30:00Z' });
    const secret = hook.kube.secrets.get(`kube-system/bootstrap-token-${minted.token.id}`)!;
    hook.kube.secrets.set(`kube-system/bootstrap-token-${minted.token.id}`, { ...secret, metadata: { ...secret.metadata, creationTimestamp: new Date('2026-11-30T12:30:00Z') } });
    registerNode(hook.kube, { createdAt: '2026-11-30T12:31:00Z' });
    hook.clock.set('2026-11-30T12:45:00Z');
    const { body } = await answer(await hook.post(toWarmPool(), SECRET_HEADER));
    expect(body).toMatchObject({ outcome: 'returned_to_warm_pool', changed: false, revokedTokens: [] });
    expect(hook.kube.writes).toEqual([]);
    expect(hook.log.lines.map((line) => line.event)).toEqual(expect.arrayContaining(['lifecycle.join_kept', 'lifecycle.token_kept']));
  });
});

describe('the answer never carries a secret and the log never the hook secret', () => {
  it('through every kind of delivery', async () => {
    const hook = hookApp();
    await recordJoin(hook);
    const secretHalves = [...hook.kube.secrets.values()].map((s) => s.data?.['token-secret']);
    expect(secretHalves).toHaveLength(1);
    const bodies: string[] = [];
    for (const [body, headers] of [
      [eventBridgeEvent('launch'), SECRET_HEADER],
      [eventBridgeEvent('terminate'), SECRET_HEADER],
      [eventBridgeEvent('terminate'), { 'x-kube-join-broker-hook-secret': 'wrong-wrong-wrong-wrong-wrong-wrong' }],
    ] as const) {
      bodies.push(await (await hook.post(body, headers)).text());
    }
    for (const text of [...bodies, hook.log.text()]) {
      expect(text).not.toContain('hook-secret-for-tests');
      expect(text).not.toContain('wrong-wrong');
      for (const half of secretHalves) if (half !== undefined) expect(text).not.toContain(half);
    }
  });
});
