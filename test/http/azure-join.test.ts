/**
 * `POST /v1/nonce` and `POST /v1/join/azure` through createApp with fakes: the nonce round trip,
 * single use, expiry at the exact boundary, the order of checks (a bad document never spends a
 * nonce), the codes on the wire, and the development-only trust switch.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Deps } from '../../src/deps.js';
import type { JoinBundle } from '../../src/render/bundle.js';
import { attestedContent, createIntermediate, createRoot, createSigner, imdsBody, signAttested, type TestCa, type TestSigner } from '../attest/azure/pki.js';
import { capturingLogger, counterRandom, fakeDeps, fakeKube, fixedClock, testConfig } from '../fakes/deps.js';
import { inMemoryNonces } from '../fakes/nonces.js';
import { clusterInfoConfigMap, opensslCa } from '../support/ca.js';
import { ContractValidator } from '../contract/openapi.js';

const NOW = '2026-11-30T12:00:00Z';
const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';
const DEV_URL = 'http://127.0.0.1:8787';

let root: TestCa;
let signer: TestSigner;
let policy: string;
let caPem: string;
let devJwk: Record<string, unknown>;

beforeAll(async () => {
  root = await createRoot('Dev Azure Root');
  const intermediate = await createIntermediate('Dev Azure Issuing CA', root);
  signer = await createSigner(intermediate);
  policy = JSON.stringify({
    pools: [{ name: 'azure-workers' }],
    rules: [{ pool: 'azure-workers', provider: 'azure', accounts: [SUBSCRIPTION], attributes: { sku: '22_04-lts-gen2' } }],
    azure: { extraRoots: [root.pem], extraIntermediates: [intermediate.pem], nonceTtl: '5m' },
  });
  caPem = (await opensslCa()).pem;
  const { publicKey } = (await crypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  devJwk = (await crypto.subtle.exportKey('jwk', publicKey)) as Record<string, unknown>;
});

function stack(overrides: Partial<Deps> = {}) {
  const clock = fixedClock(NOW);
  const nonces = inMemoryNonces();
  const log = capturingLogger();
  const kube = fakeKube({ configMaps: { 'kube-public/cluster-info': clusterInfoConfigMap('https://10.0.0.1:6443', caPem) } as never });
  const deps = fakeDeps({ config: testConfig({ JOIN_POLICY: policy, PUBLIC_URL: DEV_URL }), clock, nonces, log, kube, random: counterRandom(3), ...overrides });
  const app = createApp(deps);
  return {
    clock,
    nonces,
    log,
    kube,
    newNonce: async () => {
      const res = await app.request('/v1/nonce', { method: 'POST', headers: { 'cf-connecting-ip': '192.0.2.7' } });
      expect(res.status).toBe(200);
      return (await res.json()) as { nonce: string; expiresAt: string };
    },
    join: (body: string) => app.request('/v1/join/azure', { method: 'POST', body, headers: { 'content-type': 'application/json' } }),
    app,
  };
}

let vmCounter = 0;
function document(nonce: string, changes: { vmId?: string; by?: TestSigner; createdOn?: Date; expiresOn?: Date } = {}) {
  const created = changes.createdOn ?? new Date(Date.parse(NOW) - 5_000);
  const vmId = changes.vmId ?? `aaaaaaaa-bbbb-cccc-dddd-${String(++vmCounter).padStart(12, '0')}`;
  const content = attestedContent({ nonce, subscriptionId: SUBSCRIPTION, vmId, createdOn: created, expiresOn: changes.expiresOn ?? new Date(created.getTime() + 6 * 3600_000) });
  return { vmId, body: imdsBody(signAttested(changes.by ?? signer, content)) };
}

const codeOf = async (res: Response) => ((await res.json()) as { code?: string }).code ?? `HTTP ${res.status}`;

describe('POST /v1/nonce', () => {
  it('answers 200 with a 32-digit nonce and when it expires, uncached, and stores it', async () => {
    const s = stack();
    const res = await s.app.request('/v1/nonce', { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { nonce: string; expiresAt: string };
    expect(body).toEqual({ nonce: expect.stringMatching(/^[0-9]{32}$/), expiresAt: '2026-11-30T12:05:00Z' });
    expect(s.nonces.records.get(body.nonce)).toEqual({ issuedAt: '2026-11-30T12:00:00.000Z', expiresAt: '2026-11-30T12:05:00.000Z' });
  });

  it('ignores any body (the first-boot program posts `-d ""`)', async () => {
    const res = await stack().app.request('/v1/nonce', { method: 'POST', body: '', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(200);
  });

  it('is rate-limited by address, sharing the joins’ limiter', async () => {
    const s = stack({ rateLimits: { byAddress: { allow: async (key) => key !== '192.0.2.99' }, byIdentity: { allow: async () => true } } });
    const res = await s.app.request('/v1/nonce', { method: 'POST', headers: { 'cf-connecting-ip': '192.0.2.99' } });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('60');
    expect(s.nonces.records.size).toBe(0);
  });

  it('is 503 upstream_unavailable when the store fails, never a nonce that was not stored', async () => {
    const s = stack({ nonces: { issue: async () => Promise.reject(new Error('DO down')), consume: async () => ({ ok: true }) } });
    const res = await s.app.request('/v1/nonce', { method: 'POST' });
    expect([res.status, await codeOf(res)]).toEqual([503, 'upstream_unavailable']);
  });

  it('draws another value if the store already has one', async () => {
    const nonces = inMemoryNonces();
    const taken = stack({ nonces });
    const first = await taken.newNonce();
    // Same random stream again: the first draw collides, the second is new.
    const again = await stack({ nonces }).newNonce();
    expect(again.nonce).not.toBe(first.nonce);
    expect(nonces.records.size).toBe(2);
  });

  it('is not served (404) when no rule admits Azure VMs', async () => {
    const res = await createApp(fakeDeps()).request('/v1/nonce', { method: 'POST' });
    expect(res.status).toBe(404);
  });
});

describe('POST /v1/join/azure', () => {
  it('joins a VM whose signed document carries a live broker nonce, and spends it', async () => {
    const s = stack();
    const { nonce } = await s.newNonce();
    const { vmId, body } = document(nonce);
    const res = await s.join(body);
    expect(res.status, await res.clone().text()).toBe(200);
    const bundle = (await res.json()) as JoinBundle;
    expect(bundle).toMatchObject({
      nodeName: `azure-${vmId}`,
      identity: { provider: 'azure', account: SUBSCRIPTION, instanceId: vmId },
      pool: 'azure-workers',
    });
    expect(bundle.identity).not.toHaveProperty('region');
    expect(s.nonces.records.get(nonce)?.usedAt).toBe('2026-11-30T12:00:00.000Z');
    expect(s.log.text()).not.toContain(nonce);
  });

  it('refuses a second use of the nonce, even for another VM (invalid_nonce, with what to do)', async () => {
    const s = stack();
    const { nonce } = await s.newNonce();
    expect((await s.join(document(nonce).body)).status).toBe(200);
    const replay = await s.join(document(nonce).body);
    expect(replay.status).toBe(403);
    expect(await replay.json()).toMatchObject({
      code: 'invalid_nonce',
      detail: 'Get a new nonce (POST /v1/nonce), fetch a new attested document with it, and post that.',
    });
  });

  it.each([
    ['never issued', '98765432109876543210987654321098'],
    ["IMDS's default timestamp nonce", '20261130-120000'],
  ])('refuses a nonce %s (invalid_nonce)', async (_, nonce) => {
    const s = stack();
    expect(await codeOf(await s.join(document(nonce).body))).toBe('invalid_nonce');
    expect(s.log.lines.find((l) => l.event === 'join.refused')?.fields).toMatchObject({ reason: 'invalid_nonce', detail: expect.stringMatching(/^nonce unknown/) });
  });

  it.each([
    ['at expiresAt', 300_000, 200],
    ['1 ms after expiresAt', 300_001, 403],
  ])('a nonce used %s: %s', async (_, elapsed, status) => {
    const s = stack();
    const { nonce } = await s.newNonce();
    s.clock.advance(elapsed);
    const { body } = document(nonce, { createdOn: new Date(Date.parse(NOW) + elapsed - 5_000) });
    const res = await s.join(body);
    expect(res.status).toBe(status);
    if (status === 403) expect(await codeOf(res)).toBe('invalid_nonce');
  });

  it('never spends a nonce for a document that does not verify', async () => {
    const s = stack();
    const { nonce } = await s.newNonce();
    const foreignRoot = await createRoot('Not Trusted');
    const stranger = await createSigner(foreignRoot);
    expect(await codeOf(await s.join(document(nonce, { by: stranger }).body))).toBe('invalid_signature');
    expect(await codeOf(await s.join('{"encoding":"pkcs7","signature":"AAAA"}'))).toBe('malformed_document');
    expect(s.nonces.records.get(nonce)?.usedAt).toBeUndefined();
    expect((await s.join(document(nonce).body)).status).toBe(200);
  });

  it('spends the nonce even when policy then refuses (the VM needs a new nonce anyway)', async () => {
    const s = stack();
    const { nonce } = await s.newNonce();
    const other = attestedContent({ nonce, subscriptionId: '99999999-2222-3333-4444-555555555555', vmId: 'aaaaaaaa-bbbb-cccc-dddd-ffffffffffff', createdOn: new Date(Date.parse(NOW) - 5_000), expiresOn: new Date(Date.parse(NOW) + 3600_000) });
    expect(await codeOf(await s.join(imdsBody(signAttested(signer, other))))).toBe('access_denied');
    expect(s.nonces.records.get(nonce)?.usedAt).toBeDefined();
  });

  it('holds createdOn to the pool freshness window (stale_document)', async () => {
    const s = stack();
    const { nonce } = await s.newNonce();
    const { body } = document(nonce, { createdOn: new Date(Date.parse(NOW) - 601_000) });
    expect(await codeOf(await s.join(body))).toBe('stale_document');
  });

  it('is 503 when the nonce store cannot be reached, never an accept', async () => {
    const nonces = inMemoryNonces();
    const s = stack({ nonces: { issue: nonces.issue, consume: async () => Promise.reject(new Error('DO down')) } });
    const { nonce } = await s.newNonce();
    const res = await s.join(document(nonce).body);
    expect([res.status, await codeOf(res), res.headers.get('retry-after')]).toEqual([503, 'upstream_unavailable', '5']);
  });
});

describe('openapi.yaml describes what these routes answer', () => {
  const contract = new ContractValidator();
  const check = async (method: string, path: string, res: Response) =>
    contract.violations(method, path, { status: res.status, headers: res.headers, text: await res.text() });

  it('POST /v1/nonce 200, 429 and 503; POST /v1/join/azure 200 in every format, 403 invalid_nonce, 400', async () => {
    const s = stack();
    expect(await check('POST', '/v1/nonce', await s.app.request('/v1/nonce', { method: 'POST' }))).toEqual([]);
    const limited = stack({ rateLimits: { byAddress: { allow: async () => false }, byIdentity: { allow: async () => true } } });
    expect(await check('POST', '/v1/nonce', await limited.app.request('/v1/nonce', { method: 'POST', headers: { 'cf-connecting-ip': '192.0.2.1' } }))).toEqual([]);
    const down = stack({ nonces: { issue: async () => Promise.reject(new Error('down')), consume: async () => ({ ok: true }) } });
    expect(await check('POST', '/v1/nonce', await down.app.request('/v1/nonce', { method: 'POST' }))).toEqual([]);
    for (const format of ['json', 'kubeconfig', 'script&mode=kubelet']) {
      const { nonce } = await s.newNonce();
      const res = await s.app.request(`/v1/join/azure?format=${format}`, { method: 'POST', body: document(nonce).body });
      expect(res.status).toBe(200);
      expect(await check('POST', '/v1/join/azure', res)).toEqual([]);
    }
    expect(await check('POST', '/v1/join/azure', await s.join(document('12345678901234567890123456789012').body))).toEqual([]);
    expect(await check('POST', '/v1/join/azure', await s.join('{}'))).toEqual([]);
  });
});

describe('development trust', () => {
  it.each([
    ['azure.extraRoots', (pem: string) => ({ azure: { extraRoots: [pem] } })],
    ['gcp.extraJwks', () => ({ gcp: { extraJwks: { keys: [{ ...devJwk, kid: 'dev' }] } } })],
  ])('%s is refused unless PUBLIC_URL is a loopback http URL', (field, extra) => {
    const devPolicy = JSON.stringify({ pools: [{ name: 'p' }], rules: [{ pool: 'p', provider: 'azure', accounts: ['*'] }], ...extra(root.pem) });
    const env = { ...testEnv(), JOIN_POLICY: devPolicy };
    const refused = loadConfig({ ...env, PUBLIC_URL: 'https://join.example.test' });
    expect(refused.ok ? [] : refused.issues).toContainEqual({ variable: 'JOIN_POLICY', message: `${field} is for development only: it needs PUBLIC_URL on http:// to 127.0.0.1, localhost or [::1]` });
    for (const url of ['http://127.0.0.1:8787', 'http://localhost:8787']) {
      expect(loadConfig({ ...env, PUBLIC_URL: url }).ok).toBe(true);
    }
  });

  it('azure.extraIntermediates adds no trust and needs no development URL', () => {
    const env = { ...testEnv(), JOIN_POLICY: JSON.stringify({ pools: [{ name: 'p' }], azure: { extraIntermediates: [root.pem] } }) };
    expect(loadConfig(env).ok).toBe(true);
  });

  it.each([
    ['not PEM', 'hello'],
    ['two certificates', () => `${root.pem}\n${root.pem}`],
    ['a non-CA certificate', () => signer.pem],
  ])('azure.extraRoots entry that is %s fails at start-up with the field named', (_, value) => {
    const pem = typeof value === 'function' ? value() : value;
    const env = { ...testEnv(), PUBLIC_URL: DEV_URL, JOIN_POLICY: JSON.stringify({ pools: [{ name: 'p' }], azure: { extraRoots: [pem] } }) };
    const result = loadConfig(env);
    expect(result.ok ? [] : result.issues).toContainEqual({ variable: 'JOIN_POLICY', message: 'azure.extraRoots[0]: expected one PEM CA certificate (basicConstraints cA true)' });
  });
});

function testEnv() {
  return {
    KUBE_API_SERVER: 'https://kube.example.test:6443',
    KUBE_TOKEN: 'kube-token-for-tests-0123456789',
    PUBLIC_URL: 'https://join.example.test',
    JOIN_POLICY: '',
  };
}
