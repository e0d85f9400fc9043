import type { V1Secret } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { NodeIdentity } from '../../src/attest/identity.js';
import { KubeApiError } from '../../src/cluster/kube-api.js';
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
function scripted(...outcomes: ('ok' | 'conflict' | 'applied-then-timeout' | 'timeout' | 'throttled' | 'foreign-conflict' | 'foreign-then-timeout')[]) {
  const kube = fakeKube();
  const create = kube.createSecret.bind(kube);
  let calls = 0;
  kube.createSecret = async (namespace: string, secret: V1Secret) => {
    const outcome = outcomes[calls++] ?? 'ok';
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
  return { kube, calls: () => calls };
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
    await expect(mintBootstrapToken(kube, cryptoRandom, request)).rejects.toMatchObject({ name: 'MintError', retryAfterSeconds: 2 });
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

  it('a create that timed out and was not applied fails with nothing left behind', async () => {
    const { kube } = scripted('timeout');
    await expect(mintBootstrapToken(kube, cryptoRandom, request)).rejects.toMatchObject({ name: 'MintError', retryAfterSeconds: 2 });
    expect(kube.secrets.size).toBe(0);
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
