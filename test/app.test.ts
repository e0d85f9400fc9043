import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { createApp, createUnconfiguredApp } from '../src/app.js';
import { KubeApiError } from '../src/cluster/kube-api.js';
import { capturingLogger, fakeDeps, fakeKube, TEST_ENV, testConfig } from './fakes/deps.js';

const clusterInfo = { 'kube-public/cluster-info': { metadata: { name: 'cluster-info' }, data: { kubeconfig: 'x' } } };

describe('createApp', () => {
  it('GET /healthz answers 200', async () => {
    const res = await createApp(fakeDeps()).request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz is 200 when the Kubernetes API answers', async () => {
    const res = await createApp(fakeDeps({ kube: fakeKube({ configMaps: clusterInfo }) })).request('/readyz');
    expect(res.status).toBe(200);
  });

  it('GET /readyz is 503 problem+json with Retry-After when it does not', async () => {
    const kube = fakeKube({ configMaps: clusterInfo });
    kube.failWith = new KubeApiError('get configmap', 'timeout');
    const res = await createApp(fakeDeps({ kube })).request('/readyz');
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toMatchObject({ code: 'upstream_unavailable', status: 503 });
  });

  it('unknown routes are 404 problem+json', async () => {
    const res = await createApp(fakeDeps()).request('/nope', { method: 'POST' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ code: 'not_found', status: 404, type: 'urn:kube-join-broker:problem:not_found' });
  });

  describe('a served path with a method it does not serve: 405 problem+json with Allow', () => {
    const AUTH = { authorization: `Bearer ${TEST_ENV.ADMIN_TOKEN}` };
    const azure = JSON.stringify({ pools: [{ name: 'workers' }], rules: [{ pool: 'workers', provider: 'azure', accounts: ['*'] }] });

    it.each([
      ['GET', '/v1/join/aws', 'POST'],
      ['PUT', '/v1/join/oidc', 'POST'],
      ['DELETE', '/v1/hooks/aws/lifecycle', 'POST'],
      ['POST', '/healthz', 'GET, HEAD'],
      ['DELETE', '/readyz', 'GET, HEAD'],
      ['POST', '/v1/cloud-init?provider=aws', 'GET, HEAD'],
      ['PUT', '/v1/tokens', 'GET, HEAD'],
      ['POST', '/v1/joins', 'GET, HEAD'],
      ['GET', '/v1/tokens/abc123', 'DELETE'],
      ['PATCH', '/v1/joins/aws%2F123456789012%2Fi-0abc', 'DELETE'],
      ['OPTIONS', '/v1/join/aws', 'POST'],
    ])('%s %s → 405, Allow: %s', async (method, path, allow) => {
      const res = await createApp(fakeDeps()).request(path, { method, headers: AUTH });
      expect(res.status).toBe(405);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.headers.get('allow')).toBe(allow);
      expect(await res.json()).toEqual({
        type: 'urn:kube-join-broker:problem:method_not_allowed',
        title: 'Method not allowed',
        status: 405,
        code: 'method_not_allowed',
        detail: `This path accepts ${allow}.`,
      });
    });

    it('HEAD is answered by a GET route, and is 405 where GET is', async () => {
      const app = createApp(fakeDeps());
      expect((await app.request('/healthz', { method: 'HEAD' })).status).toBe(200);
      const head = await app.request('/v1/join/aws', { method: 'HEAD' });
      expect([head.status, head.headers.get('allow'), await head.text()]).toEqual([405, 'POST', '']);
    });

    it('the admin paths authenticate first: without a credential, 401 as for every method', async () => {
      const res = await createApp(fakeDeps()).request('/v1/tokens', { method: 'PUT' });
      expect(res.status).toBe(401);
      expect(res.headers.get('allow')).toBeNull();
    });

    it('the served methods still reach their routes', async () => {
      const app = createApp(fakeDeps());
      expect((await app.request('/v1/join/aws', { method: 'POST', body: 'not a document' })).status).toBe(400);
      expect((await app.request('/v1/tokens', { headers: AUTH })).status).toBe(200);
      expect((await app.request('/v1/tokens/abc123', { method: 'DELETE', headers: AUTH })).status).toBe(404);
    });

    it('unknown paths, and paths of routes not mounted, stay 404', async () => {
      const app = createApp(fakeDeps());
      for (const [method, path] of [['GET', '/nope'], ['GET', '/v1/join'], ['GET', '/v1/join/aws/'], ['GET', '/v1/join/aws/x'], ['POST', '/v1/nonce'], ['GET', '/v1/nonce'], ['GET', '/V1/JOIN/AWS']] as const) {
        const res = await app.request(path, { method, headers: AUTH });
        expect([method, path, res.status, res.headers.get('allow')]).toEqual([method, path, 404, null]);
      }
      // The nonce route is served only with an Azure rule; then it has a 405 too.
      const withAzure = createApp(fakeDeps({ config: testConfig({ JOIN_POLICY: azure }) }));
      const res = await withAzure.request('/v1/nonce', { method: 'GET' });
      expect([res.status, res.headers.get('allow')]).toEqual([405, 'POST']);
    });

    it('a trailing slash is another path: 404, not the route without it, while wildcard routes still take it', async () => {
      const app = createApp(fakeDeps());
      for (const [method, path] of [['GET', '/healthz/'], ['PUT', '/readyz/'], ['POST', '/v1/join/aws/'], ['GET', '/v1/tokens/'], ['DELETE', '/v1/tokens/abc123/'], ['POST', '/v1/hooks/aws/lifecycle/'], ['GET', '/v1/cloud-init/?provider=aws']] as const) {
        const res = await app.request(path, { method, headers: AUTH });
        expect([method, path, res.status, res.headers.get('allow')]).toEqual([method, path, 404, null]);
      }
      // `/v1/joins/*` (and the admin middleware on it) takes any path below /v1/joins.
      expect((await app.request('/v1/joins/', { method: 'DELETE' })).status).toBe(401);
      const res = await app.request('/v1/joins/', { method: 'GET', headers: AUTH });
      expect([res.status, res.headers.get('allow')]).toEqual([405, 'DELETE']);
    });
  });

  it("Hono's own HTTP exceptions keep their status under the first code listed for it", async () => {
    const app = createApp(fakeDeps());
    app.get('/bad', () => {
      throw new HTTPException(400);
    });
    app.get('/forbidden', () => {
      throw new HTTPException(403);
    });
    expect(await (await app.request('/bad')).json()).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(await (await app.request('/forbidden')).json()).toMatchObject({ status: 403, code: 'access_denied' });
  });

  it('an unknown thrown error is a plain 500 that leaks neither message nor stack', async () => {
    const log = capturingLogger();
    const app = createApp(fakeDeps({ log }));
    app.get('/boom', () => {
      throw new TypeError('leaky detail kube-token-for-tests-0123456789');
    });
    const res = await app.request('/boom');
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(JSON.parse(text)).toEqual({
      type: 'urn:kube-join-broker:problem:internal_error',
      title: 'Internal server error',
      status: 500,
      code: 'internal_error',
    });
    expect(text).not.toMatch(/leaky|TypeError|at |kube-token/);
    expect(log.text()).not.toContain('kube-token-for-tests');
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 'error', event: 'request.failed' }));
  });

  describe('body limit', () => {
    const app = () => {
      const deps = fakeDeps({ config: testConfig({ MAX_BODY_BYTES: '1024' }) });
      const created = createApp(deps);
      let reached = false;
      created.post('/echo', async (c) => {
        reached = true;
        return c.text(String((await c.req.arrayBuffer()).byteLength));
      });
      return { created, reached: () => reached };
    };

    it('413 before the handler runs when Content-Length is over the limit', async () => {
      const { created, reached } = app();
      const res = await created.request('/echo', { method: 'POST', body: 'x'.repeat(1025), headers: { 'content-length': '1025' } });
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ code: 'payload_too_large', detail: 'The limit is 1024 bytes.' });
      expect(reached()).toBe(false);
    });

    it('413 for a streamed body without Content-Length that grows past the limit', async () => {
      const { created, reached } = app();
      const chunks = [new Uint8Array(600), new Uint8Array(600)];
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          const next = chunks.shift();
          if (next) controller.enqueue(next);
          else controller.close();
        },
      });
      const res = await created.request('/echo', { method: 'POST', body, duplex: 'half' } as RequestInit);
      expect(res.status).toBe(413);
      expect(reached()).toBe(false);
    });

    it('a body exactly at the limit passes', async () => {
      const { created } = app();
      const res = await created.request('/echo', { method: 'POST', body: 'x'.repeat(1024) });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('1024');
    });
  });
});

describe('createUnconfiguredApp', () => {
  const issues = [
    { variable: 'KUBE_TOKEN' as const, message: 'is required' },
    { variable: 'JOIN_POLICY' as const, message: 'pools: too small' },
  ];

  it('keeps /healthz up', async () => {
    expect((await createUnconfiguredApp(issues, capturingLogger()).request('/healthz')).status).toBe(200);
  });

  it('answers /readyz and every other route 503 naming the bad variables, details to the log', async () => {
    const log = capturingLogger();
    const app = createUnconfiguredApp(issues, log);
    for (const path of ['/readyz', '/v1/join/aws']) {
      const res = await app.request(path, { method: path === '/readyz' ? 'GET' : 'POST' });
      expect(res.status).toBe(503);
      const body = (await res.json()) as { code: string; detail: string };
      expect(body.code).toBe('not_configured');
      expect(body.detail).toBe('Invalid configuration: KUBE_TOKEN, JOIN_POLICY. See the Worker log for details.');
    }
    expect(log.lines[0]).toMatchObject({ event: 'config.invalid', fields: { issues: 'KUBE_TOKEN: is required; JOIN_POLICY: pools: too small' } });
  });
});
