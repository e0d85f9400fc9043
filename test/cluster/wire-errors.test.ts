/**
 * The wire contract of errors: metav1.Status bodies compared with the captured fixtures in
 * shared/kubernetes/fixtures (byte for byte where the values can be reproduced, by shape
 * otherwise), the authenticator's 401s, RBAC 403s, and the max-in-flight 429.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../dev/cluster/index.js';
import { call, fixture, type Reply, secretManifest, shape, startTestCluster } from './helpers.js';

type Cluster = Awaited<ReturnType<typeof startTestCluster>>;
let cluster: Cluster;
const clock = new ManualClock('2025-03-10T00:00:00Z');

const TOKEN = 'abcdef.0123456789abcdef';

beforeAll(async () => {
  cluster = await startTestCluster({ clock });
  const admin = cluster.adminToken;
  const mk = (id: string, extra: Record<string, string> = {}) =>
    call(cluster, 'POST', '/api/v1/namespaces/kube-system/secrets', { token: admin, body: secretManifest(id, '0123456789abcdef', extra) });
  expect((await mk('abcdef')).status).toBe(201);
  expect((await mk('expird', { expiration: '2025-03-09T00:00:00Z' })).status).toBe(201);
  expect((await mk('noauth', { 'usage-bootstrap-authentication': 'false' })).status).toBe(201);
  expect((await mk('badexp', { expiration: 'tomorrow' })).status).toBe(201);
  expect((await mk('badgrp', { 'auth-extra-groups': 'system:masters' })).status).toBe(201);
});
afterAll(async () => cluster.cleanup());

function expectStatusHeaders(r: Reply): void {
  expect(r.headers.get('content-type')).toBe('application/json');
  expect(r.headers.get('cache-control')).toBe('no-cache, private');
  expect(r.headers.get('audit-id')).toMatch(/^[0-9a-f-]{36}$/);
  expect(r.text.endsWith('}\n')).toBe(true);
}

describe('401 Unauthorized', () => {
  it.each([
    ['an unknown token id', 'zzzzzz.0123456789abcdef'],
    ['a wrong secret', 'abcdef.0000000000000000'],
    ['an expired token', 'expird.0123456789abcdef'],
    ['an unparseable expiration (treated as expired)', 'badexp.0123456789abcdef'],
    ['a token without usage-bootstrap-authentication', 'noauth.0123456789abcdef'],
    ['a token with an invalid auth-extra-group', 'badgrp.0123456789abcdef'],
    ['a random bearer token', 'not-a-token'],
  ])('%s gets the fixture body byte for byte', async (_case, token) => {
    const r = await call(cluster, 'GET', '/api/v1/namespaces/kube-public/configmaps/cluster-info', { token });
    expect(r.status).toBe(401);
    expectStatusHeaders(r);
    expect(r.text).toBe(fixture('401-unauthorized.json'));
  });

  it('a valid token authenticates as system:bootstrap:<id> with sorted groups', async () => {
    const r = await call(cluster, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      token: TOKEN,
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });
    expect(r.status).toBe(201);
    expect((r.json() as { status: unknown }).status).toEqual({
      userInfo: {
        username: 'system:bootstrap:abcdef',
        groups: ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token', 'system:authenticated'],
      },
    });
  });

  it('no Authorization header is anonymous, not 401', async () => {
    const r = await call(cluster, 'GET', '/api/v1/namespaces/kube-public/configmaps/cluster-info');
    expect(r.status).toBe(200);
  });

  it('a token stops working exactly at its expiration', async () => {
    const exp = '2025-03-10T00:10:00Z';
    await call(cluster, 'POST', '/api/v1/namespaces/kube-system/secrets', { token: cluster.adminToken, body: secretManifest('tenmin', '0123456789abcdef', { expiration: exp }) });
    const probe = () => call(cluster, 'GET', '/version', { token: 'tenmin.0123456789abcdef' });
    clock.set('2025-03-10T00:09:59Z');
    expect((await probe()).status).toBe(200);
    clock.set(exp);
    expect((await probe()).status).toBe(401);
    clock.set('2025-03-10T00:00:00Z');
  });
});

describe('403 Forbidden', () => {
  it('anonymous get of a named secret matches the fixture byte for byte', async () => {
    const r = await call(cluster, 'GET', '/api/v1/namespaces/kube-system/secrets/bootstrap-token-abcdef');
    expect(r.status).toBe(403);
    expectStatusHeaders(r);
    expect(r.text).toBe(fixture('403-forbidden-get-named-secret.json'));
  });

  it('the broker creating a secret outside kube-system has the fixture shape and message format', async () => {
    const r = await call(cluster, 'POST', '/api/v1/namespaces/default/secrets', {
      token: cluster.brokerToken,
      body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } },
    });
    expect(r.status).toBe(403);
    expect(shape(r.json())).toEqual(shape(JSON.parse(fixture('403-forbidden-create-secret.json'))));
    expect(r.text).toBe(
      fixture('403-forbidden-create-secret.json')
        .replace('system:serviceaccount:join-broker:join-broker', 'system:serviceaccount:kube-system:kube-join-broker')
        .replace('the namespace \\"kube-system\\"', 'the namespace \\"default\\"'),
    );
  });

  it.each([
    ['list secrets in kube-system', 'GET', '/api/v1/namespaces/kube-system/secrets', 'secrets is forbidden: User "system:bootstrap:abcdef" cannot list resource "secrets" in API group "" in the namespace "kube-system"'],
    ['delete a node', 'DELETE', '/api/v1/nodes/worker-1', 'nodes "worker-1" is forbidden: User "system:bootstrap:abcdef" cannot delete resource "nodes" in API group "" at the cluster scope'],
    [
      'approve a CSR',
      'PUT',
      '/apis/certificates.k8s.io/v1/certificatesigningrequests/x/approval',
      'certificatesigningrequests.certificates.k8s.io "x" is forbidden: User "system:bootstrap:abcdef" cannot update resource "certificatesigningrequests/approval" in API group "certificates.k8s.io" at the cluster scope',
    ],
  ])('the bootstrap-token user may not %s', async (_c, method, path, message) => {
    const r = await call(cluster, method, path, { token: TOKEN, body: method === 'PUT' ? {} : undefined });
    expect(r.status).toBe(403);
    expect((r.json() as { message: string }).message).toBe(message);
  });

  it('the bootstrap-token user may read what kubeadm join reads', async () => {
    for (const cm of ['kubeadm-config', 'kubelet-config', 'kube-proxy']) {
      expect((await call(cluster, 'GET', `/api/v1/namespaces/kube-system/configmaps/${cm}`, { token: TOKEN })).status).toBe(200);
    }
    expect((await call(cluster, 'GET', '/api/v1/nodes/worker-9', { token: TOKEN })).status).toBe(404);
  });

  it('non-resource paths use the path form of the message', async () => {
    const r = await call(cluster, 'GET', '/api');
    expect(r.status).toBe(403);
    expect(r.text).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"forbidden: User \\"system:anonymous\\" cannot get path \\"/api\\"","reason":"Forbidden","details":{},"code":403}\n',
    );
  });
});

describe('404, 409, 422 bodies', () => {
  it('404 for a missing secret matches the fixture byte for byte', async () => {
    await call(cluster, 'DELETE', '/api/v1/namespaces/kube-system/secrets/bootstrap-token-abcdef', { token: cluster.adminToken });
    const r = await call(cluster, 'GET', '/api/v1/namespaces/kube-system/secrets/bootstrap-token-abcdef', { token: cluster.adminToken });
    expect(r.status).toBe(404);
    expectStatusHeaders(r);
    expect(r.text).toBe(fixture('404-notfound-secret.json'));
    await call(cluster, 'POST', '/api/v1/namespaces/kube-system/secrets', { token: cluster.adminToken, body: secretManifest('abcdef', '0123456789abcdef') });
  });

  it('404 for a missing cluster-info matches the fixture byte for byte', async () => {
    const r = await call(cluster, 'GET', '/api/v1/namespaces/kube-public/configmaps/cluster-info-x', { token: cluster.adminToken });
    expect(shape(r.json())).toEqual(shape(JSON.parse(fixture('404-notfound-configmap-cluster-info.json'))));
    expect(r.text).toBe(fixture('404-notfound-configmap-cluster-info.json').replaceAll('cluster-info', 'cluster-info-x'));
  });

  it('409 AlreadyExists for a secret matches the fixture byte for byte', async () => {
    const r = await call(cluster, 'POST', '/api/v1/namespaces/kube-system/secrets', { token: cluster.adminToken, body: secretManifest('abcdef', 'ffffffffffffffff') });
    expect(r.status).toBe(409);
    expect(r.text).toBe(fixture('409-alreadyexists-secret.json'));
  });

  it('409 AlreadyExists for a CSR (group-qualified) matches the fixture byte for byte', async () => {
    const csr = (await import('./csr-fixtures.js')).kubeletClientCsrManifest('node-csr-abc');
    expect((await call(cluster, 'POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', { token: cluster.adminToken, body: await csr })).status).toBe(201);
    const r = await call(cluster, 'POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', { token: cluster.adminToken, body: await csr });
    expect(r.status).toBe(409);
    expect(r.text).toBe(fixture('409-alreadyexists-csr.json'));
  });

  it('422 for an invalid secret name matches the fixture byte for byte', async () => {
    const r = await call(cluster, 'POST', '/api/v1/namespaces/kube-system/secrets', {
      token: cluster.adminToken,
      body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'Bootstrap_Token' }, type: 'bootstrap.kubernetes.io/token' },
    });
    expect(r.status).toBe(422);
    expect(r.text).toBe(fixture('422-invalid-secret-name.json'));
  });

  it('create into a missing namespace is 404 namespaces "x" not found', async () => {
    const r = await call(cluster, 'POST', '/api/v1/namespaces/nope/configmaps', { token: cluster.adminToken, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } } });
    expect(r.status).toBe(404);
    expect(r.json()).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'namespaces "nope" not found', reason: 'NotFound', details: { name: 'nope', kind: 'namespaces' }, code: 404 });
  });

  it('a dryRun value other than All is 422 on CreateOptions', async () => {
    const r = await call(cluster, 'POST', '/api/v1/namespaces/default/configmaps?dryRun=Yes', { token: cluster.adminToken, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } } });
    expect(r.status).toBe(422);
    expect(r.json()).toMatchObject({
      message: 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Yes"}: supported values: "All"',
      details: { group: 'meta.k8s.io', kind: 'CreateOptions', causes: [{ reason: 'FieldValueNotSupported', field: 'dryRun' }] },
    });
  });

  it('delete of a secret answers the Success Status of the fixture', async () => {
    await call(cluster, 'POST', '/api/v1/namespaces/kube-system/secrets', { token: cluster.adminToken, body: secretManifest('delete', '0123456789abcdef') });
    const r = await call(cluster, 'DELETE', '/api/v1/namespaces/kube-system/secrets/bootstrap-token-delete', { token: cluster.adminToken });
    expect(r.status).toBe(200);
    const expected = JSON.parse(fixture('200-delete-secret-success.json'));
    expect(shape(r.json())).toEqual(shape(expected));
    expect((r.json() as { details: { name: string } }).details.name).toBe('bootstrap-token-delete');
  });
});

describe('429 from the max-in-flight fault', () => {
  it('answers the plain-text 429 with Retry-After beyond the limit while the rest succeed', async () => {
    cluster.faults.set({ maxInFlight: 2, latencyMs: 300 });
    try {
      const replies = await Promise.all(
        Array.from({ length: 6 }, () => call(cluster, 'GET', '/api/v1/namespaces/kube-public/configmaps/cluster-info')),
      );
      const ok = replies.filter((r) => r.status === 200);
      const limited = replies.filter((r) => r.status === 429);
      expect(ok).toHaveLength(2);
      expect(limited).toHaveLength(4);
      const captured = JSON.parse(fixture('429-too-many-requests.json')) as { body: string; headers: Record<string, string> };
      for (const r of limited) {
        expect(r.text).toBe(captured.body);
        expect(r.headers.get('retry-after')).toBe('1');
        expect(r.headers.get('content-type')).toBe(captured.headers['Content-Type']);
        expect(r.headers.get('x-content-type-options')).toBe('nosniff');
        expect(r.headers.get('x-kubernetes-pf-flowschema-uid')).toMatch(/^[0-9a-f-]{36}$/);
      }
    } finally {
      cluster.faults.reset();
    }
  });
});
