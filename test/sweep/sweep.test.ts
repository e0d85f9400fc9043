import type { V1Secret } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { bootstrapTokenSecret } from '../../src/cluster/bootstrap-token.js';
import { KubeApiError, type KubeApi } from '../../src/cluster/kube-api.js';
import { mintBootstrapToken, type MintedToken } from '../../src/cluster/mint.js';
import type { LedgerKey } from '../../src/ledger/ledger.js';
import { runSweep, type SweepDeps } from '../../src/sweep/sweep.js';
import { inMemoryAudit } from '../fakes/audit.js';
import { capturingLogger, counterRandom, fakeKube, fixedClock, testConfig } from '../fakes/deps.js';
import { inMemoryLedger } from '../fakes/ledger.js';

const NOW = '2026-11-30T12:00:00Z';
const keyOf = (instanceId: string): LedgerKey => ({ provider: 'aws', account: '123456789012', instanceId });

function setup() {
  const kube = fakeKube();
  const ledger = inMemoryLedger();
  const audit = inMemoryAudit();
  const log = capturingLogger();
  const clock = fixedClock(NOW);
  const pool = testConfig().policy.pools[0]!;
  let seed = 3;
  const deps: SweepDeps = { kube, ledger, audit, log, clock, config: testConfig() };
  /** A join as the pipeline records it: Secret, ledger record, index row. */
  const join = async (instanceId: string, mintedAt: string, ttl = 600): Promise<MintedToken> => {
    const at = new Date(mintedAt);
    const identity = { provider: 'aws' as const, account: '123456789012', region: 'us-east-1', instanceId, issuedAt: at, attributes: {}, addresses: { ips: [], dnsNames: [] }, defaultNodeName: `node-${instanceId}` };
    const minted = await mintBootstrapToken(kube, counterRandom((seed += 50)), { identity, pool: { ...pool, tokenTtl: ttl }, nodeName: `node-${instanceId}`, usages: ['authentication'], now: at });
    const key = keyOf(instanceId);
    const claim = await ledger.claim({ key, issuedAt: at, rejoin: 'never', now: at, leaseMs: 60_000 });
    if (!claim.ok) throw new Error(claim.detail);
    await ledger.commit({ key, claimId: claim.claimId, now: at, record: { identity: key, issuedAt: mintedAt, nodeName: `node-${instanceId}`, pool: 'workers', tokenId: minted.token.id, mintedAt, tokenExpiresAt: minted.expiresAt.toISOString() } });
    await audit.recordMint(
      { key: `aws/123456789012/${instanceId}`, ...key, nodeName: `node-${instanceId}`, pool: 'workers', tokenId: minted.token.id, mintedAt: at.toISOString(), expiresAt: minted.expiresAt.toISOString(), addresses: { ips: [], dnsNames: [] } },
      { at: at.toISOString(), event: 'join.minted', ...key, tokenId: minted.token.id },
    );
    return minted;
  };
  const kubeadmToken = (id: string, expiresAt: string): Promise<V1Secret> =>
    kube.createSecret('kube-system', bootstrapTokenSecret({ token: { id, secret: '0123456789abcdef' }, expiresAt: new Date(expiresAt), description: 'kubeadm', usages: ['authentication'], groups: ['system:bootstrappers:kubeadm:default-node-token'], labels: {}, annotations: {} }));
  return { deps, kube, ledger, audit, log, clock, join, kubeadmToken };
}

describe('the cron sweep: expired tokens', () => {
  it('deletes expired broker tokens the tokencleaner left, and only those', async () => {
    const { deps, kube, audit, join, kubeadmToken } = setup();
    const expired = await join('i-expired', '2026-11-30T11:40:00Z'); // expired 11:50
    const atBoundary = await join('i-boundary', '2026-11-30T11:50:00Z'); // expires exactly now
    const live = await join('i-live', '2026-11-30T11:55:00Z');
    await kubeadmToken('kadm01', '2026-11-29T00:00:00Z'); // kubeadm's own, long expired: not ours
    const report = await runSweep(deps);
    expect(report).toMatchObject({ expiredDeleted: 2, failed: [] });
    expect([...kube.secrets.keys()].sort()).toEqual(['kube-system/bootstrap-token-kadm01', `kube-system/bootstrap-token-${live.token.id}`].sort());
    const deleted = audit.stored.filter((e) => e.event === 'token.expired_deleted');
    expect(deleted.map((e) => e.tokenId).sort()).toEqual([expired.token.id, atBoundary.token.id].sort());
    expect(deleted[0]).toMatchObject({ actor: 'cron', reason: 'expired', provider: 'aws', account: '123456789012', nodeName: expect.stringMatching(/^node-i-/), pool: 'workers' });
  });

  it('reads expiration as the tokencleaner does: unparseable is expired, missing never expires', async () => {
    const { deps, kube } = setup();
    const labels = { 'app.kubernetes.io/managed-by': 'kube-join-broker' };
    const secret = (id: string, expiration?: string): V1Secret => ({
      type: 'bootstrap.kubernetes.io/token',
      metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system', labels },
      data: { 'token-id': btoa(id), 'token-secret': btoa('0123456789abcdef'), ...(expiration === undefined ? {} : { expiration: btoa(expiration) }) },
    });
    await kube.createSecret('kube-system', secret('garbl1', 'tomorrow'));
    await kube.createSecret('kube-system', secret('never1'));
    await kube.createSecret('kube-system', secret('offset', '2026-11-30T13:30:00+02:00')); // 11:30Z: expired
    await kube.createSecret('kube-system', { ...secret('opaque', '2020-01-01T00:00:00Z'), type: 'Opaque' });
    expect((await runSweep(deps)).expiredDeleted).toBe(2);
    expect([...kube.secrets.keys()].sort()).toEqual(['kube-system/bootstrap-token-never1', 'kube-system/bootstrap-token-opaque']);
  });

  it('deletes with the UID as precondition: a Secret recreated in between is left alone', async () => {
    const { deps, kube, join } = setup();
    const minted = await join('i-expired', '2026-11-30T11:00:00Z');
    const name = `kube-system/bootstrap-token-${minted.token.id}`;
    const racing: KubeApi = {
      ...kube,
      async listSecrets(namespace, options) {
        const listed = await kube.listSecrets(namespace, options);
        const current = kube.secrets.get(name)!;
        kube.secrets.set(name, { ...current, metadata: { ...current.metadata, uid: 'recreated' } });
        return listed;
      },
    };
    expect((await runSweep({ ...deps, kube: racing })).expiredDeleted).toBe(0);
    expect(kube.secrets.get(name)?.metadata?.uid).toBe('recreated');
  });
});

describe('the cron sweep: reconciling the index with the cluster', () => {
  it('a token whose Secret vanished before expiry: used when its Node exists, revoked when not', async () => {
    const { deps, kube, ledger, audit, join } = setup();
    const used = await join('i-used', '2026-11-30T11:55:00Z');
    const revoked = await join('i-revoked', '2026-11-30T11:56:00Z');
    const untouched = await join('i-untouched', '2026-11-30T11:57:00Z');
    kube.secrets.delete(`kube-system/bootstrap-token-${used.token.id}`);
    kube.secrets.delete(`kube-system/bootstrap-token-${revoked.token.id}`);
    kube.nodes.set('node-i-used', { metadata: { name: 'node-i-used' } });
    const report = await runSweep(deps);
    expect(report.reconciled).toEqual({ used: 1, revoked: 1 });
    expect((await ledger.get(keyOf('i-used')))?.tokenUsedAt).toBe('2026-11-30T12:00:00.000Z');
    expect((await ledger.get(keyOf('i-revoked')))?.tokenRevokedAt).toBe('2026-11-30T12:00:00.000Z');
    expect(await ledger.get(keyOf('i-untouched'))).not.toHaveProperty('tokenRevokedAt');
    expect(audit.joins.get('aws/123456789012/i-used')?.usedAt).toBe('2026-11-30T12:00:00.000Z');
    expect(audit.joins.get('aws/123456789012/i-revoked')?.revokedAt).toBe('2026-11-30T12:00:00.000Z');
    expect(audit.joins.get('aws/123456789012/i-untouched')).not.toHaveProperty('revokedAt');
    expect(audit.stored.filter((e) => e.actor === 'cron').map((e) => [e.event, e.tokenId, e.reason])).toEqual([
      ['token.used', used.token.id, 'node_registered'],
      ['token.revoked', revoked.token.id, 'secret_deleted_outside_broker'],
    ]);
    expect(untouched.token.id).toBeDefined();
    // A second pass finds nothing left to do.
    expect((await runSweep(deps)).reconciled).toEqual({ used: 0, revoked: 0 });
  });

  it('leaves rows whose token already expired (the tokencleaner deleted them at expiry)', async () => {
    const { deps, kube, join } = setup();
    const old = await join('i-old', '2026-11-30T11:00:00Z');
    kube.secrets.delete(`kube-system/bootstrap-token-${old.token.id}`);
    expect((await runSweep(deps)).reconciled).toEqual({ used: 0, revoked: 0 });
  });
});

describe('the cron sweep: retention and failures', () => {
  it('prunes audit events older than 30 days and rows of tokens that expired before then', async () => {
    const { deps, audit, join } = setup();
    await join('i-ancient', '2026-10-01T00:00:00Z');
    await audit.record({ at: '2026-10-31T11:59:59.999Z', event: 'join.refused' });
    await audit.record({ at: '2026-10-31T12:00:00.000Z', event: 'join.refused' });
    const report = await runSweep(deps);
    expect(report.pruned).toEqual({ events: 2, joins: 1 });
    // The ancient token's Secret was still there (expired): the sweep deleted it, and says so.
    expect(audit.stored.map((e) => [e.at, e.event])).toEqual([
      ['2026-10-31T12:00:00.000Z', 'join.refused'],
      ['2026-11-30T12:00:00.000Z', 'token.expired_deleted'],
    ]);
  });

  it('a failing step is logged and the others still run', async () => {
    const { deps, kube, audit, log } = setup();
    await audit.record({ at: '2026-01-01T00:00:00Z', event: 'join.refused' });
    kube.failWith = new KubeApiError('list secrets', 'status', 503);
    const report = await runSweep(deps);
    // The CSR approver's pass lists through the same failing API.
    expect(report.failed).toEqual(['csr', 'list']);
    expect(report.pruned.events).toBe(1);
    expect(log.lines).toContainEqual(expect.objectContaining({ event: 'sweep.step_failed', fields: { step: 'list', error: 'list secrets: status 503' } }));
    expect(log.lines.at(-1)).toMatchObject({ event: 'sweep.done', fields: expect.objectContaining({ failed: ['csr', 'list'] }) });
  });
});
