import { beforeAll, describe, expect, it } from 'vitest';
import { createJwksKeySource, type JwksKeySourceOptions, type KeyResult } from '../../../src/attest/jwks/index.js';
import { generateTestKey, jwksOf, type TestKey } from '../oidc/tokens.js';
import { json, jwksServerHanging, jwksServerWith, manualClock } from './fakes.js';

const URI = 'https://issuer.example/jwks';
const MINUTE = 60_000;
let k1: TestKey;
let k2: TestKey;
let k3: TestKey;

beforeAll(async () => {
  [k1, k2, k3] = await Promise.all([generateTestKey('RS256', 'k1'), generateTestKey('RS256', 'k2'), generateTestKey('RS256', 'k3')]);
});

function setup(jwks: unknown = jwksOf(k1), options: Partial<JwksKeySourceOptions> = {}) {
  const server = jwksServerWith(jwks);
  const clock = manualClock('2026-01-01T00:00:00Z');
  const keys = createJwksKeySource({ uri: URI, fetch: server.fetch, clock, ...options });
  const resolve = (kid: string | undefined) => keys.resolveKey({ alg: 'RS256', kid });
  return { server, clock, keys, resolve };
}

const reasonOf = (result: KeyResult) => (result.ok ? 'ok' : result.error.reason);
const detailOf = (result: KeyResult) => (result.ok ? '' : result.error.detail);

describe('createJwksKeySource: fetching', () => {
  it('fetches once with GET, redirect manual, an abort signal and a JWKS accept header', async () => {
    const { server, resolve } = setup();
    expect(await resolve('k1')).toMatchObject({ ok: true, kid: 'k1' });
    expect(server.calls).toHaveLength(1);
    const [call] = server.calls;
    expect(call?.url).toBe(URI);
    expect(call?.init).toMatchObject({ method: 'GET', redirect: 'manual', headers: { accept: 'application/jwk-set+json, application/json' } });
    expect(call?.init.signal).toBeInstanceOf(AbortSignal);
  });

  it('serves later tokens from the cache until cacheTtlMs, then refetches', async () => {
    const { server, clock, resolve } = setup(jwksOf(k1), { cacheTtlMs: 10 * MINUTE });
    await resolve('k1');
    clock.advance(10 * MINUTE - 1);
    expect(reasonOf(await resolve('k1'))).toBe('ok');
    expect(server.calls).toHaveLength(1);
    clock.advance(1);
    expect(reasonOf(await resolve('k1'))).toBe('ok');
    expect(server.calls).toHaveLength(2);
  });

  const failures: [string, () => Response | Promise<Response>, RegExp][] = [
    ['HTTP 500', () => new Response('oops', { status: 500 }), /HTTP 500/],
    ['HTTP 404', () => new Response('', { status: 404 }), /HTTP 404/],
    ['a redirect (not followed)', () => new Response(null, { status: 302, headers: { location: 'https://evil.example/jwks' } }), /HTTP 302 \(redirects are not followed\)/],
    ['a body declaring more than maxBodyBytes', () => new Response('{"keys":[]}', { headers: { 'content-length': String(64 * 1024 + 1) } }), /declares 65537 bytes/],
    ['a streamed body over maxBodyBytes', () => new Response(new ReadableStream({ start(c) { c.enqueue(new Uint8Array(40_000)); c.enqueue(new Uint8Array(40_000)); c.close(); } })), /exceeds 65536 bytes/],
    ['invalid JSON', () => new Response('{"keys": [', { status: 200 }), /not UTF-8 JSON/],
    ['bytes that are not UTF-8', () => new Response(new Uint8Array([0x7b, 0xff, 0x7d])), /not UTF-8 JSON/],
    ['JSON that is not a key set', () => json({ keys: 'none' }), /not a JSON Web Key Set/],
    ['a key set with no usable key', () => json({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }), /no usable public signature key/],
    ['a network error', () => Promise.reject(new TypeError('fetch failed')), /JWKS fetch failed: TypeError: fetch failed/],
  ];
  it.each(failures)('answers upstream_unavailable for %s, never a key', async (_, respond, detail) => {
    const { server, resolve } = setup();
    server.serve(respond);
    const result = await resolve('k1');
    expect(reasonOf(result)).toBe('upstream_unavailable');
    expect(detailOf(result)).toMatch(detail);
    expect(server.calls).toHaveLength(1);
  });

  it('times out a server that never answers (abort signal fired)', async () => {
    const server = jwksServerHanging({ honourAbort: true });
    const keys = createJwksKeySource({ uri: URI, fetch: server.fetch, timeoutMs: 30 });
    const result = await keys.resolveKey({ alg: 'RS256', kid: 'k1' });
    expect(result).toMatchObject({ ok: false, error: { reason: 'upstream_unavailable', detail: 'JWKS fetch timed out after 30 ms' } });
    expect(server.calls[0]?.init.signal?.aborted).toBe(true);
  });

  it('times out even when the injected fetch ignores the abort signal', async () => {
    const server = jwksServerHanging({ honourAbort: false });
    const keys = createJwksKeySource({ uri: URI, fetch: server.fetch, timeoutMs: 30 });
    expect(reasonOf(await keys.resolveKey({ alg: 'RS256', kid: 'k1' }))).toBe('upstream_unavailable');
  });
});

describe('createJwksKeySource: unknown kid and cooldown', () => {
  it('refetches once for an unknown kid and finds a rotated-in key', async () => {
    const { server, clock, resolve } = setup(jwksOf(k1));
    await resolve('k1');
    server.serve(jwksOf(k1, k2));
    clock.advance(1_000);
    expect(await resolve('k2')).toMatchObject({ ok: true, kid: 'k2' });
    expect(server.calls).toHaveLength(2);
  });

  it('refetches at most once per cooldown; an unknown kid after that is unknown_signer', async () => {
    const { server, clock, resolve } = setup(jwksOf(k1), { cooldownMs: 5 * MINUTE, cacheTtlMs: 60 * MINUTE });
    await resolve('k1');
    expect(reasonOf(await resolve('forged-1'))).toBe('unknown_signer');
    expect(server.calls).toHaveLength(2);
    for (const kid of ['forged-2', 'forged-3', 'forged-4']) expect(reasonOf(await resolve(kid))).toBe('unknown_signer');
    expect(server.calls).toHaveLength(2);
    clock.advance(5 * MINUTE - 1);
    expect(reasonOf(await resolve('forged-5'))).toBe('unknown_signer');
    expect(server.calls).toHaveLength(2);
    clock.advance(1);
    server.serve(jwksOf(k1, k3));
    expect(await resolve('k3')).toMatchObject({ ok: true, kid: 'k3' });
    expect(server.calls).toHaveLength(3);
  });

  it('does not spend a refetch when the set was fetched by this very request', async () => {
    const { server, resolve } = setup(jwksOf(k1));
    expect(reasonOf(await resolve('k2'))).toBe('unknown_signer');
    expect(server.calls).toHaveLength(1);
  });

  it('never falls back to another key for a kid-less token facing several keys', async () => {
    const { server, resolve } = setup(jwksOf(k1, k2));
    expect(detailOf(await resolve(undefined))).toMatch(/no kid and the key set holds 2 keys/);
    expect(server.calls).toHaveLength(1);
  });
});

describe('createJwksKeySource: failing endpoint with a cached set', () => {
  it('keeps using a cached set that has the kid; refuses an unknown kid as upstream_unavailable', async () => {
    const { server, clock, resolve } = setup(jwksOf(k1), { cacheTtlMs: 10 * MINUTE, cooldownMs: 5 * MINUTE });
    await resolve('k1');
    server.serve(() => new Response('', { status: 503 }));
    clock.advance(10 * MINUTE);
    expect(reasonOf(await resolve('k1'))).toBe('ok');
    expect(server.calls).toHaveLength(2);
    const unknown = await resolve('k2');
    expect(reasonOf(unknown)).toBe('upstream_unavailable');
    expect(detailOf(unknown)).toMatch(/no key with kid "k2".*last refresh failed: JWKS endpoint answered HTTP 503/);
  });

  it('waits retryAfterFailureMs before retrying an expired set', async () => {
    const { server, clock, resolve } = setup(jwksOf(k1), { cacheTtlMs: 10 * MINUTE, retryAfterFailureMs: 30_000 });
    await resolve('k1');
    server.serve(() => new Response('', { status: 500 }));
    clock.advance(10 * MINUTE);
    await resolve('k1');
    clock.advance(29_999);
    await resolve('k1');
    expect(server.calls).toHaveLength(2);
    clock.advance(1);
    server.serve(jwksOf(k1));
    await resolve('k1');
    expect(server.calls).toHaveLength(3);
  });

  it('stops trusting a cached set older than maxStaleMs', async () => {
    const { server, clock, resolve } = setup(jwksOf(k1), { cacheTtlMs: 10 * MINUTE, maxStaleMs: 60 * MINUTE });
    await resolve('k1');
    server.serve(() => new Response('', { status: 500 }));
    clock.advance(60 * MINUTE);
    expect(reasonOf(await resolve('k1'))).toBe('ok');
    clock.advance(1);
    expect(reasonOf(await resolve('k1'))).toBe('upstream_unavailable');
  });

  it('never replaces a good set with a failed download', async () => {
    const { server, clock, resolve } = setup(jwksOf(k1), { cacheTtlMs: MINUTE, retryAfterFailureMs: 0 });
    await resolve('k1');
    server.serve(() => json({ keys: [] }));
    clock.advance(MINUTE);
    expect(reasonOf(await resolve('k1'))).toBe('ok');
  });
});

describe('createJwksKeySource: one fetch at a time per source', () => {
  it('does not start a second fetch while one is in flight, and does not share it', async () => {
    let release: (response: Response) => void = () => undefined;
    const server = jwksServerWith(jwksOf(k1));
    server.serve(() => new Promise<Response>((resolve) => (release = resolve)));
    const keys = createJwksKeySource({ uri: URI, fetch: server.fetch });
    const first = keys.resolveKey({ alg: 'RS256', kid: 'k1' });
    const second = await keys.resolveKey({ alg: 'RS256', kid: 'k1' });
    expect(second).toMatchObject({ ok: false, error: { reason: 'upstream_unavailable', detail: 'no key set yet: first fetch in flight' } });
    release(json(jwksOf(k1)));
    expect(await first).toMatchObject({ ok: true });
    expect(server.calls).toHaveLength(1);
  });
});

describe('createJwksKeySource: configuration', () => {
  const fetch = jwksServerWith(jwksOf()).fetch;
  it.each([
    ['an http URI', { uri: 'http://issuer.example/jwks' }, 'insecure_jwks_uri'],
    ['a non-URL', { uri: 'issuer.example/jwks' }, 'invalid_jwks_uri'],
    ['a URI with credentials', { uri: 'https://user:pw@issuer.example/jwks' }, 'invalid_jwks_uri'],
    ['a file URI', { uri: 'file:///etc/passwd' }, 'insecure_jwks_uri'],
    ['a negative cooldown', { uri: URI, cooldownMs: -1 }, 'invalid_option'],
    ['a zero timeout', { uri: URI, timeoutMs: 0 }, 'invalid_option'],
    ['maxStaleMs below cacheTtlMs', { uri: URI, cacheTtlMs: 10, maxStaleMs: 5 }, 'invalid_option'],
  ])('throws for %s', (_, options, code) => {
    expect(() => createJwksKeySource({ fetch, ...options })).toThrow(expect.objectContaining({ name: 'KeySourceConfigError', code }));
  });

  it('allows http only with allowInsecureHttp (tests against a local server)', () => {
    expect(() => createJwksKeySource({ uri: 'http://127.0.0.1:8080/jwks', fetch, allowInsecureHttp: true })).not.toThrow();
  });
});
