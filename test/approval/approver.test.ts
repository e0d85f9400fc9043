/**
 * One approver pass (src/approval/approver.ts) over a fake cluster and index: what it writes
 * through `/approval`, the single-use rule (Secret deleted, ledger and index marked, audited),
 * the scope of an instance's polls, and that a failure on one CSR does not stop the others.
 * The same pass against the emulator through workerd: test/e2e/csr*.test.ts.
 */
import type { V1CertificateSigningRequest } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { runApproval, type ApproverDeps } from '../../src/approval/approver.js';
import { bootstrapTokenSecret } from '../../src/cluster/bootstrap-token.js';
import { KubeApiError } from '../../src/cluster/kube-api.js';
import { mintBootstrapToken } from '../../src/cluster/mint.js';
import type { LedgerKey } from '../../src/ledger/ledger.js';
import { parseJoinPolicy } from '../../src/policy/parse.js';
import { inMemoryAudit } from '../fakes/audit.js';
import { capturingLogger, counterRandom, fakeKube, fixedClock } from '../fakes/deps.js';
import { inMemoryLedger } from '../fakes/ledger.js';
import { csrObject, requestPem } from './requests.js';

const CLIENT = 'kubernetes.io/kube-apiserver-client-kubelet';
const SERVING = 'kubernetes.io/kubelet-serving';
const NOW = '2026-11-30T12:00:30Z';
const parsedPolicy = parseJoinPolicy('pools: [{name: workers, approval: broker}, {name: legacy}]');
if (!parsedPolicy.ok) throw new Error(parsedPolicy.errors.join());
const POLICY = parsedPolicy.policy;

function setup() {
  const kube = fakeKube();
  const ledger = inMemoryLedger();
  const audit = inMemoryAudit();
  const log = capturingLogger();
  const clock = fixedClock(NOW);
  const deps: ApproverDeps = { kube, audit, log, clock, policy: POLICY, markTokenUsed: (key, tokenId, at) => ledger.markTokenUsed(key, tokenId, at) };
  let seed = 7;
  /** A join as the pipeline records it: Secret, ledger record, index row. */
  const join = async (instanceId: string, pool = 'workers') => {
    const at = new Date('2026-11-30T12:00:00Z');
    const nodeName = `node-${instanceId}`;
    const identity = { provider: 'aws' as const, account: '111122223333', region: 'us-east-1', instanceId, issuedAt: at, attributes: {}, addresses: { ips: ['10.0.1.23'], dnsNames: [`${nodeName}.ec2.internal`] }, defaultNodeName: nodeName };
    const minted = await mintBootstrapToken(kube, counterRandom((seed += 40)), { identity, pool: POLICY.pools.find((p) => p.name === pool)!, nodeName, usages: ['authentication'], now: at });
    const key: LedgerKey = { provider: 'aws', account: '111122223333', instanceId };
    const claim = await ledger.claim({ key, issuedAt: at, rejoin: 'never', now: at, leaseMs: 60_000 });
    if (!claim.ok) throw new Error(claim.detail);
    await ledger.commit({ key, claimId: claim.claimId, now: at, record: { identity: key, issuedAt: at.toISOString(), nodeName, pool, tokenId: minted.token.id, mintedAt: at.toISOString(), tokenExpiresAt: minted.expiresAt.toISOString() } });
    await audit.recordMint(
      { key: `aws/111122223333/${instanceId}`, ...key, region: 'us-east-1', nodeName, pool, tokenId: minted.token.id, mintedAt: at.toISOString(), expiresAt: minted.expiresAt.toISOString(), addresses: identity.addresses },
      { at: at.toISOString(), event: 'join.minted', ...key, tokenId: minted.token.id },
    );
    return { key, nodeName, tokenId: minted.token.id, group: `system:bootstrappers:kube-join-broker:${pool}` };
  };
  let created = 0;
  /** A client CSR made with `tokenId` for `nodeName`, as the kubelet makes it. */
  const clientCsr = async (name: string, tokenId: string, nodeName: string, groups: string[], extra: Partial<Parameters<typeof csrObject>[0]> = {}) => {
    const csr = csrObject({
      name,
      pem: await requestPem({ subject: `O=system:nodes, CN=system:node:${nodeName}` }),
      signerName: CLIENT,
      username: `system:bootstrap:${tokenId}`,
      groups: ['system:authenticated', 'system:bootstrappers', ...groups],
      usages: ['digital signature', 'client auth'],
      createdAt: `2026-11-30T12:00:${String(10 + created++).padStart(2, '0')}Z`,
      ...extra,
    }) as V1CertificateSigningRequest;
    kube.csrs.set(name, csr);
    return csr;
  };
  const servingCsr = async (name: string, nodeName: string, sans: { type: 'dns' | 'ip'; value: string }[]) => {
    const csr = csrObject({
      name,
      pem: await requestPem({ subject: `O=system:nodes, CN=system:node:${nodeName}`, sans }),
      signerName: SERVING,
      username: `system:node:${nodeName}`,
      groups: ['system:authenticated', 'system:nodes'],
      usages: ['digital signature', 'server auth'],
      createdAt: `2026-11-30T12:00:${String(10 + created++).padStart(2, '0')}Z`,
    }) as V1CertificateSigningRequest;
    kube.csrs.set(name, csr);
    return csr;
  };
  const conditions = (name: string) => (kube.csrs.get(name)?.status?.conditions ?? []).map((c) => `${c.type}/${c.reason}`);
  return { deps, kube, ledger, audit, log, clock, join, clientCsr, servingCsr, conditions };
}

describe('one approver pass', () => {
  it('approves the broker-mode client CSR of the minted node and denies one for another name, as the ServiceAccount, audited', async () => {
    const t = setup();
    const a = await t.join('i-a');
    await t.clientCsr('csr-a', a.tokenId, a.nodeName, [a.group]);
    await t.clientCsr('csr-victim', a.tokenId, 'victim', [a.group], { createdAt: '2026-11-30T12:00:09Z' });
    const report = await runApproval(t.deps, { kind: 'cluster' });
    // Oldest first: the CSR for another name is denied and does not spend the token.
    expect(report.outcomes.map((o) => [o.csr, o.action, o.reason])).toEqual([
      ['csr-victim', 'denied', 'SubjectMismatch'],
      ['csr-a', 'approved', undefined],
    ]);
    expect(t.conditions('csr-a')).toEqual(['Approved/KubeJoinBrokerApproved']);
    expect(t.conditions('csr-victim')).toEqual(['Denied/KubeJoinBrokerSubjectMismatch']);
    expect(t.kube.csrs.get('csr-a')?.status?.conditions?.[0]).toMatchObject({ status: 'True', message: expect.stringContaining(`system:node:${a.nodeName}`) });
    expect(t.audit.stored.filter((e) => e.event.startsWith('csr.')).map((e) => [e.event, e.reason, e.nodeName, e.tokenId, e.actor])).toEqual([
      ['csr.denied', 'SubjectMismatch', a.nodeName, a.tokenId, 'csr-approver'],
      ['csr.approved', 'approved', a.nodeName, a.tokenId, 'csr-approver'],
    ]);
  });

  it('two client CSRs of one token: the older is approved, the second denied as the token\'s second', async () => {
    const t = setup();
    const a = await t.join('i-a');
    await t.clientCsr('first', a.tokenId, a.nodeName, [a.group]);
    await t.clientCsr('second', a.tokenId, a.nodeName, [a.group]);
    await runApproval(t.deps, { kind: 'cluster' });
    expect([t.conditions('first'), t.conditions('second')]).toEqual([['Approved/KubeJoinBrokerApproved'], ['Denied/KubeJoinBrokerTokenAlreadyUsed']]);
  });

  it('leaves alone kubeadm\'s own tokens, controller-mode tokens and CSRs already decided', async () => {
    const t = setup();
    const legacy = await t.join('i-legacy', 'legacy');
    await t.kube.createSecret('kube-system', bootstrapTokenSecret({ token: { id: 'kadm01', secret: '0123456789abcdef' }, expiresAt: new Date('2026-12-01T00:00:00Z'), description: 'kubeadm', usages: ['authentication'], groups: ['system:bootstrappers:kubeadm:default-node-token'], labels: {}, annotations: {} }));
    await t.clientCsr('kubeadm-token', 'kadm01', 'anything', ['system:bootstrappers:kubeadm:default-node-token']);
    await t.clientCsr('controller-mode', legacy.tokenId, legacy.nodeName, ['system:bootstrappers:kubeadm:default-node-token']);
    await t.clientCsr('decided', legacy.tokenId, 'other', [], { conditions: [{ type: 'Denied', status: 'True', reason: 'ByAdmin' }] });
    const report = await runApproval(t.deps, { kind: 'cluster' });
    expect(report.outcomes).toEqual([]);
    expect([t.conditions('kubeadm-token'), t.conditions('controller-mode'), t.conditions('decided')]).toEqual([[], [], ['Denied/ByAdmin']]);
    expect(t.audit.stored.filter((e) => e.event.startsWith('csr.'))).toEqual([]);
  });

  it('single use: an issued client certificate deletes the token Secret and marks the token used in the ledger, the index and the audit', async () => {
    const t = setup();
    const a = await t.join('i-a');
    await t.clientCsr('csr-a', a.tokenId, a.nodeName, [a.group], { conditions: [{ type: 'Approved', status: 'True', reason: 'KubeJoinBrokerApproved' }], certificate: 'LS0t' });
    const report = await runApproval(t.deps, { kind: 'instance', tokenId: a.tokenId, nodeName: a.nodeName });
    expect(report).toMatchObject({ tokensUsed: [a.tokenId], clientIssued: true, servingDecided: false });
    expect(t.kube.secrets.has(`kube-system/bootstrap-token-${a.tokenId}`)).toBe(false);
    expect((await t.ledger.get(a.key))?.tokenUsedAt).toBe(new Date(NOW).toISOString());
    expect((await t.audit.joinByToken(a.tokenId))?.usedAt).toBe(new Date(NOW).toISOString());
    expect(t.audit.stored.at(-1)).toMatchObject({ event: 'token.used', reason: 'client_certificate_issued', tokenId: a.tokenId, nodeName: a.nodeName, actor: 'csr-approver' });
    // A second pass changes nothing.
    expect((await runApproval(t.deps, { kind: 'cluster' })).tokensUsed).toEqual([]);
  });

  it('single use waits SPEND_GRACE_MS after the approval, so the node can still read its certificate with the token', async () => {
    const t = setup();
    const a = await t.join('i-a');
    const approved = { type: 'Approved', status: 'True', reason: 'KubeJoinBrokerApproved', lastUpdateTime: '2026-11-30T12:00:27Z' } as never;
    await t.clientCsr('csr-a', a.tokenId, a.nodeName, [a.group], { conditions: [approved], certificate: 'LS0t' });
    await t.clientCsr('csr-again', a.tokenId, a.nodeName, [a.group]);
    const early = await runApproval(t.deps, { kind: 'instance', tokenId: a.tokenId, nodeName: a.nodeName });
    expect(early).toMatchObject({ tokensUsed: [], clientIssued: false });
    expect(t.kube.secrets.has(`kube-system/bootstrap-token-${a.tokenId}`)).toBe(true);
    // Not spent yet, but spent for approval: a second client CSR is denied.
    expect(t.conditions('csr-again')).toEqual(['Denied/KubeJoinBrokerTokenAlreadyUsed']);
    t.clock.set('2026-11-30T12:00:32Z');
    expect(await runApproval(t.deps, { kind: 'instance', tokenId: a.tokenId, nodeName: a.nodeName })).toMatchObject({ tokensUsed: [a.tokenId], clientIssued: true });
    expect(t.kube.secrets.has(`kube-system/bootstrap-token-${a.tokenId}`)).toBe(false);
  });

  it('single use in controller mode too, and never a Secret the broker did not label', async () => {
    const t = setup();
    const legacy = await t.join('i-legacy', 'legacy');
    await t.clientCsr('csr-legacy', legacy.tokenId, legacy.nodeName, ['system:bootstrappers:kubeadm:default-node-token'], { conditions: [{ type: 'Approved', status: 'True', reason: 'AutoApproved' }], certificate: 'LS0t' });
    // The broker's Secret was replaced by a kubeadm token with the same ID: marked used, not deleted.
    const secret = t.kube.secrets.get(`kube-system/bootstrap-token-${legacy.tokenId}`)!;
    t.kube.secrets.set(`kube-system/bootstrap-token-${legacy.tokenId}`, { ...secret, metadata: { ...secret.metadata, labels: {} } });
    expect((await runApproval(t.deps, { kind: 'cluster' })).tokensUsed).toEqual([legacy.tokenId]);
    expect(t.kube.secrets.has(`kube-system/bootstrap-token-${legacy.tokenId}`)).toBe(true);
    expect(t.audit.stored.at(-1)).toMatchObject({ event: 'token.used', detail: expect.stringContaining('already gone') });
  });

  it('a serving CSR of the node: exactly the attested SANs approved, an extra SAN denied', async () => {
    const t = setup();
    const a = await t.join('i-a');
    await t.servingCsr('serving-ok', a.nodeName, [{ type: 'dns', value: `${a.nodeName}.ec2.internal` }, { type: 'ip', value: '10.0.1.23' }]);
    await t.servingCsr('serving-extra', a.nodeName, [{ type: 'ip', value: '10.0.1.23' }, { type: 'dns', value: 'kubernetes' }]);
    const report = await runApproval(t.deps, { kind: 'instance', tokenId: a.tokenId, nodeName: a.nodeName });
    expect([t.conditions('serving-ok'), t.conditions('serving-extra')]).toEqual([['Approved/KubeJoinBrokerApproved'], ['Denied/KubeJoinBrokerUnattestedSubjectAltName']]);
    expect(report.servingDecided).toBe(true);
  });

  it('an instance\'s pass looks only at its token\'s and its node\'s CSRs', async () => {
    const t = setup();
    const a = await t.join('i-a');
    const b = await t.join('i-b');
    await t.clientCsr('csr-b', b.tokenId, b.nodeName, [b.group]);
    const report = await runApproval(t.deps, { kind: 'instance', tokenId: a.tokenId, nodeName: a.nodeName });
    expect(report).toMatchObject({ examined: 0, outcomes: [] });
    expect(t.conditions('csr-b')).toEqual([]);
  });

  it('a CSR that changed since the list (409) is a conflict, decided on the next pass', async () => {
    const t = setup();
    const a = await t.join('i-a');
    await t.clientCsr('csr-a', a.tokenId, a.nodeName, [a.group]);
    const list = t.kube.listCertificateSigningRequests.bind(t.kube);
    t.kube.listCertificateSigningRequests = async () => (await list()).map((c) => ({ ...c, metadata: { ...c.metadata, resourceVersion: 'stale' } }));
    expect((await runApproval(t.deps, { kind: 'cluster' })).outcomes).toMatchObject([{ csr: 'csr-a', action: 'conflict' }]);
    t.kube.listCertificateSigningRequests = list;
    expect((await runApproval(t.deps, { kind: 'cluster' })).outcomes).toMatchObject([{ csr: 'csr-a', action: 'approved' }]);
  });

  it('a failure writing one decision is logged and counted; the next CSR is still decided', async () => {
    const t = setup();
    const a = await t.join('i-a');
    const b = await t.join('i-b');
    await t.clientCsr('csr-a', a.tokenId, a.nodeName, [a.group]);
    await t.clientCsr('csr-b', b.tokenId, b.nodeName, [b.group]);
    const update = t.kube.updateCertificateSigningRequestApproval.bind(t.kube);
    t.kube.updateCertificateSigningRequestApproval = async (csr) => {
      if (csr.metadata?.name === 'csr-a') throw new KubeApiError('update certificatesigningrequest approval', 'status', 503);
      return update(csr);
    };
    const report = await runApproval(t.deps, { kind: 'cluster' });
    expect(report.outcomes.map((o) => [o.csr, o.action])).toEqual([['csr-a', 'failed'], ['csr-b', 'approved']]);
    expect(t.log.lines).toContainEqual({ level: 'error', event: 'csr.decision_failed', fields: { csr: 'csr-a', error: 'update certificatesigningrequest approval: status 503' } });
  });

  it('a list failure is the caller\'s (the poll records it, the sweep logs its step)', async () => {
    const t = setup();
    t.kube.failWith = new KubeApiError('list certificatesigningrequests', 'status', 503);
    await expect(runApproval(t.deps, { kind: 'cluster' })).rejects.toThrow('list certificatesigningrequests: status 503');
  });
});
