/**
 * The admin API's authentication, over every admin route: ADMIN_TOKEN bearer (constant-time),
 * Cloudflare Access JWTs, and the 401 problem+json otherwise. Nothing an unauthenticated
 * request names is touched, and no presented credential reaches the log.
 */
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { mintBootstrapToken } from '../../src/cluster/mint.js';
import { loadConfig } from '../../src/config.js';
import { secretsMatch } from '../../src/http/admin-auth.js';
import { TEST_ENV, capturingLogger, counterRandom, fakeDeps, fakeKube, fixedClock, testConfig } from '../fakes/deps.js';
import { inMemoryLedger } from '../fakes/ledger.js';

const ADMIN_TOKEN = TEST_ENV.ADMIN_TOKEN!;
const NOW = '2026-11-30T12:00:00Z';
const TEAM = 'https://kjb-team.cloudflareaccess.com';
const AUD = '4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2';

const ROUTES = [
  ['GET', '/v1/tokens'],
  ['DELETE', '/v1/tokens/abcdef'],
  ['DELETE', '/v1/tokens/NOT-AN-ID'],
  ['GET', '/v1/joins'],
  ['GET', '/v1/joins?limit=banana'],
  ['DELETE', '/v1/joins/aws%2F123456789012%2Fi-0123456789abcdef0'],
  ['POST', '/v1/tokens'],
] as const;

const oneCharChanged = ADMIN_TOKEN.slice(0, -1) + (ADMIN_TOKEN.endsWith('f') ? 'e' : 'f');

const CREDENTIALS: [string, Record<string, string>, Partial<typeof TEST_ENV>][] = [
  ['no Authorization header', {}, {}],
  ['Basic with the token as password', { authorization: `Basic ${btoa(`admin:${ADMIN_TOKEN}`)}` }, {}],
  ['the token without a scheme', { authorization: ADMIN_TOKEN }, {}],
  ['a wrong token', { authorization: 'Bearer wrong-token-wrong-token-wrong-token-0000' }, {}],
  ['the token with one character changed', { authorization: `Bearer ${oneCharChanged}` }, {}],
  ['the token with one character more', { authorization: `Bearer ${ADMIN_TOKEN}0` }, {}],
  ['the token less its last character', { authorization: `Bearer ${ADMIN_TOKEN.slice(0, -1)}` }, {}],
  ['an empty bearer token', { authorization: 'Bearer ' }, {}],
  ['an empty Authorization header', { authorization: '' }, {}],
  ['the right token while ADMIN_TOKEN is unset', { authorization: `Bearer ${ADMIN_TOKEN}` }, { ADMIN_TOKEN: undefined }],
  ['an Access JWT header while Access is not configured', { 'cf-access-jwt-assertion': 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln' }, {}],
];

async function seededDeps(env: Partial<typeof TEST_ENV> = {}) {
  const kube = fakeKube();
  const ledger = inMemoryLedger();
  const log = capturingLogger();
  const config = testConfig(env);
  const clock = fixedClock(NOW);
  const pool = config.policy.pools[0]!;
  const identity = {
    provider: 'aws' as const,
    account: '123456789012',
    region: 'us-east-1',
    instanceId: 'i-0123456789abcdef0',
    issuedAt: new Date(NOW),
    attributes: {},
    addresses: { ips: [], dnsNames: [] },
    defaultNodeName: 'node-a',
  };
  const minted = await mintBootstrapToken(kube, counterRandom(1), { identity, pool, nodeName: 'node-a', usages: ['authentication'], now: new Date(NOW) });
  return { deps: fakeDeps({ config, kube, ledger, log, clock }), kube, ledger, log, minted };
}

describe('admin routes refuse requests without the admin credential', () => {
  describe.each(CREDENTIALS)('%s', (_, headers, env) => {
    it.each(ROUTES)('%s %s → 401 problem+json with WWW-Authenticate, nothing touched, nothing logged', async (method, path) => {
      const { deps, kube, log, minted } = await seededDeps(env);
      const res = await createApp(deps).request(path, { method, headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="kube-join-broker"');
      expect(await res.json()).toMatchObject({ code: 'unauthorized', status: 401, type: 'urn:kube-join-broker:problem:unauthorized' });
      expect(kube.secrets.size).toBe(1);
      expect(log.lines).toContainEqual(expect.objectContaining({ event: 'admin.unauthorized' }));
      const logged = log.text();
      for (const credential of Object.values(headers).map((value) => value.replace(/^\w+ /, ''))) {
        if (credential.length > 6) expect(logged).not.toContain(credential);
      }
      expect(logged).not.toContain(ADMIN_TOKEN);
      expect(logged).not.toContain(minted.token.secret);
    });
  });

  it('accepts the right token (scheme in any case) on every route', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const { deps } = await seededDeps();
      const res = await createApp(deps).request('/v1/tokens', { headers: { authorization: `${scheme} ${ADMIN_TOKEN}` } });
      expect(res.status).toBe(200);
    }
  });

  it('the join and health routes need no admin credential', async () => {
    const { deps } = await seededDeps();
    expect((await createApp(deps).request('/healthz')).status).toBe(200);
  });
});

describe('secretsMatch (constant-time comparison over SHA-256 digests)', () => {
  it.each([
    [ADMIN_TOKEN, ADMIN_TOKEN, true],
    [oneCharChanged, ADMIN_TOKEN, false],
    ['', ADMIN_TOKEN, false],
    [`${ADMIN_TOKEN}\u0000`, ADMIN_TOKEN, false],
    ['é', 'e\u0301', false],
  ])('%j vs %j → %s', async (presented, expected, matches) => {
    expect(await secretsMatch(presented, expected)).toBe(matches);
  });
});

describe('Cloudflare Access JWTs', () => {
  let key: CryptoKey;
  let otherKey: CryptoKey;
  let jwks: object;
  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    key = pair.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'access-1', alg: 'RS256', use: 'sig' }], public_cert: { kid: 'access-1', cert: '…' }, public_certs: [] };
  });

  const accessEnv = { CF_ACCESS_TEAM_DOMAIN: TEAM, CF_ACCESS_AUD: AUD };
  const accessFetch = (fetched: string[]) => async (input: Request | string | URL) => {
    const url = String(input instanceof Request ? input.url : input);
    fetched.push(url);
    return url === `${TEAM}/cdn-cgi/access/certs` ? Response.json(jwks) : new Response('no', { status: 404 });
  };
  const jwt = (claims: Record<string, unknown> = {}, options: { signWith?: CryptoKey; alg?: string; iat?: number; exp?: number } = {}) => {
    const iat = options.iat ?? Date.parse(NOW) / 1000 - 10;
    return new SignJWT({ email: 'alice@example.com', sub: 'user-1', ...claims })
      .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: 'access-1' })
      .setIssuer(TEAM)
      .setAudience([AUD])
      .setIssuedAt(iat)
      .setExpirationTime(options.exp ?? iat + 3600)
      .sign(options.signWith ?? key);
  };

  async function accessApp(env: Partial<typeof TEST_ENV> = accessEnv) {
    const seeded = await seededDeps(env);
    const fetched: string[] = [];
    seeded.deps.fetch = accessFetch(fetched);
    return { ...seeded, app: createApp(seeded.deps), fetched };
  }

  it('a valid Access JWT is an admin credential, and its email is the audit actor', async () => {
    const { app, fetched, deps } = await accessApp();
    const ledger = deps.ledger;
    const key = { provider: 'aws' as const, account: '123456789012', instanceId: 'i-0123456789abcdef0' };
    const claim = await ledger.claim({ key, issuedAt: new Date(NOW), rejoin: 'never', now: new Date(NOW), leaseMs: 60_000 });
    if (!claim.ok) throw new Error('claim');
    await ledger.commit({ key, claimId: claim.claimId, now: new Date(NOW), record: { identity: key, issuedAt: NOW, nodeName: 'node-a', pool: 'workers', tokenId: 'abcdef', mintedAt: NOW, tokenExpiresAt: NOW } });
    const headers = { 'cf-access-jwt-assertion': await jwt() };
    expect((await app.request('/v1/tokens', { headers })).status).toBe(200);
    expect((await app.request('/v1/joins/aws%2F123456789012%2Fi-0123456789abcdef0', { method: 'DELETE', headers })).status).toBe(204);
    expect(fetched).toEqual([`${TEAM}/cdn-cgi/access/certs`]);
    const page = (await (await app.request('/v1/joins', { headers })).json()) as { items: { event: string; actor: string }[] };
    expect(page.items[0]).toMatchObject({ event: 'instance.reset', actor: 'access:alice@example.com' });
  });

  it('a service-token JWT (common_name, no email) names the service token', async () => {
    const { app } = await accessApp();
    const token = await jwt({ email: undefined, common_name: 'ci.access', sub: '' });
    const headers = { 'cf-access-jwt-assertion': token };
    expect((await app.request('/v1/joins/aws%2F1%2Fi-1', { method: 'DELETE', headers })).status).toBe(404);
  });

  it.each([
    ['another audience', async () => new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'access-1' }).setIssuer(TEAM).setAudience('other-aud').setIssuedAt(Date.parse(NOW) / 1000).setExpirationTime(Date.parse(NOW) / 1000 + 60).sign(key)],
    ['another issuer', async () => new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'access-1' }).setIssuer('https://other.cloudflareaccess.com').setAudience(AUD).setIssuedAt(Date.parse(NOW) / 1000).setExpirationTime(Date.parse(NOW) / 1000 + 60).sign(key)],
    ['an expired token', () => jwt({}, { iat: Date.parse(NOW) / 1000 - 7200, exp: Date.parse(NOW) / 1000 - 3600 })],
    ['a token from the future', () => jwt({}, { iat: Date.parse(NOW) / 1000 + 3600, exp: Date.parse(NOW) / 1000 + 7200 })],
    ['a token signed by another key', () => jwt({}, { signWith: otherKey })],
    ['a token with alg none', async () => `${btoa(JSON.stringify({ alg: 'none', kid: 'access-1' })).replace(/=+$/, '')}.${btoa(JSON.stringify({ iss: TEAM, aud: AUD })).replace(/=+$/, '')}.`],
    ['garbage', async () => 'not-a-jwt'],
  ])('refuses %s with 401', async (_, make) => {
    const { app, log } = await accessApp();
    const token = await make();
    const res = await app.request('/v1/tokens', { headers: { 'cf-access-jwt-assertion': token } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="kube-join-broker"');
    expect(log.text()).not.toContain(token);
  });

  it('the bearer token still works when Access is configured, and a wrong bearer does not spoil a valid JWT', async () => {
    const { app } = await accessApp();
    expect((await app.request('/v1/tokens', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(200);
    expect((await app.request('/v1/tokens', { headers: { authorization: 'Bearer nope', 'cf-access-jwt-assertion': await jwt() } })).status).toBe(200);
  });

  it('with Access configured and ADMIN_TOKEN unset, only Access JWTs pass', async () => {
    const { app } = await accessApp({ ...accessEnv, ADMIN_TOKEN: undefined });
    expect((await app.request('/v1/tokens', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(401);
    expect((await app.request('/v1/tokens', { headers: { 'cf-access-jwt-assertion': await jwt() } })).status).toBe(200);
  });
});

describe('Access configuration', () => {
  const issues = (env: Record<string, string | undefined>) => {
    const result = loadConfig({ ...TEST_ENV, ...env });
    return result.ok ? [] : result.issues;
  };
  it.each([
    [{ CF_ACCESS_TEAM_DOMAIN: TEAM }, [{ variable: 'CF_ACCESS_AUD', message: 'CF_ACCESS_TEAM_DOMAIN and CF_ACCESS_AUD go together' }]],
    [{ CF_ACCESS_AUD: AUD }, [{ variable: 'CF_ACCESS_AUD', message: 'CF_ACCESS_TEAM_DOMAIN and CF_ACCESS_AUD go together' }]],
    [{ CF_ACCESS_TEAM_DOMAIN: 'http://kjb-team.cloudflareaccess.com', CF_ACCESS_AUD: AUD }, [{ variable: 'CF_ACCESS_TEAM_DOMAIN', message: 'must be https://<team>.cloudflareaccess.com' }]],
    [{ CF_ACCESS_TEAM_DOMAIN: 'https://evil.example.com', CF_ACCESS_AUD: AUD }, [{ variable: 'CF_ACCESS_TEAM_DOMAIN', message: 'must be https://<team>.cloudflareaccess.com' }]],
    [{ CF_ACCESS_TEAM_DOMAIN: `${TEAM}/cdn-cgi/access/certs`, CF_ACCESS_AUD: AUD }, [{ variable: 'CF_ACCESS_TEAM_DOMAIN', message: 'must be the bare team domain, without a path' }]],
    [{ CF_ACCESS_TEAM_DOMAIN: TEAM, CF_ACCESS_AUD: 'has space' }, [{ variable: 'CF_ACCESS_AUD', message: "must be the Access application's audience tag (AUD)" }]],
  ])('%j → %j', (env, expected) => {
    expect(issues(env)).toEqual(expected);
  });

  it('a valid pair becomes config.adminAccess (the origin, no trailing slash)', () => {
    const result = loadConfig({ ...TEST_ENV, CF_ACCESS_TEAM_DOMAIN: `${TEAM}/`, CF_ACCESS_AUD: AUD });
    expect(result.ok && result.config.adminAccess).toEqual({ teamDomain: TEAM, audience: AUD });
    const without = loadConfig(TEST_ENV);
    expect(without.ok && without.config.adminAccess).toBeUndefined();
  });
});
