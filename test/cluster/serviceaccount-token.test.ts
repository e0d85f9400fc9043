import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../dev/cluster/index.js';
import { call, startTestCluster } from './helpers.js';

type Cluster = Awaited<ReturnType<typeof startTestCluster>>;
const TOKEN_PATH = '/api/v1/namespaces/kube-system/serviceaccounts/robot/token';

describe('emulator: TokenRequest and ServiceAccount token authentication', () => {
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  let cluster: Cluster;
  const admin = () => ({ token: cluster.adminToken });
  const requestToken = async (spec: object = { expirationSeconds: 3600 }) => {
    const reply = await call(cluster, 'POST', TOKEN_PATH, { ...admin(), body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec } });
    return { reply, token: (reply.json() as { status?: { token?: string } }).status?.token ?? '' };
  };
  const whoAmI = async (token: string) =>
    call(cluster, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { token, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });

  beforeAll(async () => {
    cluster = await startTestCluster({ clock });
    await call(cluster, 'POST', '/api/v1/namespaces/kube-system/serviceaccounts', { ...admin(), body: { metadata: { name: 'robot' } } });
  });
  afterAll(async () => cluster?.cleanup());

  it('answers a TokenRequest with a token and its expiry (201), and lists serviceaccounts/token in discovery', async () => {
    const { reply } = await requestToken({ expirationSeconds: 7200 });
    expect(reply.status).toBe(201);
    expect(reply.json()).toMatchObject({
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name: 'robot', namespace: 'kube-system' },
      spec: { expirationSeconds: 7200, audiences: ['https://kubernetes.default.svc.cluster.local'] },
      status: { expirationTimestamp: '2026-01-01T02:00:00Z' },
    });
    const discovery = (await call(cluster, 'GET', '/api/v1', admin())).json() as { resources: { name: string; kind: string; group?: string; verbs: string[] }[] };
    expect(discovery.resources.find((r) => r.name === 'serviceaccounts/token')).toEqual({
      name: 'serviceaccounts/token',
      singularName: '',
      namespaced: true,
      group: 'authentication.k8s.io',
      version: 'v1',
      kind: 'TokenRequest',
      verbs: ['create'],
    });
  });

  it('authenticates the token as the ServiceAccount', async () => {
    const { token } = await requestToken();
    const review = (await whoAmI(token)).json() as { status: { userInfo: { username: string; groups: string[] } } };
    expect(review.status.userInfo.username).toBe('system:serviceaccount:kube-system:robot');
    expect(review.status.userInfo.groups).toEqual(['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated']);
  });

  it.each([
    ['under 10 minutes', { expirationSeconds: 599 }, 'may not specify a duration less than 10 minutes'],
    ['not an integer', { expirationSeconds: 'soon' }, 'must be an integer'],
  ])('refuses an expirationSeconds %s: 422', async (_name, spec, message) => {
    const { reply } = await requestToken(spec);
    expect(reply.status).toBe(422);
    expect(reply.text).toContain(message);
  });

  it('404 for a missing ServiceAccount; 403 for a user without create on serviceaccounts/token', async () => {
    expect((await call(cluster, 'POST', '/api/v1/namespaces/kube-system/serviceaccounts/ghost/token', { ...admin(), body: { spec: {} } })).status).toBe(404);
    const { token } = await requestToken();
    expect((await call(cluster, 'POST', TOKEN_PATH, { token, body: { spec: {} } })).status).toBe(403);
  });

  it('a token stops authenticating (401) once expired, or once its ServiceAccount is deleted', async () => {
    const { token: shortLived } = await requestToken({ expirationSeconds: 600 });
    const { token: other } = await requestToken({ expirationSeconds: 3600 });
    expect((await whoAmI(shortLived)).status).toBe(201);
    clock.advance(600_000);
    expect((await whoAmI(shortLived)).status).toBe(401);
    expect((await whoAmI(other)).status).toBe(201);
    await call(cluster, 'DELETE', '/api/v1/namespaces/kube-system/serviceaccounts/robot', admin());
    await call(cluster, 'POST', '/api/v1/namespaces/kube-system/serviceaccounts', { ...admin(), body: { metadata: { name: 'robot' } } });
    // Same name, new UID: the old token does not carry over.
    expect((await whoAmI(other)).status).toBe(401);
  });

  it('a forged token (signature of another key) is 401, never anonymous', async () => {
    const { token } = await requestToken();
    const [header, payload] = token.split('.');
    expect((await whoAmI(`${header}.${payload}.${Buffer.alloc(64).toString('base64url')}`)).status).toBe(401);
  });

  it('fills a kubernetes.io/service-account-token Secret; its token authenticates until the Secret is deleted', async () => {
    const path = '/api/v1/namespaces/kube-system/secrets';
    await call(cluster, 'POST', path, {
      ...admin(),
      body: { metadata: { name: 'robot-token', annotations: { 'kubernetes.io/service-account.name': 'robot' } }, type: 'kubernetes.io/service-account-token' },
    });
    await new Promise((r) => setImmediate(r));
    const secret = (await call(cluster, 'GET', `${path}/robot-token`, admin())).json() as { data: Record<string, string>; metadata: { annotations: Record<string, string> } };
    expect(Object.keys(secret.data).sort()).toEqual(['ca.crt', 'namespace', 'token']);
    expect(Buffer.from(secret.data['ca.crt']!, 'base64').toString()).toBe(cluster.caPem);
    expect(secret.metadata.annotations['kubernetes.io/service-account.uid']).toBe(cluster.store.get('serviceaccounts', 'kube-system', 'robot')?.metadata.uid);
    const token = Buffer.from(secret.data['token']!, 'base64').toString();
    clock.advance(10 * 365 * 86_400_000);
    const review = (await whoAmI(token)).json() as { status: { userInfo: { username: string } } };
    expect(review.status.userInfo.username).toBe('system:serviceaccount:kube-system:robot');
    await call(cluster, 'DELETE', `${path}/robot-token`, admin());
    expect((await whoAmI(token)).status).toBe(401);
  });

  it('deletes a token Secret that names a missing ServiceAccount', async () => {
    const path = '/api/v1/namespaces/kube-system/secrets';
    await call(cluster, 'POST', path, {
      ...admin(),
      body: { metadata: { name: 'ghost-token', annotations: { 'kubernetes.io/service-account.name': 'ghost' } }, type: 'kubernetes.io/service-account-token' },
    });
    await new Promise((r) => setImmediate(r));
    expect((await call(cluster, 'GET', `${path}/ghost-token`, admin())).status).toBe(404);
  });
});
