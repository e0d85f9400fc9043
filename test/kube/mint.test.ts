import type { V1Secret } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { NodeIdentity } from '../../src/attest/identity.js';
import { KubeApiError, type KubeCallOptions } from '../../src/cluster/kube-api.js';
import { MintError, mintBootstrapToken } from '../../src/cluster/mint.js';
import { parseJoinPolicy } from '../../src/policy/parse.js';
import { cryptoRandom } from '../../src/deps.js';
import { fakeKube } from '../fakes/deps.js';

const pool = (() => {
  const r = parseJoinPolicy('pools: [{name: workers, nodeLabels: {team: infra}}]');
  if (!r.ok) throw new Error();
  return r.policy.pools[0]!;
})();
const identity: NodeIdentity = {
  provider: 'aws',
  account: '123456789012',
  region: 'us-east-1',
  instanceId: 'i-0123456789abcdef0',
  issuedAt: new Date('2026-11-30T11:59:00Z'),
  attributes: {},
  addresses: { ips: [], dnsNames: [] },
  defaultNodeName: 'ip-10-0-1-23.ec2.internal',
};
const request = { identity, pool, nodeName: 'ip-10-0-1-23.ec2.internal', usages: ['signing', 'authentication'] as const, now: new Date('2026-11-30T12:00:00.700Z') };

/** A fake whose createSecret runs a script of outcomes, one per call. */
function scripted(...outcomes: ('ok' | 'conflict' | 'applied-then-timeout' | 'timeout' | 'throttled' | 'deadline' | 'foreign-conflict' | 'foreign-then-timeout')[]) {
  const kube = fakeKube();
  const create = kube.createSecret.bind(kube);
  let calls = 0;
  const names: string[] = [];
  const deadlines: (number | undefined)[] = [];
  kube.createSecret = async (namespace: string, secret: V1Secret, options?: KubeCallOptions) => {
    names.push(secret.metadata!.name!);
    deadlines.push(options?.deadline);
    const outcome = outcomes[calls++] ?? 'ok';
    if (outcome === 'deadline') throw new KubeApiError('create secret', 'deadline');
    if (outcome === 'conflict') throw new KubeApiError('create secret', 'status', 409, 'AlreadyExists');
    if (outcome === 'throttled') throw new KubeApiError('create secret', 'status', 429, undefined, 3);
    if (outcome === 'timeout') throw new KubeApiError('create secret', 'timeout');
    if (outcome === 'foreign-conflict' || outcome === 'foreign-then-timeout') {
      // Another token already holds this ID: its Secret, with another token secret.
      await create(namespace, { ...secret, data: { ...secret.data, 'token-secret': btoa('someoneelse00000') } });
      throw outcome === 'foreign-conflict' ? new KubeApiError('create secret', 'status', 409, 'AlreadyExists') : new KubeApiError('create secret', 'timeout');
    }
    const stored = await create(namespace, secret);
    if (outcome === 'applied-then-timeout') throw new KubeApiError('create secret', 'timeout');
    return stored;
  };
  return { kube, calls: () => calls, names, deadlines };
}

describe('mintBootstrapToken', () => {
  it('creates the Secret with the broker labels, identity annotations and a whole-second expiry', async () => {
    const { kube } = scripted('ok');
    const minted = await mintBootstrapToken(kube, cryptoRandom, request);
    expect(minted.expiresAt.toISOString()).toBe('2026-11-30T12:10:00.000Z');
    const stored = kube.secrets.get(`kube-system/bootstrap-token-${minted.token.id}`)!;
    expect(stored.metadata?.labels).toEqual({
      'app.kubernetes.io/managed-by': 'kube-join-broker',
      'kube-join-broker.io/provider': 'aws',
      'kube-join-broker.io/pool': 'workers',
      'kube-join-broker.io/instance': 'i-0123456789abcdef0',
    });
    expect(JSON.parse(stored.metadata!.annotations!['kube-join-broker.io/identity']!)).toEqual({
      provider: 'aws',
      account: '123456789012',
      region: 'us-east-1',
      instanceId: 'i-0123456789abcdef0',
    });
    expect(atob(stored.data!['description']!)).toBe('kube-join-broker: aws 123456789012 i-0123456789abcdef0 as ip-10-0-1-23.ec2.internal');
  });

  it('on a 409 ID collision draws a new token and retries', async () => {
    const { kube, calls } = scripted('conflict', 'ok');
    const minted = await mintBootstrapToken(kube, cryptoRandom, request);
    expect(calls()).toBe(2);
    expect([...kube.secrets.keys()]).toEqual([`kube-system/bootstrap-token-${minted.token.id}`]);
  });

  it('on a 409 from a Secret that holds another token, draws a new token and leaves that Secret alone', async () => {
    const { kube, calls } = scripted('foreign-conflict', 'ok');
    const minted = await mintBootstrapToken(kube, cryptoRandom, request);
    expect(calls()).toBe(2);
    expect(kube.secrets.size).toBe(2);
    expect(atob(kube.secrets.get(`kube-system/bootstrap-token-${minted.token.id}`)!.data!['token-secret']!)).toBe(minted.token.secret);
  });

  it('a create of unknown outcome whose name holds another token: fails, and never deletes that Secret', async () => {
    const { kube } = scripted('foreign-then-timeout');
    await expect(mintBootstrapToken(kube, cryptoRandom, request)).rejects.toMatchObject({ name: 'MintError', retryAfterSeconds: 2, abandoned: [] });
    expect([...kube.secrets.values()].map((s) => atob(s.data!['token-secret']!))).toEqual(['someoneelse00000']);
  });

  it('gives up after three collisions', async () => {
    const { kube } = scripted('conflict', 'conflict', 'conflict');
    await expect(mintBootstrapToken(kube, cryptoRandom, request)).rejects.toBeInstanceOf(MintError);
  });

  it('a create that was applied but timed out is recognised by reading it back', async () => {
    const { kube } = scripted('applied-then-timeout');
    const minted = await mintBootstrapToken(kube, cryptoRandom, request);
    expect(kube.secrets.has(`kube-system/bootstrap-token-${minted.token.id}`)).toBe(true);
  });

  it('a create that timed out and was not applied is sent again with the same token (the explicit name makes it at most once) and succeeds', async () => {
    const { kube, calls, names } = scripted('timeout', 'ok');
    const minted = await mintBootstrapToken(kube, cryptoRandom, request);
    expect(calls()).toBe(2);
    expect(names).toEqual([`bootstrap-token-${minted.token.id}`, `bootstrap-token-${minted.token.id}`]);
    expect([...kube.secrets.keys()]).toEqual([`kube-system/bootstrap-token-${minted.token.id}`]);
  });

  it('a repeated create that finds its own earlier create landed (409, our secret) takes it', async () => {
    const { kube, calls } = scripted('applied-then-timeout', 'ok');
    // The read-back after the timeout is made to fail once, so the create is sent again and answers 409.
    const get = kube.getSecret.bind(kube);
    let gets = 0;
    kube.getSecret = async (namespace: string, name: string) => {
      if (gets++ === 0) throw new KubeApiError('get secret', 'timeout');
      return get(namespace, name);
    };
    const minted = await mintBootstrapToken(kube, cryptoRandom, request);
    expect(calls()).toBe(2);
    expect(kube.secrets.size).toBe(1);
    expect(atob(kube.secrets.get(`kube-system/bootstrap-token-${minted.token.id}`)!.data!['token-secret']!)).toBe(minted.token.secret);
  });

  it.each([
    ['three creates of unknown outcome', ['timeout', 'timeout', 'timeout'], 3, 'create secret: timeout'],
    ['an unknown outcome, then the deadline', ['timeout', 'deadline'], 2, 'create secret: timeout'],
    ['an unknown outcome, then 429 until the deadline', ['timeout', 'throttled'], 2, 'create secret: status 429'],
  ] as const)('%s: fails, naming the token as abandoned (it may still land) for the caller to revoke later', async (_, outcomes, creates, message) => {
    const { kube, calls, names } = scripted(...outcomes);
    const error = await mintBootstrapToken(kube, cryptoRandom, request).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MintError);
    expect(calls()).toBe(creates);
    expect(error).toMatchObject({ message, abandoned: [names[0]!.replace('bootstrap-token-', '')] });
    expect(new Set(names).size).toBe(1);
    expect(kube.secrets.size).toBe(0);
  });

  it.each([
    ['429 only', ['throttled'], 3],
    ['the deadline before the first create', ['deadline'], 1],
  ] as const)('%s: certainly not applied, so nothing is abandoned', async (_, outcomes, retryAfterSeconds) => {
    const { kube } = scripted(...outcomes);
    await expect(mintBootstrapToken(kube, cryptoRandom, request)).rejects.toMatchObject({ name: 'MintError', retryAfterSeconds, abandoned: [] });
  });

  it('passes the join\'s deadline to every create and read-back', async () => {
    const { kube, deadlines } = scripted('timeout', 'ok');
    const reads: (number | undefined)[] = [];
    const get = kube.getSecret.bind(kube);
    kube.getSecret = async (namespace: string, name: string, options?: KubeCallOptions) => {
      reads.push(options?.deadline);
      return get(namespace, name);
    };
    await mintBootstrapToken(kube, cryptoRandom, { ...request, deadline: 1_800_000_000_000 });
    expect(deadlines).toEqual([1_800_000_000_000, 1_800_000_000_000]);
    expect(reads).toEqual([1_800_000_000_000]);
  });

  it('a 429 passes its Retry-After on', async () => {
    const { kube } = scripted('throttled');
    await expect(mintBootstrapToken(kube, cryptoRandom, request)).rejects.toMatchObject({ retryAfterSeconds: 3 });
  });

  it('leaves out the instance label when the instance ID is not a valid label value', async () => {
    const { kube } = scripted('ok');
    const minted = await mintBootstrapToken(kube, cryptoRandom, { ...request, identity: { ...identity, provider: 'oidc', instanceId: 'spiffe://example.org/node/1' } });
    const labels = kube.secrets.get(`kube-system/bootstrap-token-${minted.token.id}`)!.metadata!.labels!;
    expect(labels['kube-join-broker.io/instance']).toBeUndefined();
  });
});
