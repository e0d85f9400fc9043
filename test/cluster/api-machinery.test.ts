/**
 * Generic API behaviour over HTTP: create/generateName/dryRun/stringData, update conflicts,
 * the three patch types, selectors, watch with resourceVersion and fieldSelector, tables,
 * discovery, the fault switches and the control endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestCluster } from './helpers.js';

type Cluster = Awaited<ReturnType<typeof startTestCluster>>;
let c: Cluster;
let admin: string;
beforeAll(async () => {
  c = await startTestCluster();
  admin = c.adminToken;
});
afterAll(async () => c.cleanup());

const cm = (name: string, data: Record<string, string> = {}, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
  data,
});
const CMS = '/api/v1/namespaces/default/configmaps';

describe('create', () => {
  it('fills uid, resourceVersion and creationTimestamp and answers 201', async () => {
    const r = await call(c, 'POST', CMS, { token: admin, body: cm('one', { a: '1' }) });
    expect(r.status).toBe(201);
    const o = r.json() as { kind: string; metadata: Record<string, string> };
    expect(Object.keys(r.json() as object)).toEqual(['kind', 'apiVersion', 'metadata', 'data']);
    expect(o.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(o.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(o.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('generateName appends 5 characters from the upstream alphabet', async () => {
    const r = await call(c, 'POST', CMS, { token: admin, body: { ...cm(''), metadata: { generateName: 'gen-' } } });
    expect((r.json() as { metadata: { name: string } }).metadata.name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('dryRun=All validates and answers 201 without persisting or assigning a resourceVersion', async () => {
    const r = await call(c, 'POST', `${CMS}?dryRun=All`, { token: admin, body: cm('dry') });
    expect(r.status).toBe(201);
    expect((r.json() as { metadata: Record<string, unknown> }).metadata.resourceVersion).toBeUndefined();
    expect((await call(c, 'GET', `${CMS}/dry`, { token: admin })).status).toBe(404);
    expect((await call(c, 'POST', `${CMS}?dryRun=All`, { token: admin, body: cm('one') })).status).toBe(409);
  });

  it('merges stringData into data and never returns it', async () => {
    const r = await call(c, 'POST', '/api/v1/namespaces/default/secrets', {
      token: admin,
      body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: Buffer.from('old').toString('base64'), b: 'Yg==' }, stringData: { a: 'new' } },
    });
    const s = r.json() as { data: Record<string, string>; stringData?: unknown; type: string };
    expect(s.data).toEqual({ a: Buffer.from('new').toString('base64'), b: 'Yg==' });
    expect(s.stringData).toBeUndefined();
    expect(s.type).toBe('Opaque');
  });

  it('rejects data that is not base64 with 400', async () => {
    const r = await call(c, 'POST', '/api/v1/namespaces/default/secrets', { token: admin, body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'b64' }, data: { a: 'not base64!' } } });
    expect(r.status).toBe(400);
  });
});

describe('update and patch', () => {
  it('PUT with a stale resourceVersion is 409 Conflict', async () => {
    const created = (await call(c, 'POST', CMS, { token: admin, body: cm('upd', { a: '1' }) })).json() as Record<string, unknown> & { metadata: Record<string, string> };
    const fresh = await call(c, 'PUT', `${CMS}/upd`, { token: admin, body: { ...created, data: { a: '2' } } });
    expect(fresh.status).toBe(200);
    const stale = await call(c, 'PUT', `${CMS}/upd`, { token: admin, body: { ...created, data: { a: '3' } } });
    expect(stale.status).toBe(409);
    expect(stale.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Operation cannot be fulfilled on configmaps "upd": the object has been modified; please apply your changes to the latest version and try again',
      reason: 'Conflict',
      details: { name: 'upd', kind: 'configmaps' },
      code: 409,
    });
  });

  it.each([
    ['application/merge-patch+json', { data: { b: '2', a: null } }, { b: '2' }],
    ['application/strategic-merge-patch+json', { data: { b: '2' }, metadata: { labels: { x: 'y' } } }, { a: '1', b: '2' }],
    ['application/json-patch+json', [{ op: 'add', path: '/data/c', value: '3' }, { op: 'remove', path: '/data/a' }], { c: '3' }],
  ])('PATCH %s', async (type, patch, data) => {
    const name = `p-${type.split('/')[1]!.split('+')[0]}`;
    await call(c, 'POST', CMS, { token: admin, body: cm(name, { a: '1' }) });
    const r = await call(c, 'PATCH', `${CMS}/${name}`, { token: admin, body: patch, contentType: type });
    expect(r.status).toBe(200);
    expect((r.json() as { data: unknown }).data).toEqual(data);
  });

  it('server-side apply is not offered (415)', async () => {
    const r = await call(c, 'PATCH', `${CMS}/one`, { token: admin, body: '{}', contentType: 'application/apply-patch+yaml' });
    expect(r.status).toBe(415);
  });
});

describe('list, selectors and delete', () => {
  it('filters by equality and set-based label selectors and metadata.name', async () => {
    await call(c, 'POST', CMS, { token: admin, body: cm('l1', {}, { tier: 'a', env: 'prod' }) });
    await call(c, 'POST', CMS, { token: admin, body: cm('l2', {}, { tier: 'b', env: 'prod' }) });
    const names = async (q: string) =>
      ((await call(c, 'GET', `${CMS}?${q}`, { token: admin })).json() as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name);
    expect(await names('labelSelector=tier%3Da%2Cenv%3Dprod')).toEqual(['l1']);
    expect(await names('labelSelector=tier+in+(a,b),env!=dev')).toEqual(['l1', 'l2']);
    expect(await names('fieldSelector=metadata.name%3Dl2')).toEqual(['l2']);
    expect((await call(c, 'GET', `${CMS}?fieldSelector=spec.foo%3Dx`, { token: admin })).status).toBe(400);
  });

  it('DELETE with a UID precondition that does not match is 409', async () => {
    const r = await call(c, 'DELETE', `${CMS}/l1`, { token: admin, body: { preconditions: { uid: 'nope' } } });
    expect(r.status).toBe(409);
    expect((r.json() as { message: string }).message).toMatch(/Precondition failed: UID in precondition: nope, UID in object meta: /);
  });
});

describe('watch', () => {
  async function collect(path: string, count: number): Promise<{ type: string; object: { metadata: { name: string; resourceVersion: string } } }[]> {
    const ctrl = new AbortController();
    const res = await fetch(`${c.url}${path}`, { headers: { authorization: `Bearer ${admin}` }, signal: ctrl.signal });
    const reader = res.body!.getReader();
    let buf = '';
    const events: { type: string; object: { metadata: { name: string; resourceVersion: string } } }[] = [];
    while (events.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += new TextDecoder().decode(value);
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
      }
    }
    ctrl.abort();
    return events;
  }

  it('streams newline-delimited events for one name from a resourceVersion', async () => {
    const list = (await call(c, 'GET', `${CMS}?fieldSelector=metadata.name%3Dw`, { token: admin })).json() as { metadata: { resourceVersion: string } };
    const events = collect(`${CMS}?watch=true&fieldSelector=metadata.name%3Dw&resourceVersion=${list.metadata.resourceVersion}`, 3);
    await new Promise((r) => setTimeout(r, 50));
    await call(c, 'POST', CMS, { token: admin, body: cm('other') });
    await call(c, 'POST', CMS, { token: admin, body: cm('w', { a: '1' }) });
    await call(c, 'PATCH', `${CMS}/w`, { token: admin, body: { data: { a: '2' } }, contentType: 'application/merge-patch+json' });
    await call(c, 'DELETE', `${CMS}/w`, { token: admin });
    expect((await events).map((e) => [e.type, e.object.metadata.name])).toEqual([
      ['ADDED', 'w'],
      ['MODIFIED', 'w'],
      ['DELETED', 'w'],
    ]);
  });

  it('replays history after a past resourceVersion and starts with ADDED events without one', async () => {
    const replay = await collect(`${CMS}?watch=true&fieldSelector=metadata.name%3Dl2&resourceVersion=1`, 1);
    expect(replay.map((e) => e.type)).toEqual(['ADDED']);
    const initial = await collect(`${CMS}?watch=1&labelSelector=tier%3Db`, 1);
    expect(initial.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'l2']]);
  });
});

describe('discovery and tables', () => {
  it('serves the API resource lists kubectl needs', async () => {
    const core = (await call(c, 'GET', '/api/v1', { token: admin })).json() as { resources: { name: string }[] };
    expect(core.resources.map((r) => r.name)).toEqual(expect.arrayContaining(['secrets', 'configmaps', 'nodes', 'namespaces']));
    const certs = (await call(c, 'GET', '/apis/certificates.k8s.io/v1', { token: admin })).json() as { resources: { name: string; verbs: string[] }[] };
    expect(certs.resources.map((r) => r.name)).toEqual([
      'certificatesigningrequests',
      'certificatesigningrequests/status',
      'certificatesigningrequests/approval',
    ]);
    expect((await call(c, 'GET', '/version')).json()).toMatchObject({ gitVersion: 'v1.32.4' });
  });

  it('answers a Table when asked for one', async () => {
    const r = await call(c, 'GET', '/api/v1/namespaces', { token: admin, headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } });
    const t = r.json() as { kind: string; columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
    expect(t.kind).toBe('Table');
    expect(t.columnDefinitions.map((d) => d.name)).toEqual(['Name', 'Status', 'Age']);
    expect(t.rows.map((row) => row.cells[0])).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
  });
});

describe('faults and the control endpoint', () => {
  const control = (method: string, path: string, body?: unknown, token = admin) => call(c, method, `/__emulator/${path}`, { token, body });

  it('fails exactly the next N requests with 500, then recovers', async () => {
    expect((await control('POST', 'faults', { failNext: 2 })).status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(c, 'GET', '/version')).status);
    expect(statuses).toEqual([500, 500, 200]);
  });

  it('failNext under errorPathPrefix and errorMethod fails only matching requests: a GET under the prefix or a POST elsewhere passes and keeps the count', async () => {
    const secrets = '/api/v1/namespaces/kube-system/secrets';
    expect((await control('POST', 'faults', { failNext: 1, errorPathPrefix: secrets, errorMethod: 'POST' })).status).toBe(200);
    try {
      expect((await call(c, 'GET', secrets, { token: admin })).status).toBe(200);
      expect((await call(c, 'POST', '/api/v1/namespaces/default/configmaps', { token: admin, body: { metadata: { name: 'fault-method' }, data: {} } })).status).toBe(201);
      const manifest = { metadata: { name: 'fault-method' }, type: 'Opaque', stringData: { a: 'b' } };
      expect((await call(c, 'POST', secrets, { token: admin, body: manifest })).status).toBe(500);
      expect((await call(c, 'POST', secrets, { token: admin, body: manifest })).status).toBe(201);
    } finally {
      await control('DELETE', 'faults');
    }
    expect((await control('POST', 'faults', { errorMethod: 'post' })).status).toBe(400);
  });

  it('answers 503 while unavailable and resets a connection on a path prefix', async () => {
    await control('POST', 'faults', { unavailable: '503' });
    expect((await call(c, 'GET', '/version')).status).toBe(503);
    await control('POST', 'faults', { unavailable: false, resetPathPrefix: '/api/v1/namespaces/kube-public' });
    await expect(call(c, 'GET', '/api/v1/namespaces/kube-public/configmaps/cluster-info')).rejects.toThrow();
    expect((await call(c, 'GET', '/version')).status).toBe(200);
    await control('DELETE', 'faults');
    expect(c.faults.current.resetPathPrefix).toBeNull();
  });

  it('refuses connections while unavailable=refuse', async () => {
    c.faults.set({ unavailable: 'refuse' });
    try {
      await expect(fetch(`${c.url}/version`, { headers: { connection: 'close' } })).rejects.toThrow();
    } finally {
      c.faults.reset();
    }
  });

  it('requires the admin token and rejects unknown switches', async () => {
    expect((await control('GET', 'faults', undefined, c.brokerToken)).status).toBe(401);
    expect((await control('POST', 'faults', { bogus: 1 })).status).toBe(400);
  });

  it('records requests with user and status', async () => {
    c.clearRequests();
    await call(c, 'GET', '/api/v1/namespaces/kube-system/secrets', { token: c.brokerToken });
    await call(c, 'GET', '/api/v1/namespaces/kube-system/secrets');
    expect(c.requests.map((r) => [r.method, r.path, r.user, r.verb, r.status])).toEqual([
      ['GET', '/api/v1/namespaces/kube-system/secrets', 'system:serviceaccount:kube-system:kube-join-broker', 'list', 200],
      ['GET', '/api/v1/namespaces/kube-system/secrets', 'system:anonymous', 'list', 403],
    ]);
  });
});

describe('authorization reviews and RBAC reasons', () => {
  it('SubjectAccessReview answers with the same engine the approver uses', async () => {
    const sar = (user: string, groups: string[], subresource: string) =>
      call(c, 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        token: admin,
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: { user, groups, resourceAttributes: { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'create', subresource } },
        },
      });
    const bootstrap = await sar('system:bootstrap:abcdef', ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token'], 'nodeclient');
    expect((bootstrap.json() as { status: unknown }).status).toEqual({ allowed: true });
    const other = await sar('system:bootstrap:abcdef', ['system:bootstrappers'], 'nodeclient');
    expect((other.json() as { status: unknown }).status).toEqual({ allowed: false });
    expect((await call(c, 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { token: c.brokerToken, body: {} })).status).toBe(403);
  });

  it('a binding to a missing role adds the RBAC lookup error to the 403', async () => {
    await call(c, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      token: admin,
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'dangling' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'does-not-exist' },
        subjects: [{ kind: 'User', name: 'system:anonymous' }],
      },
    });
    const r = await call(c, 'GET', '/api/v1/nodes');
    expect((r.json() as { message: string }).message).toBe(
      'nodes is forbidden: User "system:anonymous" cannot list resource "nodes" in API group "" at the cluster scope: RBAC: clusterrole.rbac.authorization.k8s.io "does-not-exist" not found',
    );
  });

  it('a new RoleBinding takes effect immediately', async () => {
    const list = () => call(c, 'GET', '/api/v1/namespaces/default/configmaps');
    expect((await list()).status).toBe(403);
    await call(c, 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles', {
      token: admin,
      body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'cm-reader' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }] },
    });
    await call(c, 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', {
      token: admin,
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'cm-reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm-reader' },
        subjects: [{ kind: 'Group', name: 'system:unauthenticated' }],
      },
    });
    expect((await list()).status).toBe(200);
  });
});
