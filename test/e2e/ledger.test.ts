/**
 * Issue 5 end to end: the join ledger is the real Durable Object inside workerd; the cluster is
 * the emulator; requests go through the built Worker.
 */
import type { V1Secret } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClaimRequest, ClaimResult, JoinRecord } from '../../src/ledger/ledger.js';
import { brokerClient, joinAws, type BrokerClient } from './client.js';
import { instanceDocument, signDocument, startStack, testPolicy, type Stack } from './stack.js';

/** The instance's Durable Object, called over RPC from Node through Miniflare. */
interface LedgerStub {
  claim(request: ClaimRequest, claimId: string): Promise<ClaimResult>;
  get(): Promise<JoinRecord | undefined>;
}
async function ledgerObject(stack: Stack, instanceId: string): Promise<LedgerStub> {
  const namespace = (await stack.worker.miniflare.getDurableObjectNamespace('LEDGER')) as unknown as {
    idFromName(name: string): unknown;
    get(id: unknown): LedgerStub;
  };
  return namespace.get(namespace.idFromName(`aws/111122223333/${instanceId}`));
}

const brokerSecrets = (stack: Stack) =>
  (stack.cluster.store.list('secrets', 'kube-system') as unknown as V1Secret[]).filter((s) => s.metadata?.labels?.['app.kubernetes.io/managed-by'] === 'kube-join-broker');

describe('one join per instance', () => {
  let stack: Stack;
  let broker: BrokerClient;
  /** POST /v1/join/aws through the typed client: every answer is checked against openapi.yaml. */
  const post = (body: string) => joinAws(broker, body);
  beforeAll(async () => {
    stack = await startStack({
      policy: testPolicy(
        [{ name: 'workers' }, { name: 'relaunch', rejoin: 'after-relaunch' }],
        [
          { pool: 'relaunch', provider: 'aws', accounts: ['111122223333'], instanceTypes: ['t3.relaunch'] },
          { pool: 'workers', provider: 'aws', accounts: ['111122223333'] },
        ],
      ),
      // A replay storm of one document is what the identity limit is for; here the ledger is under test.
      rateLimits: { JOIN_RATE_LIMIT_BY_IDENTITY: { simple: { limit: 1000, period: 60 } } },
    });
    broker = brokerClient(stack);
  });
  afterAll(() => stack.stop());

  it('100 concurrent posts of one document: exactly 1 bundle, 99 × 409 already_joined, exactly one Secret', async () => {
    const before = brokerSecrets(stack).length;
    const document = instanceDocument();
    const body = await signDocument(document);
    const results = await Promise.all(Array.from({ length: 100 }, () => post(body)));
    const statuses = results.map((r) => r.response.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(99);
    expect(new Set(results.filter((r) => r.response.status === 409).map((r) => r.error?.code))).toEqual(new Set(['already_joined']));
    const minted = brokerSecrets(stack).filter((s) => s.metadata?.labels?.['kube-join-broker.io/instance'] === document.instanceId);
    expect(minted).toHaveLength(1);
    expect(brokerSecrets(stack).length).toBe(before + 1);
    const bundle = results.find((r) => r.response.status === 200)!.data!;
    expect(minted[0]!.metadata?.name).toBe(`bootstrap-token-${bundle.tokenId}`);
  });

  it('the API server unavailable during mint → 503 with Retry-After, nothing minted; the same document joins once it is back', async () => {
    const body = await signDocument(instanceDocument());
    // Warm the isolate's cluster-info cache so the outage hits the Secret create itself.
    expect((await post(await signDocument(instanceDocument()))).response.status).toBe(200);
    const before = brokerSecrets(stack).length;
    stack.cluster.faults.set({ unavailable: '503' });
    try {
      const down = await post(body);
      expect(down.response.status).toBe(503);
      expect(Number(down.response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(down.error).toMatchObject({ code: 'upstream_unavailable' });
    } finally {
      stack.cluster.faults.reset();
    }
    expect(brokerSecrets(stack).length).toBe(before);
    const back = await post(body);
    expect(back.response.status).toBe(200);
    expect(brokerSecrets(stack).length).toBe(before + 1);
  });

  it('a connection reset during the Secret create → 503 and the claim is released', async () => {
    const body = await signDocument(instanceDocument());
    stack.cluster.faults.set({ resetPathPrefix: '/api/v1/namespaces/kube-system/secrets' });
    try {
      expect((await post(body)).response.status).toBe(503);
    } finally {
      stack.cluster.faults.reset();
    }
    expect((await post(body)).response.status).toBe(200);
  });

  it('a claim left by a crashed request blocks the instance until its lease expires, then the instance joins', async () => {
    const document = instanceDocument();
    const body = await signDocument(document);
    // The crash: a claim taken straight on the instance's Durable Object, never committed or
    // released, 55 s into its 60 s lease. The 5 s left are many times one POST's round trip, so
    // the first POST meets the live claim even on a loaded machine; the second waits out the lease.
    const leaseMs = 60_000;
    const claimedAt = Date.now() - 55_000;
    const leaseEnds = claimedAt + leaseMs;
    const ledger = await ledgerObject(stack, document.instanceId);
    const claimed = await ledger.claim(
      {
        key: { provider: 'aws', account: '111122223333', instanceId: document.instanceId },
        issuedAt: new Date(document.pendingTime),
        rejoin: 'never',
        now: new Date(claimedAt),
        leaseMs,
      },
      'crashed-request',
    );
    expect(claimed).toEqual({ ok: true, claimId: 'crashed-request' });
    const blocked = await post(body);
    expect(blocked.response.status).toBe(409);
    expect(blocked.error).toMatchObject({ code: 'already_joined' });
    expect(brokerSecrets(stack).filter((s) => s.metadata?.labels?.['kube-join-broker.io/instance'] === document.instanceId)).toEqual([]);
    // Past the lease's end (plus a margin for the clock workerd reads): the crashed claim no longer counts.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, leaseEnds - Date.now()) + 500));
    const joined = await post(body);
    expect(joined.response.status).toBe(200);
    expect(brokerSecrets(stack).filter((s) => s.metadata?.labels?.['kube-join-broker.io/instance'] === document.instanceId)).toHaveLength(1);
  });

  it('after-relaunch: a newer pendingTime joins again; the same pendingTime is refused', async () => {
    const first = instanceDocument({ instanceType: 't3.relaunch', pendingTime: new Date(Date.now() - 120_000).toISOString().replace(/\.\d+Z$/, 'Z') });
    expect((await post(await signDocument(first))).response.status).toBe(200);
    const replay = await post(await signDocument(first));
    expect(replay.response.status).toBe(409);
    expect(replay.error).toMatchObject({ code: 'already_joined' });
    const relaunched = { ...first, pendingTime: new Date(Date.now() - 10_000).toISOString().replace(/\.\d+Z$/, 'Z') };
    const again = await post(await signDocument(relaunched));
    expect(again.response.status).toBe(200);
    expect(again.data?.pool).toBe('relaunch');
    expect((await post(await signDocument(relaunched))).response.status).toBe(409);
  });

  it('the ledger records the join: identity, node name, pool, token ID, times', async () => {
    const document = instanceDocument({ privateIp: '10.9.8.7' });
    const { data: bundle } = await post(await signDocument(document));
    const ledger = await ledgerObject(stack, document.instanceId);
    const record = await ledger.get();
    expect(record).toMatchObject({
      key: { provider: 'aws', account: '111122223333', instanceId: document.instanceId },
      identity: { provider: 'aws', account: '111122223333', region: 'us-east-1', zone: 'us-east-1a', instanceId: document.instanceId },
      issuedAt: new Date(document.pendingTime).toISOString(),
      nodeName: 'ip-10-9-8-7.ec2.internal',
      pool: 'workers',
      tokenId: bundle!.tokenId,
      tokenExpiresAt: new Date(bundle!.expiresAt).toISOString(),
      joins: 1,
    });
  });
});

describe('the per-identity rate limit', () => {
  let stack: Stack;
  let broker: BrokerClient;
  const post = (body: string) => joinAws(broker, body);
  beforeAll(async () => {
    stack = await startStack({ rateLimits: { JOIN_RATE_LIMIT_BY_IDENTITY: { simple: { limit: 2, period: 60 } } } });
    broker = brokerClient(stack);
  });
  afterAll(() => stack.stop());

  it('answers 429 with Retry-After once one identity has posted too often', async () => {
    const body = await signDocument(instanceDocument());
    expect((await post(body)).response.status).toBe(200);
    expect((await post(body)).response.status).toBe(409);
    const limited = await post(body);
    expect(limited.response.status).toBe(429);
    expect(limited.response.headers.get('retry-after')).toBe('60');
    expect(limited.error).toMatchObject({ code: 'rate_limited' });
    expect((await post(await signDocument(instanceDocument()))).response.status).toBe(200);
  });
});
