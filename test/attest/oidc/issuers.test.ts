import { beforeAll, describe, expect, it } from 'vitest';
import { createStaticKeySource } from '../../../src/attest/jwks/index.js';
import { createOidcIssuer, selectOidcIssuer, verifyOidcTokenFromIssuers, type OidcIssuer } from '../../../src/attest/oidc/index.js';
import { jwksServerWith } from '../jwks/fakes.js';
import { generateTestKey, handBuilt, jwksOf, seconds, signToken, type TestKey } from './tokens.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const T = seconds(NOW);
let ciKey: TestKey;
let tpmKey: TestKey;
let issuers: OidcIssuer[];

beforeAll(async () => {
  [ciKey, tpmKey] = await Promise.all([generateTestKey('RS256', 'shared-kid'), generateTestKey('ES256', 'shared-kid')]);
  issuers = [
    { config: { issuer: 'https://ci.example.com', jwksUri: 'https://ci.example.com/jwks', algorithms: ['RS256'], audience: 'broker', identityClaim: 'sub' }, keys: createStaticKeySource(jwksOf(ciKey)) },
    { config: { issuer: 'https://tpm.example.com', jwksUri: 'https://tpm.example.com/jwks', algorithms: ['ES256'], audience: 'broker', identityClaim: 'machine_id' }, keys: createStaticKeySource(jwksOf(tpmKey)) },
  ];
});

const claims = (iss: string, extra: Record<string, unknown> = {}) => ({ iss, aud: 'broker', sub: 'job-1', machine_id: 'm-7', iat: T, exp: T + 60, ...extra });

describe('verifyOidcTokenFromIssuers', () => {
  it('selects the issuer by iss and verifies against it', async () => {
    const ci = await verifyOidcTokenFromIssuers(await signToken(ciKey, claims('https://ci.example.com')), issuers, { now: NOW });
    const tpm = await verifyOidcTokenFromIssuers(await signToken(tpmKey, claims('https://tpm.example.com')), issuers, { now: NOW });
    expect(ci).toMatchObject({ ok: true, identity: { account: 'https://ci.example.com', instanceId: 'job-1' } });
    expect(tpm).toMatchObject({ ok: true, identity: { account: 'https://tpm.example.com', instanceId: 'm-7' } });
  });

  it('trusts the peeked iss for nothing else: a token claiming another issuer fails that issuer\'s checks', async () => {
    const forged = await signToken(tpmKey, claims('https://ci.example.com'));
    expect(await verifyOidcTokenFromIssuers(forged, issuers, { now: NOW })).toMatchObject({ ok: false, error: { reason: 'invalid_signature' } });
  });

  it.each([
    ['an unconfigured issuer', async () => signToken(ciKey, claims('https://evil.example.com')), 'unknown_signer', /iss "https:\/\/evil.example.com" is not a configured issuer/],
    ['no iss', async () => signToken(ciKey, claims('x', { iss: undefined })), 'unknown_signer', /iss undefined is not a configured issuer/],
    ['a payload that is not JSON', async () => `${handBuilt({ alg: 'RS256' }, {}).split('.')[0]}.bm90IGpzb24.c2ln`, 'malformed_document', /payload/],
    ['garbage', async () => 'a.b', 'malformed_document', /segments/],
  ])('refuses %s', async (_, build, reason, detail) => {
    const result = await verifyOidcTokenFromIssuers(await build(), issuers, { now: NOW });
    expect(result).toMatchObject({ ok: false, error: { reason } });
    expect(!result.ok && result.error.detail).toMatch(detail);
  });

  it('refuses an iss configured twice instead of picking one', async () => {
    const first = issuers[0]!;
    const jwt = await signToken(ciKey, claims('https://ci.example.com'));
    expect(selectOidcIssuer(jwt, [first, first])).toMatchObject({ ok: false, error: { reason: 'unknown_signer', detail: expect.stringMatching(/more than once/) } });
  });
});

describe('createOidcIssuer', () => {
  it('builds a remote key source from jwksUri over the injected fetch', async () => {
    const server = jwksServerWith(jwksOf(ciKey));
    const issuer = createOidcIssuer(issuers[0]!.config, { fetch: server.fetch });
    const result = await verifyOidcTokenFromIssuers(await signToken(ciKey, claims('https://ci.example.com')), [issuer], { now: NOW });
    expect(result).toMatchObject({ ok: true });
    expect(server.calls.map((call) => call.url)).toEqual(['https://ci.example.com/jwks']);
  });

  it('builds a static key source from inline jwks, without fetching', async () => {
    const server = jwksServerWith({ keys: [] });
    const config = { ...issuers[1]!.config, jwksUri: undefined, jwks: jwksOf(tpmKey) };
    const issuer = createOidcIssuer(config, { fetch: server.fetch });
    const result = await verifyOidcTokenFromIssuers(await signToken(tpmKey, claims('https://tpm.example.com')), [issuer], { now: NOW });
    expect(result).toMatchObject({ ok: true, identity: { instanceId: 'm-7' } });
    expect(server.calls).toHaveLength(0);
  });
});
