/**
 * The controllers with an injected clock, driven synchronously through `controllers.syncAll()`:
 * tokencleaner (deletes exactly at expiration), bootstrapsigner (adds/removes jws keys, honours its
 * delay, collapses a burst of triggers behind the controller-manager client's rate limit), csrapprover (nodeclient/selfnodeclient through RBAC, never kubelet-serving) and
 * csrsigner (backdating, lifetime rules, Failed on a signer-validation violation).
 */
import type { V1CertificateSigningRequest, V1ConfigMap } from '@kubernetes/client-node';
import { X509Certificate } from '@peculiar/x509';
import { afterEach, describe, expect, it } from 'vitest';
import { BootstrapSigner, CONTROLLER_MANAGER_CLIENT_LIMIT, TokenBucket } from '../../dev/cluster/controllers/bootstrapsigner.js';
import { computeDetachedSignature, ManualClock } from '../../dev/cluster/index.js';
import { csrKind } from '../../dev/cluster/registry/kinds/csr.js';
import { secretKind } from '../../dev/cluster/registry/kinds/secret.js';
import type { UserInfo } from '../../dev/cluster/auth/user.js';
import { kubeletClientCsrManifest, kubeletServingCsrManifest, csrPem } from './csr-fixtures.js';
import { call, secretManifest, startTestCluster } from './helpers.js';

type Cluster = Awaited<ReturnType<typeof startTestCluster>>;
let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.cleanup();
  cluster = undefined;
});

const T0 = '2025-06-01T12:00:00Z';
const ADMIN: UserInfo = { name: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };
const BOOTSTRAP: UserInfo = {
  name: 'system:bootstrap:abcdef',
  groups: ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token', 'system:authenticated'],
};
const NODE: UserInfo = { name: 'system:node:worker-1', groups: ['system:nodes', 'system:authenticated'] };

async function start(clock: ManualClock, extra: Parameters<typeof startTestCluster>[0] = {}): Promise<Cluster> {
  cluster = await startTestCluster({ clock, ...extra });
  return cluster;
}

const createToken = (c: Cluster, id: string, extra: Record<string, string> = {}) =>
  c.api.create(secretKind, 'kube-system', secretManifest(id, '0123456789abcdef', extra), ADMIN);
const tokenExists = (c: Cluster, id: string) => c.store.get('secrets', 'kube-system', `bootstrap-token-${id}`) !== undefined;
const clusterInfo = (c: Cluster) => c.store.get('configmaps', 'kube-public', 'cluster-info') as unknown as V1ConfigMap;
const csr = (c: Cluster, name: string) => c.store.get('certificatesigningrequests.certificates.k8s.io', undefined, name) as unknown as V1CertificateSigningRequest;

describe('tokencleaner', () => {
  it('deletes a token exactly at its expiration, not a second before', async () => {
    const clock = new ManualClock(T0);
    const c = await start(clock);
    createToken(c, 'expire', { expiration: '2025-06-01T12:10:00Z' });
    clock.set('2025-06-01T12:09:59Z');
    await c.controllers.syncAll();
    expect(tokenExists(c, 'expire')).toBe(true);
    clock.set('2025-06-01T12:10:00Z');
    await c.controllers.syncAll();
    expect(tokenExists(c, 'expire')).toBe(false);
  });

  it('deletes a token with an unparseable expiration and never one without expiration', async () => {
    const clock = new ManualClock(T0);
    const c = await start(clock);
    createToken(c, 'badexp', { expiration: 'next tuesday' });
    createToken(c, 'forevr');
    clock.advance(10 * 365 * 24 * 3600_000);
    await c.controllers.syncAll();
    expect(tokenExists(c, 'badexp')).toBe(false);
    expect(tokenExists(c, 'forevr')).toBe(true);
  });

  it('leaves Secrets of other types alone', async () => {
    const clock = new ManualClock(T0);
    const c = await start(clock);
    c.api.create(secretKind, 'kube-system', { ...secretManifest('opaque', 'x', { expiration: '2000-01-01T00:00:00Z' }), type: 'Opaque' }, ADMIN);
    await c.controllers.syncAll();
    expect(tokenExists(c, 'opaque')).toBe(true);
  });
});

describe('bootstrapsigner', () => {
  it('adds a jws-kubeconfig-<id> key for each signing token and removes it when the token goes', async () => {
    const clock = new ManualClock(T0);
    const c = await start(clock);
    createToken(c, 'abcdef', { expiration: '2025-06-01T13:00:00Z' });
    createToken(c, 'nosign', { 'usage-bootstrap-signing': 'false' });
    await c.controllers.syncAll();
    const data = clusterInfo(c).data!;
    expect(Object.keys(data).sort()).toEqual(['jws-kubeconfig-abcdef', 'kubeconfig']);
    expect(data.kubeconfig).toBe(c.clusterInfoKubeconfig);
    expect(data['jws-kubeconfig-abcdef']).toBe(computeDetachedSignature(c.clusterInfoKubeconfig, 'abcdef', '0123456789abcdef'));

    const rv = clusterInfo(c).metadata!.resourceVersion;
    await c.controllers.syncAll();
    expect(clusterInfo(c).metadata!.resourceVersion).toBe(rv);

    clock.set('2025-06-01T13:00:00Z'); // expiry: the tokencleaner's delete re-triggers the signer
    await c.controllers.syncAll();
    expect(tokenExists(c, 'abcdef')).toBe(false);
    expect(Object.keys(clusterInfo(c).data!)).toEqual(['kubeconfig']);
  });

  it('publishes the signature only after the configured delay', async () => {
    const clock = new ManualClock(T0);
    const c = await start(clock, { bootstrapSignerDelayMs: 1000 }); // long enough that the create and first read finish first on a loaded CI machine
    const created = Date.now();
    await call(c, 'POST', '/api/v1/namespaces/kube-system/secrets', { token: c.adminToken, body: secretManifest('delayd', '0123456789abcdef') });
    const read = async () => (await call(c, 'GET', '/api/v1/namespaces/kube-public/configmaps/cluster-info')).json() as V1ConfigMap;
    expect((await read()).data!['jws-kubeconfig-delayd']).toBeUndefined();
    let data = (await read()).data!;
    while (!data['jws-kubeconfig-delayd'] && Date.now() - created < 8000) {
      await new Promise((r) => setTimeout(r, 20));
      data = (await read()).data!;
    }
    expect(data['jws-kubeconfig-delayd']).toBeDefined();
    expect(Date.now() - created).toBeGreaterThanOrEqual(990);
  });
});

describe('bootstrapsigner: one work item behind the client\'s rate limit', () => {
  it.each([
    // [what, bucket's tokens taken so far, ms elapsed, wait]
    ['a full bucket (burst 30): no wait', 0, 0, 0],
    ['30 writes at once: the 31st waits 1/qps', 30, 0, 50],
    ['30 writes, 20 ms later: 30 ms to go', 30, 20, 30],
    ['30 writes, a second later: 20 tokens back', 30, 1000, 0],
  ])('TokenBucket (qps 20, burst 30), %s', (_, taken, elapsed, wait) => {
    let now = 0;
    const bucket = new TokenBucket(CONTROLLER_MANAGER_CLIENT_LIMIT.qps, CONTROLLER_MANAGER_CLIENT_LIMIT.burst, () => now);
    for (let i = 0; i < taken; i++) bucket.take();
    now += elapsed;
    expect(bucket.waitMs()).toBe(wait);
  });

  it('tokens created while a pass waits for the rate limit fold into that one pass, and every one is signed', async () => {
    const clock = new ManualClock(T0);
    const c = await start(clock);
    // A signer of its own with a one-write bucket, fed by the store's events like the manager's
    // (whose own signer is stopped).
    c.controllers.bootstrapSigner.stop();
    const signer = new BootstrapSigner(c.api, () => 0, { qps: 1, burst: 1 });
    signer.startInformer();
    const unsubscribe = c.store.subscribe((e) => {
      signer.observe(e);
      if (signer.wants(e)) signer.trigger();
    });
    try {
      const ids = Array.from({ length: 20 }, (_, i) => `burst${i.toString(36)}`);
      const waitFor = async (check: () => boolean) => {
        const until = Date.now() + 10_000;
        while (!check() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
      };
      createToken(c, ids[0]!);
      await waitFor(() => signer.counts.writes === 1);
      for (const id of ids.slice(1)) {
        createToken(c, id);
        await new Promise((resolve) => setImmediate(resolve));
      }
      const signed = () => Object.keys(clusterInfo(c).data ?? {}).filter((k) => k.startsWith('jws-kubeconfig-burst')).length;
      await waitFor(() => signed() === ids.length);
      expect(signed()).toBe(ids.length);
      // One write when the first token came (the bucket's one token), one for all the others.
      expect(signer.counts.writes).toBe(2);
    } finally {
      unsubscribe();
      signer.stop();
    }
  });
});

describe('csrapprover', () => {
  it('auto-approves a kubelet client CSR from a bootstrap token through the nodeclient permission', async () => {
    const c = await start(new ManualClock(T0));
    c.api.create(csrKind, undefined, await kubeletClientCsrManifest('node-csr-1'), BOOTSTRAP);
    await c.controllers.syncAll();
    const conditions = csr(c, 'node-csr-1').status!.conditions!;
    expect(conditions).toEqual([
      {
        type: 'Approved',
        status: 'True',
        reason: 'AutoApproved',
        message: 'Auto approving kubelet client certificate after SubjectAccessReview.',
        lastUpdateTime: T0,
        lastTransitionTime: T0,
      },
    ]);
  });

  it('approves a node renewing its own client certificate through selfnodeclient', async () => {
    const c = await start(new ManualClock(T0));
    c.api.create(csrKind, undefined, await kubeletClientCsrManifest('renew', 'worker-1'), NODE);
    await c.controllers.syncAll();
    expect(csr(c, 'renew').status!.conditions![0]!.message).toBe('Auto approving self kubelet client certificate after SubjectAccessReview.');
    expect(csr(c, 'renew').status!.certificate).toBeDefined();
  });

  it('does not approve a requester without the nodeclient permission', async () => {
    const c = await start(new ManualClock(T0));
    const plain: UserInfo = { name: 'system:bootstrap:zzzzzz', groups: ['system:bootstrappers', 'system:authenticated'] };
    c.api.create(csrKind, undefined, await kubeletClientCsrManifest('plain'), plain);
    await c.controllers.syncAll();
    expect(csr(c, 'plain').status).toEqual({});
  });

  it('never approves a kubelet-serving CSR; an admin approval gets it signed', async () => {
    const c = await start(new ManualClock(T0));
    c.api.create(csrKind, undefined, await kubeletServingCsrManifest('serving'), NODE);
    await c.controllers.syncAll();
    expect(csr(c, 'serving').status).toEqual({});
    const approved = structuredClone(csr(c, 'serving'));
    approved.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'Test', message: 'ok' } as never] };
    c.api.update(csrKind, undefined, 'serving', approved, ADMIN, {}, 'approval');
    await c.controllers.syncAll();
    expect(csr(c, 'serving').status!.certificate).toBeDefined();
  });

  it('approval by a user without `approve` on the signer is refused by admission', async () => {
    const c = await start(new ManualClock(T0));
    c.api.create(csrKind, undefined, await kubeletServingCsrManifest('serving'), NODE);
    const approved = structuredClone(csr(c, 'serving'));
    approved.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'Test', message: 'ok' } as never] };
    expect(() => c.api.update(csrKind, undefined, 'serving', approved, NODE, {}, 'approval')).toThrow(
      'certificatesigningrequests.certificates.k8s.io "serving" is forbidden: user not permitted to approve requests with signerName "kubernetes.io/kubelet-serving"',
    );
  });
});

describe('csrsigner', () => {
  const MIN = 60_000;
  async function issued(c: Cluster, name: string, manifest: Record<string, unknown>): Promise<X509Certificate> {
    c.api.create(csrKind, undefined, manifest, BOOTSTRAP);
    await c.controllers.syncAll();
    const pem = Buffer.from(csr(c, name).status!.certificate!, 'base64').toString('utf8');
    return new X509Certificate(pem);
  }

  it.each([
    ['no expirationSeconds: --cluster-signing-duration minus the backdate', undefined, 365 * 24 * 60 * MIN - 5 * MIN],
    ['1 h (short-lived, < 8 h): exactly now + 1 h', 3600, 60 * MIN],
    ['600 s: the 10-minute floor', 600, 10 * MIN],
    ['9 h (long-lived): now + 9 h − 5 min', 9 * 3600, 9 * 60 * MIN - 5 * MIN],
  ])('%s', async (_name, expirationSeconds, lifetimeMs) => {
    const c = await start(new ManualClock(T0));
    const extra = expirationSeconds === undefined ? {} : { expirationSeconds };
    const cert = await issued(c, 'life', await kubeletClientCsrManifest('life', 'worker-1', extra));
    expect(cert.notBefore.toISOString()).toBe(new Date(Date.parse(T0) - 5 * MIN).toISOString());
    expect(cert.notAfter.getTime()).toBe(Date.parse(T0) + lifetimeMs);
    expect(await cert.verify({ publicKey: c.ca.cert.publicKey, signatureOnly: true })).toBe(true);
  });

  it('caps the lifetime at --cluster-signing-duration', async () => {
    const c = await start(new ManualClock(T0), { clusterSigningDurationMs: 2 * 60 * MIN });
    const cert = await issued(c, 'cap', await kubeletClientCsrManifest('cap', 'worker-1', { expirationSeconds: 24 * 3600 }));
    expect(cert.notAfter.getTime()).toBe(Date.parse(T0) + 2 * 60 * MIN);
  });

  it('marks an approved CSR that fails the signer check Failed/SignerValidationFailure and issues nothing', async () => {
    const c = await start(new ManualClock(T0));
    const noSans = {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name: 'bad-serving' },
      spec: {
        request: Buffer.from(await csrPem('O=system:nodes, CN=system:node:worker-1')).toString('base64'),
        signerName: 'kubernetes.io/kubelet-serving',
        usages: ['digital signature', 'server auth'],
      },
    };
    c.api.create(csrKind, undefined, noSans, NODE);
    const approved = structuredClone(csr(c, 'bad-serving'));
    approved.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'Test', message: 'ok' } as never] };
    c.api.update(csrKind, undefined, 'bad-serving', approved, ADMIN, {}, 'approval');
    await c.controllers.syncAll();
    const status = csr(c, 'bad-serving').status!;
    expect(status.certificate).toBeUndefined();
    expect(status.conditions!.map((x) => [x.type, x.status, x.reason, x.message])).toEqual([
      ['Approved', 'True', 'Test', 'ok'],
      ['Failed', 'True', 'SignerValidationFailure', 'DNS or IP subjectAltName is required'],
    ]);
  });
});
