/**
 * openapi.yaml against the code, with no Worker running: the routes createApp registers, the
 * problem codes, the enums the routes check, and the responses the real route handlers produce.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AttestResult } from '../../src/attest/identity.js';
import { createApp } from '../../src/app.js';
import { AUDIT_EVENTS, OUTCOME_EVENTS } from '../../src/audit/audit.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PROVIDERS } from '../../src/audit/query.js';
import { createClusterCaSource } from '../../src/cluster/cluster-ca.js';
import { mintBootstrapToken } from '../../src/cluster/mint.js';
import { PROBLEM_CODES } from '../../src/http/problem.js';
import { joinRoutes } from '../../src/http/routes/join.js';
import { DOCUMENT_MEDIA_TYPE, FIRST_BOOT_PROVIDERS } from '../../src/render/first-boot.js';
import { JOIN_SCRIPT_MODES } from '../../src/render/script.js';
import { inMemoryAudit } from '../fakes/audit.js';
import { counterRandom, fakeDeps, fakeKube, fixedClock, testConfig } from '../fakes/deps.js';
import { clusterInfoConfigMap, opensslCa } from '../support/ca.js';
import { WRANGLER_ASSETS } from '../worker/harness.js';
import { ContractValidator, openapi, operations, type ObservedResponse } from './openapi.js';

const contract = new ContractValidator();
const observe = async (response: Response): Promise<ObservedResponse> => ({ status: response.status, headers: response.headers, text: await response.text() });

/**
 * A path with its parameters unnamed, so Hono's and OpenAPI's spellings compare: Hono
 * `/v1/tokens/:id`, `/v1/joins/:key{.+}` or `/v1/joins/*` and OpenAPI `/v1/tokens/{id}`,
 * `/v1/joins/{key}` all become `/v1/…/{}`.
 */
const shape = (path: string) =>
  path
    .replace(/:[A-Za-z0-9_]+(\{[^}]*\})?/g, '{}')
    .replace(/\{[A-Za-z0-9_]+\}/g, '{}')
    .replace(/\/\*$/, '/{}');

/** A policy with a rule for every provider, so that createApp registers every route it can. */
const EVERY_PROVIDER_POLICY = JSON.stringify({
  pools: [{ name: 'workers' }],
  rules: ['aws', 'gcp', 'azure'].map((provider) => ({ pool: 'workers', provider, accounts: ['*'] })),
});

/** The operations served by Workers Static Assets: the exact paths wrangler.toml routes to assets first. */
const staticAssetPaths = (WRANGLER_ASSETS?.routerConfig.static_routing.asset_worker ?? []).filter((rule) => !rule.includes('*'));

describe('openapi.yaml lists exactly the routes the Worker serves', () => {
  it('every route createApp registers is an operation, and every operation is a route or a static asset', () => {
    // Hono lists middleware (`app.use`) as method ALL: not an operation.
    const workerRoutes = createApp(fakeDeps({ config: testConfig({ JOIN_POLICY: EVERY_PROVIDER_POLICY }) }))
      .routes.filter((route) => route.method !== 'ALL')
      .map((route) => `${route.method} ${shape(route.path)}`);
    const assetRoutes = staticAssetPaths.map((path) => `GET ${path}`);
    const documented = operations().map(({ method, path }) => `${method.toUpperCase()} ${shape(path)}`);
    expect({ undocumented: workerRoutes.filter((route) => !documented.includes(route)) }).toEqual({ undocumented: [] });
    expect({ notServed: documented.filter((operation) => !workerRoutes.includes(operation) && !assetRoutes.includes(operation)) }).toEqual({ notServed: [] });
    expect(new Set(workerRoutes).size).toBe(workerRoutes.length);
  });

  it('serves /docs and /openapi.yaml as static assets, and nothing else at the top level', () => {
    expect(staticAssetPaths.sort()).toEqual(['/docs', '/openapi.yaml']);
  });

  it('every operation has a unique operationId, a summary and a tag', () => {
    const ids = operations().map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { operation } of operations()) expect(operation).toMatchObject({ operationId: expect.any(String), summary: expect.any(String), tags: [expect.any(String)] });
  });
});

describe('openapi.yaml names what the code checks', () => {
  const schemas = openapi.components['schemas'] as Record<string, { enum?: string[]; properties?: Record<string, { enum?: string[] }> }>;
  const parameters = openapi.components['parameters'] as Record<string, { schema: { enum: string[] } }>;

  it('the problem `code` enum is exactly PROBLEM_CODES (src/http/problem.ts), in order', () => {
    expect(schemas['ProblemCode']!.enum).toEqual(Object.keys(PROBLEM_CODES));
  });

  it('the script modes are JOIN_SCRIPT_MODES, the cloud-init providers FIRST_BOOT_PROVIDERS', () => {
    expect(parameters['ScriptMode']!.schema.enum).toEqual(JOIN_SCRIPT_MODES);
    const cloudInit = openapi.paths['/v1/cloud-init']!['get'] as { parameters: { name?: string; schema?: { enum: string[] } }[] };
    expect(cloudInit.parameters.find((parameter) => parameter.name === 'provider')!.schema!.enum).toEqual(FIRST_BOOT_PROVIDERS);
  });

  it('each join operation accepts the media type the first-boot program posts its document with', () => {
    for (const provider of FIRST_BOOT_PROVIDERS) {
      const join = openapi.paths[`/v1/join/${provider}`]?.['post'] as { requestBody: { $ref: string } } | undefined;
      if (join === undefined) continue; // the route itself is checked above
      const requestBody = (openapi.components['requestBodies'] as Record<string, { content: Record<string, unknown> }>)[join.requestBody.$ref.split('/').pop()!]!;
      expect(Object.keys(requestBody.content), provider).toContain(DOCUMENT_MEDIA_TYPE[provider]);
    }
  });

  it.each(parameters['Format']!.schema.enum)('format=%s is accepted (the options are checked before the body)', async (format) => {
    const res = await createApp(fakeDeps()).request(`/v1/join/aws?format=${format}`, { method: 'POST', body: '' });
    expect(((await res.json()) as { code: string }).code).toBe('malformed_document');
  });

  it('a format outside the enum is refused', async () => {
    const res = await createApp(fakeDeps()).request('/v1/join/aws?format=xml', { method: 'POST', body: '' });
    expect(((await res.json()) as { code: string }).code).toBe('invalid_request');
  });

  it('the audit: event names AUDIT_EVENTS, outcomes OUTCOME_EVENTS, providers PROVIDERS, page sizes DEFAULT_PAGE_SIZE..MAX_PAGE_SIZE', () => {
    expect((schemas['AuditEvent']!.properties!['event'] as { enum: string[] }).enum).toEqual(AUDIT_EVENTS);
    expect(schemas['Provider']!.enum).toEqual(PROVIDERS);
    const listJoins = openapi.paths['/v1/joins']!['get'] as { parameters: { name: string; schema: { enum?: string[]; minimum?: number; maximum?: number; default?: number } }[] };
    const parameter = (name: string) => listJoins.parameters.find((candidate) => candidate.name === name)!.schema;
    expect(parameter('outcome').enum).toEqual(Object.keys(OUTCOME_EVENTS));
    expect(parameter('provider')).toEqual({ $ref: '#/components/schemas/Provider' });
    expect(parameter('limit')).toMatchObject({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE });
  });

  it('info.version is the package version', () => {
    expect(openapi.info.version).toBe((JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version);
  });
});

describe('what the route handlers answer validates against openapi.yaml', () => {
  it.each([
    ['GET', '/healthz'],
    ['GET', '/readyz'],
    ['GET', '/v1/cloud-init?provider=gcp&mode=kubelet'],
    ['GET', '/v1/cloud-init?provider=vax'],
    ['GET', '/v1/cloud-init?provider=aws&mode=magic'],
    ['POST', '/v1/join/aws?format=xml'],
    ['POST', '/v1/join/aws?mode=magic'],
    ['POST', '/v1/join/aws'],
    ['POST', '/v1/join/gcp'],
    ['POST', '/v1/join/oidc'],
  ])('%s %s', async (method, path) => {
    const clusterInfo = { 'kube-public/cluster-info': { metadata: { name: 'cluster-info' }, data: { kubeconfig: 'x' } } };
    const res = await createApp(fakeDeps({ kube: fakeKube({ configMaps: clusterInfo }) })).request(path, { method, ...(method === 'POST' ? { body: 'not a document' } : {}) });
    expect(contract.violations(method, path, await observe(res))).toEqual([]);
  });

  const admin = { authorization: `Bearer ${testConfig().adminToken!}` };
  it.each([
    ['GET', '/v1/tokens', {}],
    ['GET', '/v1/tokens', admin],
    ['GET', '/v1/joins?limit=1', admin],
    ['GET', '/v1/joins?outcome=sideways', admin],
    ['DELETE', '/v1/tokens/abc123', {}],
    ['DELETE', '/v1/tokens/abc123', admin],
    ['DELETE', '/v1/tokens/NOT-AN-ID', admin],
    ['DELETE', `/v1/joins/${encodeURIComponent('aws/123456789012/i-0123456789abcdef0')}`, admin],
    ['DELETE', '/v1/joins/not-a-key', admin],
  ])('admin: %s %s %o', async (method, path, headers) => {
    const res = await createApp(fakeDeps()).request(path, { method, headers });
    expect(contract.violations(method, path, await observe(res))).toEqual([]);
  });

  describe('the admin lists with an item in them, so the item schemas are checked too', () => {
    const NOW = new Date('2026-11-30T12:00:00Z');
    async function seeded() {
      const kube = fakeKube();
      const config = testConfig();
      const identity = { provider: 'aws' as const, account: '123456789012', region: 'us-east-1', instanceId: 'i-0123456789abcdef0', issuedAt: NOW, attributes: {}, addresses: { ips: [], dnsNames: [] }, defaultNodeName: 'node-a' };
      const minted = await mintBootstrapToken(kube, counterRandom(1), { identity, pool: config.policy.pools[0]!, nodeName: 'node-a', usages: ['authentication'], now: NOW });
      // What the API server adds to the Secret it stores.
      kube.secrets.get(`kube-system/bootstrap-token-${minted.token.id}`)!.metadata!.creationTimestamp = NOW;
      const audit = inMemoryAudit();
      // Every field an event can carry.
      await audit.record({
        at: NOW.toISOString(),
        event: 'join.refused',
        provider: 'aws',
        account: '123456789012',
        region: 'us-east-1',
        instanceId: 'i-0123456789abcdef0',
        nodeName: 'node-a',
        pool: 'workers',
        tokenId: minted.token.id,
        code: 'already_joined',
        reason: 'already_joined',
        detail: 'the instance joined at 2026-11-30T11:59:00.000Z',
        source: '192.0.2.1',
        actor: 'admin-token',
      });
      return { app: createApp(fakeDeps({ config, kube, audit, clock: fixedClock(NOW) })), tokenId: minted.token.id };
    }

    it('GET /v1/tokens: one minted token', async () => {
      const { app, tokenId } = await seeded();
      const res = await app.request('/v1/tokens', { headers: admin });
      const observed = await observe(res);
      expect(JSON.parse(observed.text)).toEqual({
        items: [{ tokenId, nodeName: 'node-a', identity: { provider: 'aws', account: '123456789012', region: 'us-east-1', instanceId: 'i-0123456789abcdef0' }, pool: 'workers', expiresAt: expect.any(String), createdAt: NOW.toISOString() }],
      });
      expect(contract.violations('GET', '/v1/tokens', observed)).toEqual([]);
    });

    it('GET /v1/joins: one event with every field', async () => {
      const { app } = await seeded();
      const observed = await observe(await app.request('/v1/joins', { headers: admin }));
      const page = JSON.parse(observed.text) as { items: Record<string, unknown>[] };
      expect(page.items).toHaveLength(1);
      expect(Object.keys(page.items[0]!).sort()).toEqual(
        ['id', 'at', 'event', 'provider', 'account', 'region', 'instanceId', 'nodeName', 'pool', 'tokenId', 'code', 'reason', 'detail', 'source', 'actor'].sort(),
      );
      expect(contract.violations('GET', '/v1/joins', observed)).toEqual([]);
    });
  });

  it('GET /readyz while the Kubernetes API is down (503 with Retry-After)', async () => {
    const res = await createApp(fakeDeps()).request('/readyz');
    expect(res.status).toBe(503);
    expect(contract.violations('GET', '/readyz', await observe(res))).toEqual([]);
  });

  describe('a successful join, in each format, through the real route and pipeline (attestation faked)', () => {
    const verified: AttestResult = {
      ok: true,
      identity: {
        provider: 'aws',
        account: '123456789012',
        region: 'us-east-1',
        zone: 'us-east-1a',
        instanceId: 'i-0123456789abcdef0',
        issuedAt: new Date('2026-11-30T11:58:00Z'),
        attributes: { instanceType: 'm5.large', privateIp: '10.0.1.23' },
        addresses: { ips: ['10.0.1.23'], dnsNames: ['ip-10-0-1-23.ec2.internal'] },
        defaultNodeName: 'ip-10-0-1-23.ec2.internal',
      },
    };
    let caPem: string;
    beforeAll(async () => {
      caPem = (await opensslCa()).pem;
    });
    it.each(['json', 'kubeconfig', 'script&mode=kubeadm', 'script&mode=kubelet'])('format=%s', async (format) => {
      const kube = fakeKube({ configMaps: { 'kube-public/cluster-info': clusterInfoConfigMap('https://10.0.0.1:6443', caPem) } });
      const deps = fakeDeps({ kube });
      const app = joinRoutes({ ...deps, clusterCa: createClusterCaSource(kube, deps.clock) }, { aws: async () => verified });
      const res = await app.request(`/v1/join/aws?format=${format}`, { method: 'POST', body: 'attested by the fake' });
      expect(res.status).toBe(200);
      expect(contract.violations('POST', '/v1/join/aws', await observe(res))).toEqual([]);
    });
  });
});
