import { beforeAll, describe, expect, it } from 'vitest';
import { createStaticKeySource, KeySourceConfigError, type KeySource } from '../../../src/attest/jwks/index.js';
import { generateTestKey, jwksOf, type TestKey } from '../oidc/tokens.js';

let rsaA: TestKey;
let rsaB: TestKey;
let ec: TestKey;
let unpinned: TestKey;

beforeAll(async () => {
  [rsaA, rsaB, ec, unpinned] = await Promise.all([
    generateTestKey('RS256', 'rsa-a'),
    generateTestKey('RS256', 'rsa-b'),
    generateTestKey('ES256', 'ec-1'),
    generateTestKey('RS256', 'unpinned', { pinAlg: false }),
  ]);
});

describe('createStaticKeySource: choosing the one key a token names', () => {
  it('returns the key named by kid', async () => {
    const keys = createStaticKeySource(jwksOf(rsaA, rsaB, ec));
    const result = await keys.resolveKey({ alg: 'RS256', kid: 'rsa-b' });
    expect(result).toMatchObject({ ok: true, kid: 'rsa-b' });
    expect(result.ok && result.key.type).toBe('public');
  });

  it('reuses the imported CryptoKey for the same key and alg', async () => {
    const keys = createStaticKeySource(jwksOf(rsaA));
    const first = await keys.resolveKey({ alg: 'RS256', kid: 'rsa-a' });
    const second = await keys.resolveKey({ alg: 'RS256', kid: 'rsa-a' });
    expect(first.ok && second.ok && first.key === second.key).toBe(true);
  });

  it('uses the only key when the token has no kid', async () => {
    expect(await createStaticKeySource(jwksOf(rsaA)).resolveKey({ alg: 'RS256', kid: undefined })).toMatchObject({ ok: true, kid: 'rsa-a' });
  });

  it('lets a key without its own alg verify any algorithm of its type', async () => {
    const keys = createStaticKeySource(jwksOf(unpinned));
    expect(await keys.resolveKey({ alg: 'PS256', kid: 'unpinned' })).toMatchObject({ ok: true });
  });

  const cases: [string, () => KeySource, Parameters<KeySource['resolveKey']>[0], string, RegExp][] = [
    ['an unknown kid', () => createStaticKeySource(jwksOf(rsaA, rsaB)), { alg: 'RS256', kid: 'rsa-c' }, 'unknown_signer', /no key with kid "rsa-c"/],
    ['no kid with two keys (never try-all-keys)', () => createStaticKeySource(jwksOf(rsaA, rsaB)), { alg: 'RS256', kid: undefined }, 'unknown_signer', /no kid and the key set holds 2 keys/],
    ['a kid shared by two keys', () => createStaticKeySource({ keys: [rsaA.jwk, { ...rsaB.jwk, kid: 'rsa-a' }] }), { alg: 'RS256', kid: 'rsa-a' }, 'unknown_signer', /names 2 keys/],
    ['an EC kid asked for RS256', () => createStaticKeySource(jwksOf(rsaA, ec)), { alg: 'RS256', kid: 'ec-1' }, 'invalid_signature', /cannot verify RS256/],
    ['an RSA kid asked for ES256', () => createStaticKeySource(jwksOf(rsaA, ec)), { alg: 'ES256', kid: 'rsa-a' }, 'invalid_signature', /cannot verify ES256/],
    ['a key pinned to RS256 asked for PS256', () => createStaticKeySource(jwksOf(rsaA)), { alg: 'PS256', kid: 'rsa-a' }, 'invalid_signature', /cannot verify PS256/],
    ['an RSA key under 2048 bits', () => createStaticKeySource({ keys: [{ kty: 'RSA', kid: 'weak', n: 'AQAB', e: 'AQAB' }] }), { alg: 'RS256', kid: 'weak' }, 'unknown_signer', /at least 2048 are required/],
    ['an EC point that is not on the curve', () => createStaticKeySource({ keys: [{ ...ec.jwk, kid: 'bad-point', x: 'AAAA', y: 'AAAA' }] }), { alg: 'ES256', kid: 'bad-point' }, 'unknown_signer', /could not be imported/],
  ];
  it.each(cases)('rejects %s', async (_, source, request, reason, detail) => {
    const result = await source().resolveKey(request);
    expect(result).toMatchObject({ ok: false, error: { reason } });
    expect(!result.ok && result.error.detail).toMatch(detail);
  });

  it.each([
    ['not a key set', { kid: 'x' }],
    ['only a symmetric key', { keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' }] }],
    ['an empty set', { keys: [] }],
  ])('refuses to be created from %s', (_, jwks) => {
    expect(() => createStaticKeySource(jwks)).toThrow(expect.objectContaining({ name: 'KeySourceConfigError', code: 'invalid_jwks' }));
    expect(() => createStaticKeySource(jwks)).toThrow(KeySourceConfigError);
  });
});
