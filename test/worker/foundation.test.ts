import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractValidator } from '../contract/openapi.js';
import { brokerClient, type BrokerClient } from '../e2e/client.js';
import { TEST_ENV } from '../fakes/deps.js';
import { run } from '../support/run.js';
import { startWorker, type RunningWorker } from './harness.js';

describe('the Worker in workerd', () => {
  let worker: RunningWorker;
  let broker: BrokerClient;
  beforeAll(async () => {
    worker = await startWorker({ ...(TEST_ENV as Record<string, string>), KUBE_API_SERVER: 'https://127.0.0.1:9', MAX_BODY_BYTES: '2048' });
    broker = brokerClient(worker);
  });
  afterAll(() => worker.dispose());

  it('serves /healthz', async () => {
    const { data, response } = await broker.GET('/healthz');
    expect(response.status).toBe(200);
    expect(data).toEqual({ status: 'ok' });
  });

  it('answers unknown routes with 404 problem+json', async () => {
    const res = await worker.fetch('/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ code: 'not_found' });
  });

  it('answers a served path called with another method with 405 problem+json and Allow', async () => {
    const res = await worker.fetch('/v1/join/aws');
    expect(res.status).toBe(405);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('allow')).toBe('POST');
    expect(await res.json()).toMatchObject({ code: 'method_not_allowed', status: 405, detail: 'This path accepts POST.' });
    const admin = await worker.fetch('/v1/tokens', { method: 'PUT', headers: { authorization: `Bearer ${TEST_ENV.ADMIN_TOKEN}` } });
    expect([admin.status, admin.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    await admin.arrayBuffer();
  });

  // curl, because the Worker answers before reading the body and Node's fetch then reports the
  // reset of its unfinished upload instead of the response.
  it.each([
    ['with Content-Length', []],
    ['chunked', ['-H', 'transfer-encoding: chunked']],
  ])('refuses an oversized body (%s) with 413 before parsing', async (_, flags) => {
    const { stdout } = await run('curl', ['-sS', '-i', '--data-binary', '@-', ...flags, new URL('/v1/join/aws', worker.url).href], 'A'.repeat(300_000));
    const [head, body] = stdout.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 413/);
    expect(head).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(body!)).toMatchObject({ code: 'payload_too_large', status: 413 });
    // curl's answer, held to openapi.yaml like the typed client's.
    const headers = new Headers(head!.split('\r\n').slice(1).map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()] as [string, string]));
    expect(new ContractValidator().violations('POST', '/v1/join/aws', { status: 413, headers, text: body! })).toEqual([]);
  });

  it('reports the Kubernetes API as not ready when it cannot be reached', async () => {
    const { error, response } = await broker.GET('/readyz');
    expect(response.status).toBe(503);
    expect(error).toMatchObject({ code: 'upstream_unavailable' });
  });
});

describe('the Worker with a bad configuration', () => {
  let worker: RunningWorker;
  beforeAll(async () => {
    const { KUBE_TOKEN: _omitted, ...env } = TEST_ENV as Record<string, string>;
    worker = await startWorker({ ...env, JOIN_POLICY: 'pools: []' });
  });
  afterAll(() => worker.dispose());

  it('stays healthy but not ready, naming the bad variables', async () => {
    const broker = brokerClient(worker);
    expect((await broker.GET('/healthz')).response.status).toBe(200);
    const { error, response } = await broker.GET('/readyz');
    expect(response.status).toBe(503);
    expect(error).toMatchObject({
      code: 'not_configured',
      detail: 'Invalid configuration: KUBE_TOKEN, JOIN_POLICY. See the Worker log for details.',
    });
  });
});
