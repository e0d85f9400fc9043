/**
 * The "revoke later" pass (src/sweep/revocations.ts) over the in-memory index and Kubernetes
 * fakes: what it deletes (only the broker's Secret for that token and instance, by UID), what it
 * leaves, when it looks again, and what it audits.
 */
import { describe, expect, it } from 'vitest';
import type { RevocationRequest } from '../../src/audit/audit.js';
import { REVOCATION_SETTLE_MS } from '../../src/audit/revocations.js';
import { bootstrapTokenSecret } from '../../src/cluster/bootstrap-token.js';
import { KubeApiError } from '../../src/cluster/kube-api.js';
import { mintBootstrapToken } from '../../src/cluster/mint.js';
import { runRevocations } from '../../src/sweep/revocations.js';
import { inMemoryAudit } from '../fakes/audit.js';
import { capturingLogger, counterRandom, fakeKube, fixedClock, testConfig } from '../fakes/deps.js';

const GAVE_UP = '2026-11-30T12:00:00.000Z';

function setup() {
  const kube = fakeKube();
  const audit = inMemoryAudit();
  const log = capturingLogger();
  const clock = fixedClock(GAVE_UP);
  const pool = testConfig().policy.pools[0]!;
  const deps = { kube, audit, clock, log };
  /** A token minted for `instanceId` whose join gave up: its Secret exists, no bundle carries it. */
  const abandoned = async (instanceId: string, seed: number) => {
    const identity = { provider: 'aws' as const, account: '123456789012', region: 'us-east-1', instanceId, issuedAt: clock.now(), attributes: {}, addresses: { ips: [], dnsNames: [] }, defaultNodeName: `node-${instanceId}` };
    return mintBootstrapToken(kube, counterRandom(seed), { identity, pool, nodeName: `node-${instanceId}`, usages: ['authentication'], now: clock.now() });
  };
  const record = (tokenId: string, instanceId = 'i-1'): RevocationRequest => ({
    tokenId,
    key: `aws/123456789012/${instanceId}`,
    provider: 'aws',
    account: '123456789012',
    region: 'us-east-1',
    instanceId,
    nodeName: `node-${instanceId}`,
    pool: 'workers',
    reason: 'mint_abandoned',
    at: GAVE_UP,
  });
  return { deps, kube, audit, log, clock, abandoned, record };
}

describe('runRevocations', () => {
  it('deletes the broker\'s Secret of a due record (UID precondition), audits token.revoked and drops the record', async () => {
    const { deps, kube, audit, clock, abandoned, record } = setup();
    const minted = await abandoned('i-1', 7);
    await audit.revokeLater(record(minted.token.id));
    clock.advance(2000);
    expect(await runRevocations(deps)).toEqual({ checked: 1, revoked: 1, dropped: 0 });
    expect(kube.secrets.size).toBe(0);
    expect(audit.revocations.size).toBe(0);
    expect(audit.stored.map((e) => [e.event, e.reason, e.tokenId, e.instanceId, e.actor])).toEqual([['token.revoked', 'mint_abandoned', minted.token.id, 'i-1', 'revoke-later']]);
  });

  it('a record not yet due is left for later', async () => {
    const { deps, kube, audit, clock, abandoned, record } = setup();
    const minted = await abandoned('i-1', 7);
    await audit.revokeLater(record(minted.token.id));
    clock.advance(1999);
    expect(await runRevocations(deps)).toEqual({ checked: 0, revoked: 0, dropped: 0 });
    expect(kube.secrets.size).toBe(1);
  });

  it('no Secret yet: looks again (a late create may come) until the settle window ends, then drops the record', async () => {
    const { deps, kube, audit, clock, record } = setup();
    await audit.revokeLater(record('late01'));
    clock.advance(2000);
    expect(await runRevocations(deps)).toEqual({ checked: 1, revoked: 0, dropped: 0 });
    expect(audit.revocations.get('late01')).toMatchObject({ checks: 1, checkAt: '2026-11-30T12:00:06.000Z' });
    // The create lands late; the next check finds and deletes it.
    const labels = { 'app.kubernetes.io/managed-by': 'kube-join-broker', 'kube-join-broker.io/instance': 'i-1' };
    await kube.createSecret('kube-system', bootstrapTokenSecret({ token: { id: 'late01', secret: '0123456789abcdef' }, expiresAt: new Date('2026-11-30T12:10:00Z'), description: 'late', usages: ['authentication'], groups: [], labels, annotations: {} }));
    clock.set('2026-11-30T12:00:06.000Z');
    expect(await runRevocations(deps)).toEqual({ checked: 1, revoked: 1, dropped: 0 });
    expect(kube.secrets.size).toBe(0);

    await audit.revokeLater(record('never1'));
    clock.set(new Date(Date.parse(GAVE_UP) + REVOCATION_SETTLE_MS));
    expect(await runRevocations(deps)).toEqual({ checked: 1, revoked: 0, dropped: 1 });
    expect(audit.revocations.size).toBe(0);
  });

  it.each([
    ['a kubeadm token under the same ID', (id: string) => bootstrapTokenSecret({ token: { id, secret: '0123456789abcdef' }, expiresAt: new Date('2026-12-01T00:00:00Z'), description: 'kubeadm', usages: ['authentication'], groups: [], labels: {}, annotations: {} })],
  ])('%s is never deleted: the record is dropped', async (_, secretOf) => {
    const { deps, kube, audit, clock, record } = setup();
    await kube.createSecret('kube-system', secretOf('kadm01'));
    await audit.revokeLater(record('kadm01'));
    clock.advance(2000);
    expect(await runRevocations(deps)).toEqual({ checked: 1, revoked: 0, dropped: 1 });
    expect(kube.secrets.size).toBe(1);
  });

  it('another instance\'s broker token under the same ID is never deleted', async () => {
    const { deps, kube, audit, clock, abandoned, record } = setup();
    const other = await abandoned('i-other', 7);
    await audit.revokeLater(record(other.token.id, 'i-1'));
    clock.advance(2000);
    expect(await runRevocations(deps)).toEqual({ checked: 1, revoked: 0, dropped: 1 });
    expect(kube.secrets.size).toBe(1);
  });

  it('an API failure (the DELETE refused with 429, the API down): looks again later, logged', async () => {
    const { deps, kube, audit, log, clock, abandoned, record } = setup();
    const minted = await abandoned('i-1', 7);
    await audit.revokeLater(record(minted.token.id));
    clock.advance(2000);
    kube.failWith = new KubeApiError('delete secret', 'status', 429, undefined, 1);
    expect(await runRevocations(deps)).toEqual({ checked: 1, revoked: 0, dropped: 0 });
    expect(audit.revocations.get(minted.token.id)).toMatchObject({ checks: 1 });
    expect(log.lines.map((l) => [l.level, l.event, l.fields['error']])).toEqual([['warn', 'revocation.check_failed', 'delete secret: status 429']]);
    kube.failWith = undefined;
    clock.advance(4000);
    expect(await runRevocations(deps)).toEqual({ checked: 1, revoked: 1, dropped: 0 });
    expect(kube.secrets.size).toBe(0);
  });

  it('recording the same token twice keeps the first record', async () => {
    const { audit, record } = setup();
    await audit.revokeLater(record('twice1'));
    await audit.revokeLater({ ...record('twice1'), reason: 'revoke_failed', at: '2026-11-30T12:05:00.000Z' });
    expect(audit.revocations.get('twice1')).toMatchObject({ reason: 'mint_abandoned', at: GAVE_UP });
  });
});
