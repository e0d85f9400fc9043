/**
 * The admin routes with fakes: token listing and revocation, the audit query, instance reset.
 */
import type { V1Secret } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import type { AuditEvent, StoredAuditEvent } from '../../src/audit/audit.js';
import { bootstrapTokenSecret } from '../../src/cluster/bootstrap-token.js';
import { KubeApiError } from '../../src/cluster/kube-api.js';
import { mintBootstrapToken, type MintedToken } from '../../src/cluster/mint.js';
import type { LedgerKey } from '../../src/ledger/ledger.js';
import { inMemoryAudit } from '../fakes/audit.js';
import { TEST_ENV, capturingLogger, counterRandom, fakeDeps, fakeKube, fixedClock, testConfig } from '../fakes/deps.js';
import { inMemoryLedger } from '../fakes/ledger.js';

const NOW = '2026-11-30T12:00:00Z';
const AUTH = { authorization: `Bearer ${TEST_ENV.ADMIN_TOKEN}` };
const keyOf = (instanceId: string): LedgerKey => ({ provider: 'aws', account: '123456789012', instanceId });

function setup() {
  const kube = fakeKube();
  const ledger = inMemoryLedger();
  const audit = inMemoryAudit();
  const log = capturingLogger();
  const clock = fixedClock(NOW);
  const config = testConfig();
  const app = createApp(fakeDeps({ config, kube, ledger, audit, log, clock }));
  let seed = 1;
  /** A token minted as the pipeline would, and the ledger's record of that join. */
  const join = async (instanceId: string, options: { ttl?: number; at?: string } = {}): Promise<MintedToken> => {
    const at = new Date(options.at ?? NOW);
    const pool = { ...config.policy.pools[0]!, tokenTtl: options.ttl ?? 600 };
    const identity = { provider: 'aws' as const, account: '123456789012', region: 'us-east-1', instanceId, issuedAt: at, attributes: {}, addresses: { ips: [], dnsNames: [] }, defaultNodeName: `node-${instanceId}` };
    const minted = await mintBootstrapToken(kube, counterRandom((seed += 40)), { identity, pool, nodeName: `node-${instanceId}`, usages: ['authentication'], now: at });
    const key = keyOf(instanceId);
    const claim = await ledger.claim({ key, issuedAt: at, rejoin: 'never', now: at, leaseMs: 60_000 });
    if (!claim.ok) throw new Error(claim.detail);
    const record = { identity: { ...key, region: 'us-east-1' }, issuedAt: at.toISOString(), nodeName: `node-${instanceId}`, pool: 'workers', tokenId: minted.token.id, mintedAt: at.toISOString(), tokenExpiresAt: minted.expiresAt.toISOString() };
    await ledger.commit({ key, claimId: claim.claimId, now: at, record });
    await audit.recordMint(
      { key: `aws/123456789012/${instanceId}`, ...key, region: 'us-east-1', nodeName: `node-${instanceId}`, pool: 'workers', tokenId: minted.token.id, mintedAt: at.toISOString(), expiresAt: minted.expiresAt.toISOString(), addresses: { ips: [], dnsNames: [] } },
      { at: at.toISOString(), event: 'join.minted', ...key, nodeName: `node-${instanceId}`, tokenId: minted.token.id },
    );
    return minted;
  };
  /** A token `kubeadm token create` made: same type and namespace, no broker labels. */
  const kubeadmToken = async (id: string): Promise<V1Secret> =>
    kube.createSecret(
      'kube-system',
      bootstrapTokenSecret({ token: { id, secret: '0123456789abcdef' }, expiresAt: new Date('2026-12-01T12:00:00Z'), description: 'kubeadm', usages: ['authentication', 'signing'], groups: ['system:bootstrappers:kubeadm:default-node-token'], labels: {}, annotations: {} }),
    );
  const request = (path: string, init: RequestInit = {}) => app.request(path, { ...init, headers: { ...AUTH, ...(init.headers as Record<string, string>) } });
  return { app, kube, ledger, audit, log, clock, join, kubeadmToken, request };
}

describe('GET /v1/tokens', () => {
  it('lists the live broker tokens with node, identity, pool and times, and never a secret', async () => {
    const { kube, join, kubeadmToken, request, log } = setup();
    const a = await join('i-0aaaaaaaaaaaaaaa1');
    const b = await join('i-0bbbbbbbbbbbbbbb2', { ttl: 300 });
    await join('i-0ccccccccccccccc3', { at: '2026-11-30T11:00:00Z' }); // expired at 11:10, not yet cleaned
    await kubeadmToken('kadm01');
    kube.secrets.set('kube-system/not-a-token', { type: 'Opaque', metadata: { name: 'not-a-token', namespace: 'kube-system', labels: { 'app.kubernetes.io/managed-by': 'kube-join-broker' } }, data: { 'token-secret': btoa('opaque-secret-value') } });
    const res = await request('/v1/tokens');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      items: [
        { tokenId: b.token.id, nodeName: 'node-i-0bbbbbbbbbbbbbbb2', identity: { provider: 'aws', account: '123456789012', region: 'us-east-1', instanceId: 'i-0bbbbbbbbbbbbbbb2' }, pool: 'workers', expiresAt: '2026-11-30T12:05:00.000Z', createdAt: null },
        { tokenId: a.token.id, nodeName: 'node-i-0aaaaaaaaaaaaaaa1', identity: { provider: 'aws', account: '123456789012', region: 'us-east-1', instanceId: 'i-0aaaaaaaaaaaaaaa1' }, pool: 'workers', expiresAt: '2026-11-30T12:10:00.000Z', createdAt: null },
      ],
    });
    for (const secret of kube.secrets.values()) {
      const value = secret.data?.['token-secret'];
      if (value === undefined) continue;
      expect(text).not.toContain(value);
      expect(text).not.toContain(atob(value));
    }
    expect(text).not.toContain('token-secret');
    expect(log.text()).not.toContain(a.token.secret);
  });

  it('answers 503 upstream_unavailable when the cluster does not', async () => {
    const { kube, request } = setup();
    kube.failWith = new KubeApiError('list secrets', 'timeout');
    const res = await request('/v1/tokens');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 'upstream_unavailable' });
  });
});

describe('DELETE /v1/tokens/{id}', () => {
  it('revokes a broker token: Secret deleted, ledger and index marked, audit records who', async () => {
    const { kube, ledger, audit, join, request, log } = setup();
    const minted = await join('i-0aaaaaaaaaaaaaaa1');
    const res = await request(`/v1/tokens/${minted.token.id}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(kube.secrets.has(`kube-system/bootstrap-token-${minted.token.id}`)).toBe(false);
    expect((await ledger.get(keyOf('i-0aaaaaaaaaaaaaaa1')))?.tokenRevokedAt).toBe('2026-11-30T12:00:00.000Z');
    expect(audit.joins.get('aws/123456789012/i-0aaaaaaaaaaaaaaa1')?.revokedAt).toBe('2026-11-30T12:00:00.000Z');
    expect(audit.stored.at(-1)).toEqual({
      id: 2,
      at: '2026-11-30T12:00:00.000Z',
      event: 'token.revoked',
      tokenId: minted.token.id,
      reason: 'admin',
      detail: 'revoked through DELETE /v1/tokens',
      actor: 'admin-token',
      ...keyOf('i-0aaaaaaaaaaaaaaa1'),
      region: 'us-east-1',
      nodeName: 'node-i-0aaaaaaaaaaaaaaa1',
      pool: 'workers',
    } satisfies StoredAuditEvent);
    expect(log.text()).not.toContain(minted.token.secret);
    const again = await request(`/v1/tokens/${minted.token.id}`, { method: 'DELETE' });
    expect(again.status).toBe(404);
  });

  it.each(['ABCDEF', 'abcde', 'abcdefg', 'abc.ef', 'abcdef.0123456789abcdef', '%00bcdef'])('refuses a malformed ID %j with 400', async (id) => {
    const { request } = setup();
    const res = await request(`/v1/tokens/${id}`, { method: 'DELETE' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'invalid_request', detail: 'A token ID is 6 lowercase letters or digits ([a-z0-9]{6}).' });
  });

  it('never deletes a kubeadm token or another Secret under a token name: 404', async () => {
    const { kube, kubeadmToken, request } = setup();
    await kubeadmToken('kadm01');
    kube.secrets.set('kube-system/bootstrap-token-opaq01', { type: 'Opaque', metadata: { name: 'bootstrap-token-opaq01', namespace: 'kube-system', labels: { 'app.kubernetes.io/managed-by': 'kube-join-broker' } }, data: { 'token-id': btoa('opaq01') } });
    for (const id of ['kadm01', 'opaq01', 'zzzzzz']) {
      const res = await request(`/v1/tokens/${id}`, { method: 'DELETE' });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'not_found', detail: 'No broker-minted token has this ID.' });
    }
    expect(kube.secrets.has('kube-system/bootstrap-token-kadm01')).toBe(true);
    expect(kube.secrets.has('kube-system/bootstrap-token-opaq01')).toBe(true);
  });

  it('still answers 204 when the ledger is unreachable after the Secret is gone (the cron reconciles later)', async () => {
    const { kube, audit, join, request, log } = setup();
    const minted = await join('i-0aaaaaaaaaaaaaaa1');
    audit.failWith = new Error('index down');
    expect((await request(`/v1/tokens/${minted.token.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(kube.secrets.size).toBe(0);
    expect(log.lines).toContainEqual(expect.objectContaining({ event: 'admin.revoke_record_failed' }));
  });
});

describe('GET /v1/joins', () => {
  async function seeded() {
    const s = setup();
    const events: AuditEvent[] = [];
    for (let i = 0; i < 12; i++) {
      const refused = i % 3 === 0;
      events.push({
        at: new Date(Date.parse(NOW) + i * 60_000).toISOString(),
        event: refused ? 'join.refused' : 'join.minted',
        provider: i < 10 ? 'aws' : 'gcp',
        account: i % 2 === 0 ? '111111111111' : '222222222222',
        instanceId: `i-${i}`,
        nodeName: `node-${i}`,
        ...(refused ? { code: 'access_denied', reason: 'access_denied', detail: `no rule admits account for i-${i}` } : { tokenId: `tok${String(i).padStart(3, '0')}` }),
      });
    }
    for (const event of events) await s.audit.record(event);
    return s;
  }
  const page = async (request: (path: string) => Promise<Response> | Response, path: string) => {
    const res = await request(path);
    expect(res.status).toBe(200);
    return (await res.json()) as { items: StoredAuditEvent[]; nextCursor: string | null };
  };

  it('returns the audit newest first, refusals with their detailed reason', async () => {
    const { request } = await seeded();
    const { items, nextCursor } = await page(request, '/v1/joins');
    expect(items.map((e) => e.instanceId)).toEqual(['i-11', 'i-10', 'i-9', 'i-8', 'i-7', 'i-6', 'i-5', 'i-4', 'i-3', 'i-2', 'i-1', 'i-0']);
    expect(nextCursor).toBeNull();
    expect(items.find((e) => e.instanceId === 'i-9')).toEqual({
      id: 10,
      at: '2026-11-30T12:09:00.000Z',
      event: 'join.refused',
      provider: 'aws',
      account: '222222222222',
      instanceId: 'i-9',
      nodeName: 'node-9',
      code: 'access_denied',
      reason: 'access_denied',
      detail: 'no rule admits account for i-9',
    });
  });

  it.each([
    ['?provider=gcp', ['i-11', 'i-10']],
    ['?account=111111111111&outcome=refused', ['i-6', 'i-0']],
    ['?outcome=joined&provider=aws&account=222222222222', ['i-7', 'i-5', 'i-1']],
    ['?node=node-4', ['i-4']],
    ['?instanceId=i-3', ['i-3']],
    ['?since=2026-11-30T12:09:00Z', ['i-11', 'i-10', 'i-9']],
    ['?until=2026-11-30T12:02:00Z', ['i-1', 'i-0']],
    ['?since=2026-11-30T12:03:00Z&until=2026-11-30T13:05:00%2B01:00', ['i-4', 'i-3']],
    ['?node=nobody', []],
  ])('filters %s', async (query, expected) => {
    const { request } = await seeded();
    expect((await page(request, `/v1/joins${query}`)).items.map((e) => e.instanceId)).toEqual(expected);
  });

  it('paginates with an opaque cursor until nextCursor is null, keeping the filters', async () => {
    const { request } = await seeded();
    const seen: string[] = [];
    let path = '/v1/joins?provider=aws&limit=3';
    for (let pages = 0; pages < 10; pages++) {
      const { items, nextCursor } = await page(request, path);
      seen.push(...items.map((e) => e.instanceId!));
      if (nextCursor === null) break;
      expect(nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
      path = `/v1/joins?provider=aws&limit=3&cursor=${nextCursor}`;
    }
    expect(seen).toEqual(['i-9', 'i-8', 'i-7', 'i-6', 'i-5', 'i-4', 'i-3', 'i-2', 'i-1', 'i-0']);
  });

  it.each([
    ['?limit=banana', 'limit must be a whole number from 1 to 500.'],
    ['?outcome=maybe', 'outcome must be one of joined, refused.'],
    ['?since=last-week', 'since must be an RFC 3339 date-time with an offset, e.g. 2026-01-02T03:04:05Z.'],
    ['?bogus=1', 'Unknown query parameter "bogus"; allowed: provider, account, node, instanceId, since, until, outcome, limit, cursor.'],
    ['?cursor=not-ours', 'cursor is not one this broker issued; pass nextCursor from the previous page unchanged.'],
  ])('%s → 400 with a clear detail', async (query, detail) => {
    const { request } = setup();
    const res = await request(`/v1/joins${query}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'invalid_request', detail });
  });
});

describe('DELETE /v1/joins/{key}', () => {
  it('resets a joined instance so it may join again; the audit says who', async () => {
    const { ledger, audit, join, request } = setup();
    const minted = await join('i-0aaaaaaaaaaaaaaa1');
    const res = await request('/v1/joins/aws%2F123456789012%2Fi-0aaaaaaaaaaaaaaa1', { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(await ledger.get(keyOf('i-0aaaaaaaaaaaaaaa1'))).toBeUndefined();
    expect(await ledger.claim({ key: keyOf('i-0aaaaaaaaaaaaaaa1'), issuedAt: new Date(NOW), rejoin: 'never', now: new Date(NOW), leaseMs: 1 })).toMatchObject({ ok: true });
    expect(audit.stored.at(-1)).toMatchObject({
      event: 'instance.reset',
      ...keyOf('i-0aaaaaaaaaaaaaaa1'),
      nodeName: 'node-i-0aaaaaaaaaaaaaaa1',
      tokenId: minted.token.id,
      actor: 'admin-token',
      detail: 'join of 2026-11-30T12:00:00.000Z as node-i-0aaaaaaaaaaaaaaa1 forgotten; the instance may join again',
    });
  });

  it('accepts the key with literal slashes too, and keys whose account holds slashes (OIDC issuers)', async () => {
    const { ledger, request } = setup();
    await ledger.markTerminated({ provider: 'oidc', account: 'https://issuer.example/realm', instanceId: 'node-7' }, new Date(NOW));
    expect((await request(`/v1/joins/${encodeURIComponent('oidc/https://issuer.example/realm/node-7')}`, { method: 'DELETE' })).status).toBe(204);
    await ledger.markTerminated(keyOf('i-1'), new Date(NOW));
    expect((await request('/v1/joins/aws/123456789012/i-1', { method: 'DELETE' })).status).toBe(204);
  });

  it('404 for an instance the ledger does not know', async () => {
    const { request } = setup();
    const res = await request('/v1/joins/aws%2F123456789012%2Fi-0nothere', { method: 'DELETE' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'not_found', detail: 'The ledger holds no join or termination for this instance.' });
  });

  it.each(['aws', 'aws%2F123', 'aws%2F%2Fi-1', 'aws%2F1%2F', 'ec2%2F1%2Fi-1', '%2F1%2Fi-1', 'aws%2F1%2Fi-1%0A', `aws%2F1%2F${'x'.repeat(1100)}`])('400 for a malformed key %s', async (key) => {
    const { request } = setup();
    const res = await request(`/v1/joins/${key}`, { method: 'DELETE' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'invalid_request' });
  });
});
