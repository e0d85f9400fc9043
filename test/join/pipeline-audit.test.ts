/**
 * The join pipeline's writes to the join index and audit log, and the pool's requireLaunchHook.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AttestResult, NodeIdentity } from '../../src/attest/identity.js';
import { createClusterCaSource } from '../../src/cluster/cluster-ca.js';
import { KubeApiError, type KubeApi } from '../../src/cluster/kube-api.js';
import { ProblemError, problemResponse } from '../../src/http/problem.js';
import { unlimited } from '../../src/http/rate-limit.js';
import { runJoin, type JoinDeps } from '../../src/join/pipeline.js';
import { inMemoryAudit } from '../fakes/audit.js';
import { capturingLogger, counterRandom, fakeKube, fixedClock, testConfig } from '../fakes/deps.js';
import { inMemoryLedger } from '../fakes/ledger.js';
import { clusterInfoConfigMap, opensslCa } from '../support/ca.js';

const NOW = '2026-11-30T12:00:00Z';
const identity: NodeIdentity = {
  provider: 'aws',
  account: '123456789012',
  region: 'us-east-1',
  zone: 'us-east-1a',
  instanceId: 'i-0123456789abcdef0',
  issuedAt: new Date('2026-11-30T11:55:00Z'),
  attributes: { instanceType: 'm5.large' },
  addresses: { ips: ['10.0.1.23'], dnsNames: ['ip-10-0-1-23.ec2.internal'] },
  defaultNodeName: 'ip-10-0-1-23.ec2.internal',
};
const verified: AttestResult = { ok: true, identity };
const key = { provider: 'aws' as const, account: '123456789012', instanceId: 'i-0123456789abcdef0' };
const LAUNCH_POLICY = 'pools: [{name: workers, requireLaunchHook: true}]\nrules: [{pool: workers, provider: aws, accounts: ["123456789012"]}]';

let ca: Awaited<ReturnType<typeof opensslCa>>;
beforeAll(async () => {
  ca = await opensslCa();
});

function deps(policy?: string) {
  const kube = fakeKube({ configMaps: { 'kube-public/cluster-info': clusterInfoConfigMap('https://10.0.0.1:6443', ca.pem) } });
  const clock = fixedClock(NOW);
  const log = capturingLogger();
  const ledger = inMemoryLedger();
  const audit = inMemoryAudit();
  const d: JoinDeps = {
    config: testConfig(policy === undefined ? {} : { JOIN_POLICY: policy }),
    clock,
    random: counterRandom(7),
    kube,
    ledger,
    audit,
    rateLimits: { byAddress: unlimited, byIdentity: unlimited },
    log,
    clusterCa: createClusterCaSource(kube, clock),
  };
  return { d, kube, clock, log, ledger, audit };
}

const outcome = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'joined';
  } catch (error) {
    if (error instanceof ProblemError) return error.code;
    throw error;
  }
};

describe('the join index and audit, written by the pipeline', () => {
  it('a mint writes the joins row (attested addresses included) and a join.minted event, and never the secret', async () => {
    const { d, audit } = deps();
    const { bundle } = await runJoin(d, verified, { sourceAddress: '192.0.2.1', provider: 'aws' });
    expect(audit.joins.get('aws/123456789012/i-0123456789abcdef0')).toEqual({
      key: 'aws/123456789012/i-0123456789abcdef0',
      ...key,
      region: 'us-east-1',
      nodeName: 'ip-10-0-1-23.ec2.internal',
      pool: 'workers',
      tokenId: bundle.tokenId,
      mintedAt: '2026-11-30T12:00:00.000Z',
      expiresAt: '2026-11-30T12:10:00.000Z',
      addresses: { ips: ['10.0.1.23'], dnsNames: ['ip-10-0-1-23.ec2.internal'] },
      joins: 1,
    });
    expect(audit.stored).toEqual([
      {
        id: 1,
        at: '2026-11-30T12:00:00.000Z',
        event: 'join.minted',
        ...key,
        region: 'us-east-1',
        pool: 'workers',
        nodeName: 'ip-10-0-1-23.ec2.internal',
        tokenId: bundle.tokenId,
        source: '192.0.2.1',
      },
    ]);
    expect(JSON.stringify([...audit.stored, ...audit.joins.values()])).not.toContain(bundle.token.split('.')[1]);
  });

  it.each([
    ['a document that did not verify', { ok: false, error: { reason: 'invalid_signature', detail: 'RSA signature does not verify' } } as AttestResult, undefined, {
      code: 'invalid_signature',
      reason: 'invalid_signature',
      detail: 'RSA signature does not verify',
      provider: 'aws',
    }],
    ['an account no rule admits', { ok: true, identity: { ...identity, account: '999999999999' } } as AttestResult, undefined, {
      code: 'access_denied',
      reason: 'access_denied',
      provider: 'aws',
      account: '999999999999',
      instanceId: identity.instanceId,
      region: 'us-east-1',
    }],
    ['a stale document', { ok: true, identity: { ...identity, issuedAt: new Date('2026-11-30T11:00:00Z') } } as AttestResult, undefined, {
      code: 'stale_document',
      reason: 'stale_document',
      pool: 'workers',
    }],
    ['an instance no launch hook announced (requireLaunchHook)', verified, LAUNCH_POLICY, {
      code: 'launch_not_announced',
      reason: 'not_announced',
      detail: 'no launch hook recorded',
      nodeName: 'ip-10-0-1-23.ec2.internal',
      pool: 'workers',
    }],
  ])('refuses %s and audits the detailed reason and the source address', async (_, attestation, policy, expected) => {
    const { d, audit, kube } = deps(policy);
    expect(await outcome(runJoin(d, attestation, { sourceAddress: '198.51.100.9', provider: 'aws' }))).toBe(expected.code);
    expect(kube.secrets.size).toBe(0);
    expect(audit.stored).toHaveLength(1);
    expect(audit.stored[0]).toMatchObject({ event: 'join.refused', at: '2026-11-30T12:00:00.000Z', source: '198.51.100.9', ...expected });
    expect(audit.stored[0]!.detail).toEqual(expect.any(String));
  });

  it('a refusal is written in the background: the answer does not wait for it', async () => {
    const { d, audit } = deps();
    audit.deferLater = true;
    expect(await outcome(runJoin(d, { ok: true, identity: { ...identity, account: '999999999999' } }, { sourceAddress: undefined }))).toBe('access_denied');
    expect(audit.stored).toHaveLength(0);
    audit.flushLater();
    expect(audit.stored.map((e) => e.event)).toEqual(['join.refused']);
  });

  it('an unavailable index never changes a refusal', async () => {
    const { d, audit } = deps();
    audit.failWith = new Error('index down');
    expect(await outcome(runJoin(d, { ok: true, identity: { ...identity, account: '999999999999' } }, { sourceAddress: undefined }))).toBe('access_denied');
  });

  it('an unavailable index fails a join before the bundle leaves: 503, the token revoked, the claim released', async () => {
    const { d, audit, kube, ledger, log } = deps();
    audit.failWith = new Error('index down');
    expect(await outcome(runJoin(d, verified, { sourceAddress: undefined }))).toBe('upstream_unavailable');
    expect(kube.secrets.size).toBe(0);
    expect(ledger.states.size).toBe(0);
    expect(log.lines).toContainEqual(expect.objectContaining({ event: 'join.refused', fields: expect.objectContaining({ reason: 'index_unavailable' }) }));
    audit.failWith = undefined;
    expect(await outcome(runJoin(d, verified, { sourceAddress: undefined }))).toBe('joined');
  });

  it('a rejoin replaces the row, clears the old marks and counts the joins', async () => {
    const { d, audit } = deps('pools: [{name: workers, rejoin: always-within-window}]\nrules: [{pool: workers, provider: aws, accounts: ["123456789012"]}]');
    const first = await runJoin(d, verified, { sourceAddress: undefined });
    await audit.record({ at: NOW, event: 'token.revoked', tokenId: first.bundle.tokenId }, { kind: 'token_revoked', tokenId: first.bundle.tokenId, at: NOW });
    expect(audit.joins.get('aws/123456789012/i-0123456789abcdef0')?.revokedAt).toBe(NOW);
    const second = await runJoin(d, verified, { sourceAddress: undefined });
    const row = audit.joins.get('aws/123456789012/i-0123456789abcdef0');
    expect(row).toMatchObject({ tokenId: second.bundle.tokenId, joins: 2 });
    expect(row?.revokedAt).toBeUndefined();
  });
});

describe('requireLaunchHook and lifecycle marks in the pipeline', () => {
  it('before the launch hook: 503 launch_not_announced with Retry-After, nothing minted, the claim not taken; the same document joins once the hook arrives', async () => {
    const { d, kube, ledger, audit } = deps(LAUNCH_POLICY);
    const refusal = await runJoin(d, verified, { sourceAddress: '198.51.100.9', provider: 'aws' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(ProblemError);
    const problem = refusal as ProblemError;
    expect([problem.code, problem.retryAfterSeconds, problem.detail]).toEqual([
      'launch_not_announced',
      5,
      "The pool admits only instances its autoscaling group announced, and this instance's launch lifecycle event has not reached the broker yet: try again after Retry-After.",
    ]);
    const response = problemResponse(problem.code, { detail: problem.detail!, retryAfterSeconds: problem.retryAfterSeconds! });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toMatchObject({ status: 503, code: 'launch_not_announced', title: "The instance's launch lifecycle event has not been received yet", retryAfter: 5 });
    // Nothing minted, no join index row, the ledger untouched (no claim to leak), audited with the ledger's reason.
    expect(kube.secrets.size).toBe(0);
    expect(audit.joins.size).toBe(0);
    expect(ledger.states.size).toBe(0);
    expect(audit.stored).toEqual([expect.objectContaining({ event: 'join.refused', code: 'launch_not_announced', reason: 'not_announced', pool: 'workers' })]);

    await ledger.expectLaunch(key, new Date(NOW), { autoScalingGroupName: 'workers-asg', source: 'eventbridge' });
    expect(await outcome(runJoin(d, verified, { sourceAddress: undefined }))).toBe('joined');
    expect(kube.secrets.size).toBe(1);
    expect(ledger.states.get('aws/123456789012/i-0123456789abcdef0')).toMatchObject({ record: { joins: 1 }, launch: expect.any(Object) });
    expect(ledger.states.get('aws/123456789012/i-0123456789abcdef0')?.claim).toBeUndefined();
  });

  it.each([false, true])('a terminated instance (announced: %s) is refused for good with access_denied, not asked to retry', async (announced) => {
    const { d, ledger } = deps(LAUNCH_POLICY);
    if (announced) await ledger.expectLaunch(key, new Date(NOW), { autoScalingGroupName: 'workers-asg', source: 'eventbridge' });
    await ledger.markTerminated(key, new Date(NOW));
    expect(await outcome(runJoin(d, verified, { sourceAddress: undefined }))).toBe('access_denied');
  });

  it('pools without the requirement admit unannounced instances (the default is false)', async () => {
    const { d } = deps();
    expect(d.config.policy.pools[0]!.requireLaunchHook).toBe(false);
    expect(await outcome(runJoin(d, verified, { sourceAddress: undefined }))).toBe('joined');
  });

  it('refuses a terminated instance with access_denied, whatever the rejoin policy', async () => {
    const { d, ledger, audit } = deps('pools: [{name: workers, rejoin: always-within-window}]\nrules: [{pool: workers, provider: aws, accounts: ["123456789012"]}]');
    await ledger.markTerminated(key, new Date(NOW));
    expect(await outcome(runJoin(d, verified, { sourceAddress: undefined }))).toBe('access_denied');
    expect(audit.stored[0]).toMatchObject({ event: 'join.refused', reason: 'terminated' });
  });

  it('a terminate that lands while the token is being minted: the join is refused, the token revoked, the row marked', async () => {
    const { d, kube, ledger, audit } = deps();
    const terminatingKube: KubeApi = {
      ...kube,
      async createSecret(namespace, secret) {
        await ledger.markTerminated(key, new Date(NOW));
        return kube.createSecret(namespace, secret);
      },
    };
    expect(await outcome(runJoin({ ...d, kube: terminatingKube }, verified, { sourceAddress: undefined }))).toBe('already_joined');
    expect(kube.secrets.size).toBe(0);
    const row = audit.joins.get('aws/123456789012/i-0123456789abcdef0');
    expect(row?.revokedAt).toBe('2026-11-30T12:00:00.000Z');
    expect(audit.stored.map((e) => [e.event, e.reason])).toEqual([
      ['join.minted', undefined],
      ['join.refused', 'claim_lost'],
    ]);
  });
});

describe('the join deadline and "revoke later"', () => {
  const record = { key: 'aws/123456789012/i-0123456789abcdef0', ...key, region: 'us-east-1', nodeName: 'ip-10-0-1-23.ec2.internal', pool: 'workers', at: '2026-11-30T12:00:00.000Z' };

  it('every Kubernetes call of the mint carries the join\'s deadline: JOIN_DEADLINE_MS after the pipeline started', async () => {
    const { d, kube } = deps();
    const deadlines: (number | undefined)[] = [];
    const recording: KubeApi = {
      ...kube,
      async createSecret(namespace, secret, options) {
        deadlines.push(options?.deadline);
        return kube.createSecret(namespace, secret);
      },
    };
    const config = { ...d.config, joinDeadlineMs: 12_345 };
    expect(await outcome(runJoin({ ...d, config, kube: recording }, verified, { sourceAddress: undefined }))).toBe('joined');
    expect(deadlines).toEqual([Date.parse(NOW) + 12_345]);
  });

  it('a mint that gives up while its create may still land: 503, the token recorded to be revoked later (mint_abandoned), the claim released', async () => {
    const { d, kube, ledger, audit, log } = deps();
    await d.clusterCa.get();
    kube.failWith = new KubeApiError('create secret', 'timeout');
    expect(await outcome(runJoin(d, verified, { sourceAddress: undefined }))).toBe('upstream_unavailable');
    const [pending, ...more] = [...audit.revocations.values()];
    expect(more).toEqual([]);
    expect(pending).toEqual({ ...record, tokenId: pending!.tokenId, reason: 'mint_abandoned', checkAt: '2026-11-30T12:00:02.000Z', checks: 0 });
    expect(ledger.states.size).toBe(0);
    expect(log.lines).toContainEqual({ level: 'warn', event: 'join.revoke_later', fields: expect.objectContaining({ tokenId: pending!.tokenId, reason: 'mint_abandoned' }) });
  });

  it('a mint refused with 429 (certainly not applied) leaves nothing to revoke', async () => {
    const { d, kube, audit } = deps();
    await d.clusterCa.get();
    kube.failWith = new KubeApiError('create secret', 'status', 429, undefined, 1);
    expect(await outcome(runJoin(d, verified, { sourceAddress: undefined }))).toBe('upstream_unavailable');
    expect(audit.revocations.size).toBe(0);
  });

  it('a join that fails after minting and cannot delete its token before the deadline: the token is recorded to be revoked later (revoke_failed)', async () => {
    const { d, kube, ledger, audit } = deps();
    const failingKube: KubeApi = {
      ...kube,
      async createSecret(namespace, secret) {
        await ledger.markTerminated(key, new Date(NOW));
        return kube.createSecret(namespace, secret);
      },
      async deleteSecret() {
        throw new KubeApiError('delete secret', 'deadline');
      },
    };
    expect(await outcome(runJoin({ ...d, kube: failingKube }, verified, { sourceAddress: undefined }))).toBe('already_joined');
    const [minted] = [...kube.secrets.values()];
    const tokenId = atob(minted!.data!['token-id']!);
    expect([...audit.revocations.values()]).toEqual([{ ...record, tokenId, reason: 'revoke_failed', checkAt: '2026-11-30T12:00:02.000Z', checks: 0 }]);
  });
});
