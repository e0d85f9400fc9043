import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AttestResult } from '../../../src/attest/identity.js';
import { createStaticKeySource, type KeySource } from '../../../src/attest/jwks/index.js';
import { MAX_JWT_LENGTH, verifyOidcToken, type IssuerConfig } from '../../../src/attest/oidc/index.js';
import { generateTestKey, handBuilt, jwksOf, publicKeyPem, seconds, signToken, type TestKey } from './tokens.js';

const ISSUER = 'https://ci.example.com';
const AUDIENCE = 'https://join.example.com';
const NOW = new Date('2026-03-01T12:00:00Z');
const T = seconds(NOW);

let rsa: TestKey;
let ec: TestKey;
let stranger: TestKey;
let keys: KeySource;
const config: IssuerConfig = { issuer: ISSUER, jwksUri: 'https://ci.example.com/jwks', algorithms: ['RS256'], audience: AUDIENCE, identityClaim: 'sub' };

beforeAll(async () => {
  [rsa, ec, stranger] = await Promise.all([generateTestKey('RS256', 'rsa-1'), generateTestKey('ES256', 'ec-1'), generateTestKey('RS256', 'rsa-1')]);
  keys = createStaticKeySource(jwksOf(rsa, ec));
});

const claims = (extra: Record<string, unknown> = {}) => ({ iss: ISSUER, aud: AUDIENCE, sub: 'runner-42', iat: T - 10, exp: T + 300, ...extra });
const verify = (jwt: string, issuer: IssuerConfig = config, now: Date = NOW) => verifyOidcToken(jwt, issuer, { keys, now });
const reasonOf = (result: AttestResult) => (result.ok ? 'ok' : result.error.reason);

describe('verifyOidcToken: a valid token', () => {
  it('yields the exact identity', async () => {
    const jwt = await signToken(rsa, claims({ jti: 'abc', email: 'ci@example.com', run: 7, nested: { a: 1 }, ratio: 1.5, big: 2 ** 60, admin: false }));
    expect(await verify(jwt)).toEqual({
      ok: true,
      identity: {
        provider: 'oidc',
        account: ISSUER,
        instanceId: 'runner-42',
        issuedAt: new Date((T - 10) * 1000),
        attributes: { admin: 'false', email: 'ci@example.com', jti: 'abc', run: '7', sub: 'runner-42' },
        addresses: { ips: [], dnsNames: [] },
        defaultNodeName: 'runner-42',
      },
    });
  });

  it.each([
    ['a dotted identity path', { identityClaim: 'google.compute_engine.instance_id' }, { google: { compute_engine: { instance_id: '8418160715288427941' } } }, '8418160715288427941'],
    ['a numeric identity', { identityClaim: 'node_id' }, { node_id: 123456 }, '123456'],
    ['an audience list containing ours', {}, { aud: ['other', AUDIENCE] }, 'runner-42'],
    ['one of several configured audiences', { audience: ['a', AUDIENCE] }, {}, 'runner-42'],
    ['an ES256 issuer', { algorithms: ['ES256'] as IssuerConfig['algorithms'] }, { kid: 'ec' }, 'runner-42'],
  ])('accepts %s', async (_, configChange, claimChange, instanceId) => {
    const key = 'algorithms' in configChange && configChange.algorithms[0] === 'ES256' ? ec : rsa;
    const jwt = await signToken(key, claims(claimChange));
    const result = await verify(jwt, { ...config, ...configChange });
    expect(result.ok && result.identity.instanceId).toBe(instanceId);
  });
});

describe('verifyOidcToken: refusals', () => {
  const cases: [string, () => Promise<string>, string, RegExp, Partial<IssuerConfig>?][] = [
    ['an unknown kid', () => signToken(rsa, claims(), { kid: 'rsa-2' }), 'unknown_signer', /no key with kid "rsa-2"/],
    ['a key outside the set claiming its kid', () => signToken(stranger, claims()), 'invalid_signature', /signature verification failed/],
    ['an HS256 token keyed with the RSA public key PEM (alg confusion)', async () => new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' }).sign(new TextEncoder().encode(await publicKeyPem(rsa))), 'invalid_signature', /alg "HS256" is not allowed/],
    ['an HS256 token keyed with the RSA modulus bytes (alg confusion)', () => new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' }).sign(Buffer.from(rsa.jwk.n!, 'base64url')), 'invalid_signature', /alg "HS256" is not allowed/],
    ['HS256 even when the issuer config lists it (bypassing the schema)', () => new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' }).sign(Buffer.from(rsa.jwk.n!, 'base64url')), 'invalid_signature', /alg "HS256" is not allowed/, { algorithms: ['RS256', 'HS256'] as unknown as IssuerConfig['algorithms'] }],
    ['alg none', async () => handBuilt({ alg: 'none', typ: 'JWT' }, claims()), 'invalid_signature', /alg "none" is not allowed/],
    ['alg None', async () => handBuilt({ alg: 'None' }, claims()), 'invalid_signature', /alg "None" is not allowed/],
    ['alg none with a signature', async () => handBuilt({ alg: 'none' }, claims(), 'c2ln'), 'invalid_signature', /alg "none" is not allowed/],
    ['an ES256 token for an RS256-only issuer', () => signToken(ec, claims()), 'invalid_signature', /alg "ES256" is not allowed for this issuer \(allowed: RS256\)/],
    ['an RS256 header on a token whose key is EC', () => signToken(rsa, claims(), { kid: 'ec-1' }), 'invalid_signature', /key "ec-1" cannot verify RS256/],
    ['an embedded attacker key (jwk header)', () => signToken(stranger, claims(), { jwk: stranger.jwk }), 'invalid_signature', /signature verification failed/],
    ['an attacker key URL (jku header)', () => signToken(stranger, claims(), { jku: 'https://evil.example/jwks' }), 'invalid_signature', /signature verification failed/],
    ['a crit header', () => signToken(rsa, claims(), { crit: ['urn:example:policy'], 'urn:example:policy': 'strict' }), 'unsupported_document', /crit/],
    ['crit b64 (unencoded payload)', () => signToken(rsa, claims(), { crit: ['b64'], b64: true }), 'unsupported_document', /crit/],
    ['an expired token', () => signToken(rsa, claims({ iat: T - 3600, exp: T - 61 })), 'stale_document', /token expired: exp=/],
    ['a token not valid yet (nbf beyond skew)', () => signToken(rsa, claims({ nbf: T + 61 })), 'stale_document', /not yet valid/],
    ['a token issued in the future (iat beyond skew)', () => signToken(rsa, claims({ iat: T + 61, exp: T + 3600 })), 'stale_document', /issued in the future/],
    ['a token older than maxTokenAgeSeconds', () => signToken(rsa, claims({ iat: T - 400 })), 'stale_document', /older than 300s/, { maxTokenAgeSeconds: 300 }],
    ['a wrong issuer', () => signToken(rsa, claims({ iss: 'https://evil.example.com' })), 'invalid_claims', /iss "https:\/\/evil.example.com" is not the expected issuer/],
    ['the issuer with a trailing slash', () => signToken(rsa, claims({ iss: `${ISSUER}/` })), 'invalid_claims', /is not the expected issuer/],
    ['the issuer in upper case', () => signToken(rsa, claims({ iss: ISSUER.toUpperCase() })), 'invalid_claims', /is not the expected issuer/],
    ['a missing issuer', () => signToken(rsa, claims({ iss: undefined })), 'invalid_claims', /iss undefined/],
    ['a wrong audience', () => signToken(rsa, claims({ aud: 'https://other.example.com' })), 'invalid_claims', /does not contain the expected audience/],
    ['an empty audience list', () => signToken(rsa, claims({ aud: [] })), 'invalid_claims', /aud is missing/],
    ['no exp', () => signToken(rsa, claims({ exp: undefined })), 'invalid_claims', /exp is missing/],
    ['no iat', () => signToken(rsa, claims({ iat: undefined })), 'invalid_claims', /iat is missing/],
    ['exp as a string', () => signToken(rsa, claims({ exp: String(T + 300) })), 'invalid_claims', /exp is not a NumericDate/],
    ['a missing identity claim', () => signToken(rsa, claims({ sub: undefined })), 'invalid_claims', /identity claim "sub" is missing/],
    ['an empty identity claim', () => signToken(rsa, claims({ sub: '' })), 'invalid_claims', /is empty/],
    ['an object identity claim', () => signToken(rsa, claims({ sub: { id: 1 } })), 'invalid_claims', /not a string or number/],
    ['an identity number past 2^53', () => signToken(rsa, claims({ sub: 2 ** 53 + 2 })), 'invalid_claims', /not a safe integer/],
    ['an identity with a newline', () => signToken(rsa, claims({ sub: 'a\nb' })), 'invalid_claims', /control characters/],
    ['an identity longer than 256 characters', () => signToken(rsa, claims({ sub: 'x'.repeat(257) })), 'invalid_claims', /longer than 256/],
    ['a payload that is a JSON array', () => signToken(rsa, '[1,2]'), 'malformed_document', /not a JSON object/],
    ['a payload that is not JSON', () => signToken(rsa, 'hello'), 'malformed_document', /not a JSON object/],
    ['a JWE', async () => 'a.b.c.d.e', 'unsupported_document', /JWE/],
    ['a token over 16 KiB', () => signToken(rsa, claims({ pad: 'x'.repeat(MAX_JWT_LENGTH) })), 'malformed_document', /limit 16384/],
    ['garbage', async () => 'not a token', 'malformed_document', /segments/],
    ['an empty string', async () => '', 'malformed_document', /empty/],
    ['padding characters', async () => `${await signToken(rsa, claims())}==`, 'malformed_document', /canonical base64url/],
    ['a header that is not JSON', async () => `bm90IGpzb24.${Buffer.from('{}').toString('base64url')}.c2ln`, 'malformed_document', /protected header is not/],
    ['a kid that is a number', async () => handBuilt({ alg: 'RS256', kid: 7 }, claims(), 'c2ln'), 'malformed_document', /kid is invalid/],
  ];
  it.each(cases)('refuses %s', async (_, build, reason, detail, configChange = {}) => {
    const result = await verify(await build(), { ...config, ...configChange });
    expect(reasonOf(result)).toBe(reason);
    expect(!result.ok && result.error.detail).toMatch(detail);
  });

  it.each([
    ['undefined', undefined],
    ['a number', 42],
    ['an object', { token: 'x' }],
  ])('refuses non-string input (%s) without throwing', async (_, input) => {
    expect(reasonOf(await verify(input as unknown as string))).toBe('malformed_document');
  });
});

describe('verifyOidcToken: exact time boundaries (skew 60 s)', () => {
  const ms = (s: number) => new Date(s * 1000);
  const E = T + 300;
  it.each([
    ['exp + skew − 1 ms', claims({ exp: E }), new Date(ms(E + 60).getTime() - 1), 'ok'],
    ['exp + skew', claims({ exp: E }), ms(E + 60), 'stale_document'],
    ['nbf − skew', claims({ nbf: T + 100 }), ms(T + 40), 'ok'],
    ['nbf − skew − 1 ms', claims({ nbf: T + 100 }), new Date(ms(T + 40).getTime() - 1), 'stale_document'],
    ['iat − skew', claims({ iat: T + 100 }), ms(T + 40), 'ok'],
    ['iat − skew − 1 ms', claims({ iat: T + 100 }), new Date(ms(T + 40).getTime() - 1), 'stale_document'],
  ])('at %s', async (_, payload, now, expected) => {
    expect(reasonOf(await verify(await signToken(rsa, payload), config, now))).toBe(expected);
  });

  it.each([
    ['iat + maxAge + skew', 0, 'ok'],
    ['iat + maxAge + skew + 1 ms', 1, 'stale_document'],
  ])('maxTokenAgeSeconds 300 at %s', async (_, extraMs, expected) => {
    const jwt = await signToken(rsa, claims({ iat: T, exp: T + 3600 }));
    const now = new Date((T + 300 + 60) * 1000 + extraMs);
    expect(reasonOf(await verify(jwt, { ...config, maxTokenAgeSeconds: 300 }, now))).toBe(expected);
  });

  it('uses clockSkewSeconds from the config', async () => {
    const jwt = await signToken(rsa, claims({ exp: T }));
    expect(reasonOf(await verify(jwt, { ...config, clockSkewSeconds: 0 }, new Date(T * 1000 - 1)))).toBe('ok');
    expect(reasonOf(await verify(jwt, { ...config, clockSkewSeconds: 0 }, new Date(T * 1000)))).toBe('stale_document');
  });
});
