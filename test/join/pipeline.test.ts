import { beforeAll, describe, expect, it } from 'vitest';
import type { AttestResult, NodeIdentity } from '../../src/attest/identity.js';
import { createClusterCaSource } from '../../src/cluster/cluster-ca.js';
import { KubeApiError } from '../../src/cluster/kube-api.js';
import { ProblemError } from '../../src/http/problem.js';
import { runJoin, type JoinDeps } from '../../src/join/pipeline.js';
import { capturingLogger, counterRandom, fakeKube, fixedClock, testConfig } from '../fakes/deps.js';
import { inMemoryAudit } from '../fakes/audit.js';
import { inMemoryLedger } from '../fakes/ledger.js';
import { unlimited } from '../../src/http/rate-limit.js';
import { clusterInfoConfigMap, opensslCa } from '../support/ca.js';

const NOW = '2026-11-30T12:00:00Z';
const identity: NodeIdentity = {
  provider: 'aws',
  account: '123456789012',
  region: 'us-east-1',
  zone: 'us-east-1a',
  instanceId: 'i-0123456789abcdef0',
  issuedAt: new Date('2026-11-30T11:55:00Z'),
  attributes: { instanceType: 'm5.large', privateIp: '10.0.1.23' },
  addresses: { ips: ['10.0.1.23'], dnsNames: ['ip-10-0-1-23.ec2.internal'] },
  defaultNodeName: 'ip-10-0-1-23.ec2.internal',
};
const verified: AttestResult = { ok: true, identity };

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

const codeOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'joined';
  } catch (error) {
    if (error instanceof ProblemError) return error.code;
    throw error;
  }
};

describe('runJoin', () => {
  it('mints one token and renders the bundle', async () => {
    const { d, kube, log } = deps();
    const { bundle, pool } = await runJoin(d, verified, { sourceAddress: '192.0.2.1' });
    expect(pool.name).toBe('workers');
    expect(bundle).toMatchObject({
      nodeName: 'ip-10-0-1-23.ec2.internal',
      apiServer: 'https://10.0.0.1:6443',
      caCertHashes: [ca.pin],
      identity: { provider: 'aws', account: '123456789012', region: 'us-east-1', instanceId: 'i-0123456789abcdef0' },
      pool: 'workers',
      expiresAt: '2026-11-30T12:10:00Z',
    });
    expect(bundle.token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect([...kube.secrets.keys()]).toEqual([`kube-system/bootstrap-token-${bundle.tokenId}`]);
    const minted = log.lines.find((l) => l.event === 'join.minted');
    expect(minted?.fields).toMatchObject({ instanceId: 'i-0123456789abcdef0', tokenId: bundle.tokenId, source: '192.0.2.1' });
    expect(log.text()).not.toContain(bundle.token.split('.')[1]);
  });

  it('uses CLUSTER_ENDPOINT over the cluster-info server', async () => {
    const { d } = deps();
    d.config = { ...d.config, clusterEndpoint: new URL('https://api.example.test:443') };
    expect((await runJoin(d, verified, { sourceAddress: undefined })).bundle.apiServer).toBe('https://api.example.test');
  });

  it.each([
    ['malformed_document', 'malformed_document'],
    ['invalid_signature', 'invalid_signature'],
    ['unknown_signer', 'invalid_signature'],
    ['document_mismatch', 'document_mismatch'],
    ['unsupported_document', 'unsupported_document'],
    ['stale_document', 'stale_document'],
    ['invalid_claims', 'invalid_claims'],
    ['upstream_unavailable', 'upstream_unavailable'],
  ] as const)('a verifier failure %s answers %s, mints nothing, logs the detail', async (reason, code) => {
    const { d, kube, log } = deps();
    expect(await codeOf(runJoin(d, { ok: false, error: { reason, detail: 'the full story' } }, { sourceAddress: undefined }))).toBe(code);
    expect(kube.secrets.size).toBe(0);
    expect(log.lines).toContainEqual(expect.objectContaining({ event: 'join.refused', fields: expect.objectContaining({ reason, detail: 'the full story' }) }));
  });

  it('denies an account no rule admits, without saying which rule; the log line has the instance and the full reason', async () => {
    const { d, kube, log } = deps();
    const error = await runJoin(d, { ok: true, identity: { ...identity, account: '999999999999' } }, { sourceAddress: '192.0.2.1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProblemError);
    expect((error as ProblemError).code).toBe('access_denied');
    expect((error as ProblemError).detail).toBeUndefined();
    expect(kube.secrets.size).toBe(0);
    const refused = log.lines.filter((l) => l.event === 'join.refused');
    expect(refused).toEqual([
      {
        level: 'warn',
        event: 'join.refused',
        fields: expect.objectContaining({
          code: 'access_denied',
          reason: 'access_denied',
          detail: 'no rule matched (rule 0: account)',
          provider: 'aws',
          account: '999999999999',
          instanceId: 'i-0123456789abcdef0',
          source: '192.0.2.1',
        }),
      },
    ]);
  });

  it('applies the pool freshness window exactly (window passes, window + 1 s fails)', async () => {
    const policy = 'pools: [{name: workers, freshness: 5m}]\nrules: [{pool: workers, provider: aws, accounts: ["123456789012"]}]';
    const atEdge = { ok: true as const, identity: { ...identity, issuedAt: new Date('2026-11-30T11:55:00Z') } };
    const past = { ok: true as const, identity: { ...identity, instanceId: 'i-0123456789abcdef1', issuedAt: new Date('2026-11-30T11:54:59Z') } };
    const { d } = deps(policy);
    expect(await codeOf(runJoin(d, atEdge, { sourceAddress: undefined }))).toBe('joined');
    expect(await codeOf(runJoin(d, past, { sourceAddress: undefined }))).toBe('stale_document');
  });

  it('refuses a replay with already_joined', async () => {
    const { d, kube } = deps();
    await runJoin(d, verified, { sourceAddress: undefined });
    expect(await codeOf(runJoin(d, verified, { sourceAddress: undefined }))).toBe('already_joined');
    expect(kube.secrets.size).toBe(1);
  });

  it('a Kubernetes outage during mint answers 503, releases the claim, and the join succeeds later', async () => {
    const { d, kube, ledger } = deps();
    await d.clusterCa.get();
    kube.failWith = new KubeApiError('create secret', 'timeout');
    const error = await runJoin(d, verified, { sourceAddress: undefined }).catch((e: unknown) => e as ProblemError);
    expect(error).toMatchObject({ code: 'upstream_unavailable' });
    expect((error as ProblemError).retryAfterSeconds).toBeGreaterThan(0);
    expect([...ledger.states.values()]).toEqual([]); // released: nothing left to keep
    kube.failWith = undefined;
    expect(kube.secrets.size).toBe(0);
    expect(await codeOf(runJoin(d, verified, { sourceAddress: undefined }))).toBe('joined');
  });

  it('cluster-info unavailable: 503 before anything is claimed or minted', async () => {
    const { d, kube, ledger } = deps();
    kube.configMaps.clear();
    expect(await codeOf(runJoin(d, verified, { sourceAddress: undefined }))).toBe('upstream_unavailable');
    expect(ledger.states.size).toBe(0);
  });

  it('refuses a node name the template renders invalid', async () => {
    const { d } = deps('pools: [{name: workers, nodeName: "{{attributes.nope}}"}]\nrules: [{pool: workers, provider: aws, accounts: ["*"]}]');
    expect(await codeOf(runJoin(d, verified, { sourceAddress: undefined }))).toBe('invalid_claims');
  });

  it('file discovery mints authentication-only tokens', async () => {
    const { d, kube } = deps('pools: [{name: workers, discovery: file}]\nrules: [{pool: workers, provider: aws, accounts: ["*"]}]');
    await runJoin(d, verified, { sourceAddress: undefined });
    const [secret] = [...kube.secrets.values()];
    expect(Object.keys(secret!.data!)).not.toContain('usage-bootstrap-signing');
    expect(atob(secret!.data!['usage-bootstrap-authentication']!)).toBe('true');
  });
});
