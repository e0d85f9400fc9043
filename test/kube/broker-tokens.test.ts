import type { V1Secret } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { isExpired, readBrokerToken, tokenExpiration } from '../../src/cluster/broker-tokens.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const identity = { provider: 'aws', account: '123456789012', region: 'us-east-1', instanceId: 'i-0abc' };

function secret(overrides: { type?: string; namespace?: string; name?: string; labels?: Record<string, string>; annotations?: Record<string, string>; data?: Record<string, string> } = {}): V1Secret {
  return {
    type: overrides.type ?? 'bootstrap.kubernetes.io/token',
    metadata: {
      name: overrides.name ?? 'bootstrap-token-abc123',
      namespace: overrides.namespace ?? 'kube-system',
      uid: 'uid-1',
      creationTimestamp: '2026-11-30T12:00:00Z' as unknown as Date,
      labels: overrides.labels ?? { 'app.kubernetes.io/managed-by': 'kube-join-broker', 'kube-join-broker.io/pool': 'workers' },
      annotations: overrides.annotations ?? { 'kube-join-broker.io/identity': JSON.stringify(identity), 'kube-join-broker.io/node-name': 'node-a' },
    },
    data: overrides.data ?? { 'token-id': b64('abc123'), 'token-secret': b64('0123456789abcdef'), expiration: b64('2026-11-30T12:10:00Z') },
  };
}

describe('readBrokerToken', () => {
  it('reads what the broker wrote, never the secret', () => {
    const token = readBrokerToken(secret());
    expect(token).toEqual({
      tokenId: 'abc123',
      secretName: 'bootstrap-token-abc123',
      uid: 'uid-1',
      nodeName: 'node-a',
      identity,
      pool: 'workers',
      expiration: { kind: 'at', at: new Date('2026-11-30T12:10:00Z') },
      createdAt: '2026-11-30T12:00:00.000Z',
    });
    expect(JSON.stringify(token)).not.toContain('0123456789abcdef');
  });

  it.each([
    ['a kubeadm token (no broker label)', secret({ labels: {} })],
    ['another manager', secret({ labels: { 'app.kubernetes.io/managed-by': 'someone-else' } })],
    ['an Opaque Secret', secret({ type: 'Opaque' })],
    ['another namespace', secret({ namespace: 'default' })],
    ['a name that is not its token ID', secret({ name: 'bootstrap-token-zzz999' })],
    ['a malformed token ID', secret({ name: 'bootstrap-token-ABC123', data: { 'token-id': b64('ABC123') } })],
    ['no token ID', secret({ data: {} })],
  ])('is not a broker token: %s', (_, s) => {
    expect(readBrokerToken(s)).toBeUndefined();
  });

  it.each([
    ['not JSON', '{'],
    ['an unknown provider', JSON.stringify({ ...identity, provider: 'ibm' })],
    ['no instance ID', JSON.stringify({ ...identity, instanceId: '' })],
    ['an array', '[]'],
  ])('an identity annotation that is %s reads as no identity', (_, annotation) => {
    expect(readBrokerToken(secret({ annotations: { 'kube-join-broker.io/identity': annotation } }))?.identity).toBeUndefined();
  });
});

describe('tokenExpiration, as the tokencleaner reads it', () => {
  const now = new Date('2026-11-30T12:10:00Z');
  it.each([
    [{ expiration: b64('2026-11-30T12:10:00Z') }, { kind: 'at', at: now }, true],
    [{ expiration: b64('2026-11-30T12:10:01Z') }, { kind: 'at', at: new Date('2026-11-30T12:10:01Z') }, false],
    [{ expiration: b64('2026-11-30T14:10:00+02:00') }, { kind: 'at', at: now }, true],
    [{}, { kind: 'never' }, false],
    [{ expiration: b64('tomorrow') }, { kind: 'unparseable' }, true],
    [{ expiration: '%%%' }, { kind: 'unparseable' }, true],
  ] as const)('%j → %j (expired at 12:10: %s)', (data, expected, expired) => {
    const expiration = tokenExpiration({ data: { ...data } });
    expect(expiration).toEqual(expected);
    expect(isExpired(expiration, now)).toBe(expired);
  });
});
