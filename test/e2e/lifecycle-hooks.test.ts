/**
 * Autoscaling lifecycle hooks end to end: the built Worker in workerd with the real ledger and
 * join index Durable Objects, against the Kubernetes API emulator over HTTPS.
 *
 * EventBridge deliveries carry the shared secret. SNS deliveries are signed in the test by a
 * stand-in for Amazon SNS (test/hooks/aws/signer.ts: a self-signed `sns.amazonaws.com`
 * certificate) and the Worker fetches that certificate from its `https://sns.<region>.amazonaws.com`
 * URL through a network the test controls (Miniflare's outbound service), which forwards every
 * other request to the emulator. Nothing in the Worker is configured differently for this: the
 * seam is the network, as for any fetch. The real SNS vectors, whose certificates expired years
 * ago, need a pinned clock and are run through the route in test/http/lifecycle-hooks.test.ts;
 * here the real BADSIG vector is refused like any message the broker cannot authenticate.
 */
import type { V1Secret } from '@kubernetes/client-node';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredAuditEvent } from '../../src/audit/audit.js';
import type { InstanceState } from '../../src/ledger/instance-state.js';
import type { JoinBundle } from '../../src/render/bundle.js';
import { confirmationFields, generatedSnsSigner, lifecycleNotificationJson, notificationFields, TEST_CERT_URL, TEST_TOPIC, type GeneratedSigner } from '../hooks/aws/signer.js';
import { certificatePem, snsBody, snsEnvelope, BAD_SIGNATURE_VECTORS } from '../hooks/aws/vectors.js';
import { assertContract } from './client.js';
import { E2E_ADMIN_TOKEN, instanceDocument, signDocument, startStack, testPolicy, type InstanceDocument, type Stack } from './stack.js';

const ACCOUNT = '111122223333';
const HOOK_PATH = '/v1/hooks/aws/lifecycle';
const HOOK_SECRET = 'e2e-lifecycle-hook-secret-0123456789abcdef';
const BROKER_USER = 'system:serviceaccount:kube-system:kube-join-broker';
const BADSIG = BAD_SIGNATURE_VECTORS.find((v) => v.file === 'pudding-2014-asg-terminating.as-published.BADSIG.json')!;
const PUDDING_TOPIC = 'arn:aws:sns:us-east-1:341288657826:pudding-test-topic';

let stack: Stack;
let signer: GeneratedSigner;
/** Every request the Worker sent to an SNS host: `host path`. */
const snsRequests: string[] = [];
/** SNS answers by `host path`; anything else on an SNS host is a 404, and the rest goes to the emulator. */
const snsServes = new Map<string, () => { status: number; body: string }>();

beforeAll(async () => {
  signer = await generatedSnsSigner();
  const badsigCertUrl = new URL(snsEnvelope(BADSIG)['SigningCertURL'] as string);
  snsServes.set(`${new URL(TEST_CERT_URL).host} ${new URL(TEST_CERT_URL).pathname}`, () => ({ status: 200, body: signer.pem }));
  snsServes.set(`${badsigCertUrl.host} ${badsigCertUrl.pathname}`, () => ({ status: 200, body: certificatePem(BADSIG.certificate) }));
  const policy = JSON.parse(
    testPolicy(
      [{ name: 'workers', rejoin: 'after-relaunch' }, { name: 'announced', requireLaunchHook: true }],
      [
        { pool: 'announced', provider: 'aws', accounts: [ACCOUNT], regions: ['eu-west-1'] },
        { pool: 'workers', provider: 'aws', accounts: [ACCOUNT] },
      ],
    ),
  ) as { aws: Record<string, unknown> };
  policy.aws['lifecycle'] = { trustedTopicArns: [TEST_TOPIC, PUDDING_TOPIC] };
  stack = await startStack({ policy: JSON.stringify(policy), env: { LIFECYCLE_HOOK_SECRET: HOOK_SECRET }, worker: { outbound: network } });
}, 60_000);
afterAll(() => stack?.stop());

async function network(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const host = req.headers.host ?? '';
  if (host.startsWith('sns.')) {
    snsRequests.push(`${host} ${req.url}`);
    const served = snsServes.get(`${host} ${req.url}`)?.() ?? { status: 404, body: '<Error><Code>NoSuchKey</Code></Error>' };
    res.writeHead(served.status, { 'content-type': 'text/plain' });
    res.end(served.body);
    return;
  }
  const headers: Record<string, string> = {};
  for (const name of ['authorization', 'accept', 'content-type']) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const upstream = await fetch(`${stack.cluster.url}${req.url}`, { method: req.method, headers, body: body.length > 0 ? new Uint8Array(body) : null });
  const answer = Buffer.from(await upstream.arrayBuffer());
  res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json', 'content-length': String(answer.length) });
  res.end(answer);
}

interface HookAnswer {
  status: number;
  body: Record<string, unknown>;
  retryAfter: string | null;
}

async function deliver(body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string>): Promise<HookAnswer> {
  const response = await stack.post(HOOK_PATH, body, headers);
  await assertContract('POST', HOOK_PATH, response);
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, retryAfter: response.headers.get('retry-after') };
}
const withSecret = { 'content-type': 'application/json', 'x-kube-join-broker-hook-secret': HOOK_SECRET };
const asSns = { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' };

function eventBridge(kind: 'launch' | 'terminate', instanceId: string, extra: { destination?: string; origin?: string; token?: string; region?: string } = {}): string {
  return JSON.stringify({
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': kind === 'launch' ? 'EC2 Instance-launch Lifecycle Action' : 'EC2 Instance-terminate Lifecycle Action',
    source: 'aws.autoscaling',
    account: ACCOUNT,
    time: new Date().toISOString(),
    region: extra.region ?? 'us-east-1',
    resources: [],
    detail: {
      LifecycleActionToken: extra.token ?? crypto.randomUUID(),
      AutoScalingGroupName: 'kjb-workers',
      LifecycleHookName: `kjb-${kind}`,
      EC2InstanceId: instanceId,
      LifecycleTransition: kind === 'launch' ? 'autoscaling:EC2_INSTANCE_LAUNCHING' : 'autoscaling:EC2_INSTANCE_TERMINATING',
      ...(extra.origin === undefined ? {} : { Origin: extra.origin }),
      ...(extra.destination === undefined ? {} : { Destination: extra.destination }),
    },
  });
}

let ipCounter = 10;
/** A fresh instance with its own private IP, so each gets its own default node name. */
function newInstance(overrides: Partial<InstanceDocument> = {}): InstanceDocument {
  ipCounter++;
  return instanceDocument({ privateIp: `10.0.7.${ipCounter}`, ...overrides });
}
const nodeNameOf = (document: InstanceDocument) => `ip-${document.privateIp.replaceAll('.', '-')}.ec2.internal`;

async function joined(document: InstanceDocument): Promise<JoinBundle> {
  const res = await stack.post('/v1/join/aws', await signDocument(document));
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as JoinBundle;
}

/** The kubelet registering its Node, as the admin (the emulator has no kubelet). */
async function registerNode(document: InstanceDocument): Promise<void> {
  const res = await fetch(`${stack.cluster.url}/api/v1/nodes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.cluster.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: nodeNameOf(document) }, spec: { providerID: `aws:///${document.availabilityZone}/${document.instanceId}` } }),
  });
  expect(res.status, await res.text()).toBe(201);
}

const secretOf = (tokenId: string) => stack.cluster.store.get('secrets', 'kube-system', `bootstrap-token-${tokenId}`) as V1Secret | undefined;
const nodeOf = (document: InstanceDocument) => stack.cluster.store.get('nodes', undefined, nodeNameOf(document));

async function ledgerState(instanceId: string, account = ACCOUNT): Promise<InstanceState> {
  const namespace = (await stack.worker.miniflare.getDurableObjectNamespace('LEDGER')) as unknown as {
    idFromName(name: string): unknown;
    get(id: unknown): { state(): Promise<InstanceState> };
  };
  return namespace.get(namespace.idFromName(`aws/${account}/${instanceId}`)).state();
}

async function auditOf(instanceId: string): Promise<StoredAuditEvent[]> {
  const res = await stack.worker.fetch(`/v1/joins?instanceId=${instanceId}`, { headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}` } });
  return ((await res.json()) as { items: StoredAuditEvent[] }).items;
}

/** The broker's Kubernetes writes since `from` in the emulator's request log. */
const brokerWritesSince = (from: number) =>
  stack.cluster.requests
    .slice(from)
    .filter((r) => r.user === BROKER_USER && r.method !== 'GET')
    .map((r) => `${r.method} ${r.path} ${r.status}`);

describe('terminate, delivered by an EventBridge API destination with the secret', () => {
  it('revokes the token (Secret gone), deletes the Node, closes the ledger, audits; a later join is refused; the replay is a no-op', async () => {
    const document = newInstance();
    const bundle = await joined(document);
    await registerNode(document);
    const before = stack.cluster.requests.length;
    const event = eventBridge('terminate', document.instanceId, { token: '87654321-4321-4321-4321-210987654321' });

    const first = await deliver(event, withSecret);
    expect(first).toEqual({
      status: 200,
      retryAfter: null,
      body: { outcome: 'terminated', changed: true, instanceId: document.instanceId, eventId: '87654321-4321-4321-4321-210987654321', revokedTokens: [bundle.tokenId], deletedNode: nodeNameOf(document) },
    });
    expect(secretOf(bundle.tokenId)).toBeUndefined();
    expect(nodeOf(document)).toBeUndefined();
    expect(brokerWritesSince(before)).toEqual([`DELETE /api/v1/namespaces/kube-system/secrets/bootstrap-token-${bundle.tokenId} 200`, `DELETE /api/v1/nodes/${nodeNameOf(document)} 200`]);
    const state = await ledgerState(document.instanceId);
    expect(state.terminatedAt).toEqual(expect.any(String));
    expect(state.record).toMatchObject({ tokenId: bundle.tokenId, tokenRevokedAt: expect.any(String), terminatedAt: state.terminatedAt });
    const audited = await auditOf(document.instanceId);
    expect(audited.map((e) => [e.event, e.reason, e.actor])).toEqual([
      ['instance.terminated', 'lifecycle_terminate', 'lifecycle-hook'],
      ['token.revoked', 'lifecycle_terminate', 'lifecycle-hook'],
      ['join.minted', undefined, undefined],
    ]);

    // The instance's document (even a newer one) no longer joins.
    const again = await stack.post('/v1/join/aws', await signDocument({ ...document, pendingTime: new Date(Date.parse(document.pendingTime) + 2000).toISOString().replace('.000Z', 'Z') }));
    expect(again.status).toBe(403);
    expect(((await again.json()) as { code: string }).code).toBe('access_denied');
    expect(stack.cluster.store.list('secrets', 'kube-system').filter((s) => (s as V1Secret).metadata?.labels?.['kube-join-broker.io/instance'] === document.instanceId)).toEqual([]);

    // Delivered again (EventBridge retries): no Kubernetes write, no audit event.
    const replayFrom = stack.cluster.requests.length;
    const replay = await deliver(event, withSecret);
    expect(replay.body).toEqual({ outcome: 'terminated', changed: false, instanceId: document.instanceId, eventId: '87654321-4321-4321-4321-210987654321', revokedTokens: [] });
    expect(brokerWritesSince(replayFrom)).toEqual([]);
    expect(stack.cluster.requests.slice(replayFrom).filter((r) => r.user === BROKER_USER).length).toBeGreaterThan(0);
    expect((await auditOf(document.instanceId)).filter((e) => e.event !== 'join.refused')).toEqual(audited);
  });

  it('without the secret: 401, nothing changes', async () => {
    const document = newInstance();
    const bundle = await joined(document);
    const before = stack.cluster.requests.length;
    for (const headers of [{ 'content-type': 'application/json' }, { ...withSecret, 'x-kube-join-broker-hook-secret': `${HOOK_SECRET}x` }]) {
      expect((await deliver(eventBridge('terminate', document.instanceId), headers)).status).toBe(401);
    }
    expect(secretOf(bundle.tokenId)).toBeDefined();
    expect(stack.cluster.requests.length).toBe(before);
    expect((await ledgerState(document.instanceId)).terminatedAt).toBeUndefined();
  });

  it('the Kubernetes API failing on the Node (three 500s: every try of its read): 503 with Retry-After; the redelivery finishes the work', async () => {
    const document = newInstance();
    const bundle = await joined(document);
    await registerNode(document);
    const event = eventBridge('terminate', document.instanceId);
    stack.cluster.faults.set({ failNext: 3, errorPathPrefix: '/api/v1/nodes' });
    let failed: HookAnswer;
    try {
      failed = await deliver(event, withSecret);
    } finally {
      stack.cluster.faults.reset();
    }
    expect(failed.status).toBe(503);
    expect(failed.body['code']).toBe('upstream_unavailable');
    expect(Number(failed.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(secretOf(bundle.tokenId)).toBeUndefined();
    expect(nodeOf(document)).toBeDefined();
    expect((await ledgerState(document.instanceId)).terminatedAt).toEqual(expect.any(String));

    const retried = await deliver(event, withSecret);
    expect(retried.body).toMatchObject({ outcome: 'terminated', changed: true, revokedTokens: [], deletedNode: nodeNameOf(document) });
    expect(nodeOf(document)).toBeUndefined();
    expect((await auditOf(document.instanceId)).map((e) => e.event)).toEqual(['instance.terminated', 'token.revoked', 'join.minted']);
  });
});

describe('terminate, delivered by an SNS HTTPS subscription', () => {
  const terminating = (instanceId: string, overrides: Record<string, string> = {}) =>
    notificationFields({
      MessageId: crypto.randomUUID(),
      Timestamp: new Date().toISOString(),
      Message: lifecycleNotificationJson({ AccountId: ACCOUNT, EC2InstanceId: instanceId, Time: new Date().toISOString(), LifecycleActionToken: crypto.randomUUID() }),
      ...overrides,
    });

  it('a signed notification (the certificate fetched from its SNS URL) closes the instance; the redelivery is a no-op', async () => {
    const document = newInstance();
    const bundle = await joined(document);
    await registerNode(document);
    const message = JSON.stringify(await signer.sign(terminating(document.instanceId)));
    const first = await deliver(message, asSns);
    expect(first.body).toMatchObject({ outcome: 'terminated', changed: true, instanceId: document.instanceId, revokedTokens: [bundle.tokenId], deletedNode: nodeNameOf(document) });
    expect(secretOf(bundle.tokenId)).toBeUndefined();
    expect(nodeOf(document)).toBeUndefined();
    expect(snsRequests).toContain(`${new URL(TEST_CERT_URL).host} ${new URL(TEST_CERT_URL).pathname}`);
    const from = stack.cluster.requests.length;
    expect((await deliver(message, asSns)).body).toMatchObject({ changed: false });
    expect(brokerWritesSince(from)).toEqual([]);
  });

  it.each([
    ['a bad signature (the Message edited after signing)', async (instanceId: string) => JSON.stringify({ ...(await signer.sign(terminating(instanceId))), Message: lifecycleNotificationJson({ AccountId: ACCOUNT, EC2InstanceId: instanceId }) }), 'invalid_sns_message'],
    ['a foreign certificate URL', async (instanceId: string) => JSON.stringify(await signer.sign(terminating(instanceId, { SigningCertURL: 'https://sns.us-west-2.amazonaws.com.attacker.example/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem' }))), 'invalid_sns_message'],
    ['a topic not trusted', async (instanceId: string) => JSON.stringify(await signer.sign(terminating(instanceId, { TopicArn: 'arn:aws:sns:us-west-2:999999999999:someone-elses' }))), 'untrusted_topic'],
    ['the real BADSIG vector (its topic trusted; its certificate has long expired too)', async () => snsBody(BADSIG) as Uint8Array<ArrayBuffer>, 'invalid_sns_message'],
  ])('%s → 400, nothing changes', async (_name, make, code) => {
    const document = newInstance();
    const bundle = await joined(document);
    await registerNode(document);
    const before = stack.cluster.requests.length;
    const sns = snsRequests.length;
    const refused = await deliver(await make(document.instanceId), asSns);
    expect({ status: refused.status, code: refused.body['code'] }).toEqual({ status: 400, code });
    expect(secretOf(bundle.tokenId)).toBeDefined();
    expect(nodeOf(document)).toBeDefined();
    expect(stack.cluster.requests.length).toBe(before);
    expect((await ledgerState(document.instanceId)).terminatedAt).toBeUndefined();
    expect((await ledgerState('i-4c87e963', '341288657826')).terminatedAt).toBeUndefined();
    // Nothing was fetched from anywhere but an SNS host.
    expect(snsRequests.slice(sns).every((request) => /^sns\.[a-z0-9-]+\.amazonaws\.com \//.test(request))).toBe(true);
  });

  it('a SubscriptionConfirmation is confirmed by GETting its SubscribeURL; an UnsubscribeConfirmation visits nothing', async () => {
    const confirmation = await signer.sign(confirmationFields('SubscriptionConfirmation', { Timestamp: new Date().toISOString() }));
    const subscribe = new URL(confirmation['SubscribeURL']!);
    snsServes.set(`${subscribe.host} ${subscribe.pathname}${subscribe.search}`, () => ({ status: 200, body: '<ConfirmSubscriptionResponse/>' }));
    const confirmed = await deliver(JSON.stringify(confirmation), { ...asSns, 'x-amz-sns-message-type': 'SubscriptionConfirmation' });
    expect(confirmed.body).toEqual({ outcome: 'subscription_confirmed', changed: true, topicArn: TEST_TOPIC });
    expect(snsRequests.filter((request) => request.includes('Action=ConfirmSubscription'))).toEqual([`${subscribe.host} ${subscribe.pathname}${subscribe.search}`]);

    const unsubscribe = await signer.sign(confirmationFields('UnsubscribeConfirmation', { Timestamp: new Date().toISOString() }));
    const from = snsRequests.length;
    const acknowledged = await deliver(JSON.stringify(unsubscribe), { ...asSns, 'x-amz-sns-message-type': 'UnsubscribeConfirmation' });
    expect(acknowledged.body).toEqual({ outcome: 'unsubscribe_acknowledged', changed: false, topicArn: TEST_TOPIC });
    expect(snsRequests.slice(from).filter((request) => request.includes('Action='))).toEqual([]);
  });
});

describe('launch and requireLaunchHook', () => {
  it('a join before the launch event is 503 launch_not_announced with Retry-After (nothing minted, no claim held); a warm-pool launch does not announce; once announced the same document joins', async () => {
    const document = newInstance({ region: 'eu-west-1', availabilityZone: 'eu-west-1a' });
    const body = await signDocument(document);
    const notYet = async () => {
      const res = await stack.post('/v1/join/aws', body);
      await assertContract('POST', '/v1/join/aws', res);
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.headers.get('retry-after')).toBe('5');
      expect(await res.json()).toEqual({
        type: 'urn:kube-join-broker:problem:launch_not_announced',
        title: "The instance's launch lifecycle event has not been received yet",
        status: 503,
        code: 'launch_not_announced',
        detail: "The pool admits only instances its autoscaling group announced, and this instance's launch lifecycle event has not reached the broker yet: try again after Retry-After.",
        retryAfter: 5,
      });
      // Nothing minted, and the ledger holds no claim that would block the retry.
      expect(stack.cluster.store.list('secrets', 'kube-system').filter((s) => (s as V1Secret).metadata?.labels?.['kube-join-broker.io/instance'] === document.instanceId)).toEqual([]);
      expect((await ledgerState(document.instanceId)).claim).toBeUndefined();
    };
    await notYet();
    // Refusals are audited in the background: wait for the event.
    let refusals: StoredAuditEvent[] = [];
    for (let attempt = 0; attempt < 100 && refusals.length === 0; attempt++) {
      refusals = (await auditOf(document.instanceId)).filter((e) => e.event === 'join.refused');
      if (refusals.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(refusals).toEqual([expect.objectContaining({ code: 'launch_not_announced', reason: 'not_announced', pool: 'announced', instanceId: document.instanceId })]);

    expect((await deliver(eventBridge('launch', document.instanceId, { origin: 'EC2', destination: 'WarmPool', region: 'eu-west-1' }), withSecret)).body).toMatchObject({ outcome: 'ignored', ignored: 'warm_pool_launch' });
    await notYet();

    const launch = eventBridge('launch', document.instanceId, { region: 'eu-west-1' });
    expect((await deliver(launch, withSecret)).body).toMatchObject({ outcome: 'launch_expected', changed: true, instanceId: document.instanceId });
    expect((await deliver(launch, withSecret)).body).toMatchObject({ outcome: 'launch_expected', changed: false });
    expect((await ledgerState(document.instanceId)).launch?.details).toMatchObject({ autoScalingGroupName: 'kjb-workers', source: 'eventbridge' });
    const res = await stack.post('/v1/join/aws', body);
    expect(res.status, await res.clone().text()).toBe(200);
    const bundle = (await res.json()) as JoinBundle;
    expect(bundle.pool).toBe('announced');
    expect(secretOf(bundle.tokenId)).toBeDefined();
    expect((await auditOf(document.instanceId)).filter((e) => e.event === 'instance.launch_expected')).toHaveLength(1);
  });
});

describe('return to the warm pool', () => {
  it('revokes and deletes without closing the ledger: the restarted instance (newer pendingTime) joins again, its old document does not', async () => {
    const document = newInstance();
    const bundle = await joined(document);
    await registerNode(document);
    const result = await deliver(eventBridge('terminate', document.instanceId, { origin: 'AutoScalingGroup', destination: 'WarmPool' }), withSecret);
    expect(result.body).toMatchObject({ outcome: 'returned_to_warm_pool', changed: true, revokedTokens: [bundle.tokenId], deletedNode: nodeNameOf(document) });
    expect(secretOf(bundle.tokenId)).toBeUndefined();
    expect(nodeOf(document)).toBeUndefined();
    const state = await ledgerState(document.instanceId);
    expect(state.terminatedAt).toBeUndefined();
    expect(state.record?.tokenRevokedAt).toEqual(expect.any(String));

    const old = await stack.post('/v1/join/aws', await signDocument(document));
    expect(old.status).toBe(409);
    const restarted = { ...document, pendingTime: new Date(Date.parse(document.pendingTime) + 3000).toISOString().replace('.000Z', 'Z') };
    const rejoined = await joined(restarted);
    expect(rejoined.tokenId).not.toBe(bundle.tokenId);
  });
});
