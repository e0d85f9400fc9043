import { describe, expect, it } from 'vitest';
import {
  bootstrapTokenSecret,
  generateBootstrapToken,
  randomTokenChars,
  rfc3339Seconds,
  TOKEN_PATTERN,
} from '../../src/cluster/bootstrap-token.js';
import { cryptoRandom, type Random } from '../../src/deps.js';

const bytes = (...values: number[]): Random => {
  const queue = [...values];
  return {
    fill(out) {
      for (let i = 0; i < out.length; i++) out[i] = queue.length > 0 ? queue.shift()! : 0;
      return out;
    },
  };
};

describe('bootstrap token generation', () => {
  it('maps bytes below 252 with % 36 and discards 252..255 (no modulo bias)', () => {
    expect(randomTokenChars(bytes(252, 253, 254, 255, 0, 35, 36, 251), 4)).toBe('0z0z');
    expect(randomTokenChars(bytes(10, 255, 71), 2)).toBe('az');
  });

  it('keeps drawing when a whole batch is rejected', () => {
    expect(randomTokenChars(bytes(...Array<number>(12).fill(255), 1), 1)).toBe('1');
  });

  it('produces [a-z0-9]{6}.[a-z0-9]{16} from the CSPRNG', () => {
    for (let i = 0; i < 200; i++) {
      const { id, secret } = generateBootstrapToken(cryptoRandom);
      expect(`${id}.${secret}`).toMatch(TOKEN_PATTERN);
    }
  });

  it('is uniform over the alphabet (chi-square over 36,000 characters)', () => {
    const counts = new Map<string, number>();
    const text = randomTokenChars(cryptoRandom, 36_000);
    for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(36);
    const chi = [...counts.values()].reduce((sum, n) => sum + (n - 1000) ** 2 / 1000, 0);
    // 35 degrees of freedom: p = 1e-6 at about 86.
    expect(chi).toBeLessThan(86);
  });
});

describe('bootstrapTokenSecret', () => {
  it('is the Secret kubeadm writes, plus labels and annotations', () => {
    const secret = bootstrapTokenSecret({
      token: { id: 'abcdef', secret: '0123456789abcdef' },
      expiresAt: new Date('2026-11-30T12:10:00.999Z'),
      description: 'kube-join-broker: aws 123456789012 i-0abc',
      usages: ['signing', 'authentication'],
      groups: ['system:bootstrappers:kubeadm:default-node-token'],
      labels: { 'app.kubernetes.io/managed-by': 'kube-join-broker' },
      annotations: { 'kube-join-broker.io/node-name': 'ip-10-0-1-23.ec2.internal' },
    });
    const decoded = Object.fromEntries(Object.entries(secret.data!).map(([k, v]) => [k, atob(v)]));
    expect(secret.type).toBe('bootstrap.kubernetes.io/token');
    expect(secret.metadata).toMatchObject({ name: 'bootstrap-token-abcdef', namespace: 'kube-system' });
    expect(decoded).toEqual({
      'token-id': 'abcdef',
      'token-secret': '0123456789abcdef',
      expiration: '2026-11-30T12:10:00Z',
      description: 'kube-join-broker: aws 123456789012 i-0abc',
      'usage-bootstrap-signing': 'true',
      'usage-bootstrap-authentication': 'true',
      'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token',
    });
  });

  it('writes data as base64 of UTF-8, ASCII or not', () => {
    const secret = bootstrapTokenSecret({
      token: { id: 'abcdef', secret: '0123456789abcdef' },
      expiresAt: new Date('2026-11-30T12:10:00Z'),
      description: 'kube-join-broker: oidc https://ci.example café-runner 😀 as café',
      usages: ['authentication'],
      groups: [],
      labels: {},
      annotations: {},
    });
    expect(secret.data?.['description']).toBe(Buffer.from('kube-join-broker: oidc https://ci.example café-runner 😀 as café', 'utf8').toString('base64'));
    expect(secret.data?.['token-id']).toBe('YWJjZGVm');
  });

  it('omits an empty description and writes authentication-only tokens', () => {
    const secret = bootstrapTokenSecret({
      token: { id: 'abcdef', secret: '0123456789abcdef' },
      expiresAt: new Date('2026-11-30T12:10:00Z'),
      description: '',
      usages: ['authentication'],
      groups: [],
      labels: {},
      annotations: {},
    });
    expect(Object.keys(secret.data!).sort()).toEqual(['expiration', 'token-id', 'token-secret', 'usage-bootstrap-authentication']);
  });

  it('formats expiration as Go time.RFC3339 in UTC', () => {
    expect(rfc3339Seconds(new Date('2017-03-10T03:22:11.5Z'))).toBe('2017-03-10T03:22:11Z');
  });
});
