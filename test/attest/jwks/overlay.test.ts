/**
 * `withExtraKeys`: development keys beside an issuer's published set (JOIN_POLICY
 * `gcp.extraJwks`), chosen by `kid` alone; everything else goes to the published set unchanged.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createStaticKeySource, KeySourceConfigError, type KeyRequest, type KeySource } from '../../../src/attest/jwks/index.js';
import { withExtraKeys } from '../../../src/attest/jwks/overlay.js';
import { generateTestKey, jwksOf, type TestKey } from '../oidc/tokens.js';

let google: TestKey;
let dev: TestKey;
let asked: KeyRequest[];
let primary: KeySource;

beforeAll(async () => {
  [google, dev] = await Promise.all([generateTestKey('RS256', 'google-1'), generateTestKey('RS256', 'dev-1')]);
});

function spyOn(source: KeySource): KeySource {
  asked = [];
  return { resolveKey: (request) => (asked.push(request), source.resolveKey(request)) };
}

describe('withExtraKeys', () => {
  it.each([
    ['a kid of the extra set: the extra key, primary not asked', 'dev-1', { ok: true, kid: 'dev-1' }, 0],
    ['a kid of the primary set: the primary', 'google-1', { ok: true, kid: 'google-1' }, 1],
    ['an unknown kid: the primary decides (here unknown_signer)', 'nope', { ok: false, error: { reason: 'unknown_signer' } }, 1],
    ['no kid: the primary decides, never the extra set', undefined, { ok: true, kid: 'google-1' }, 1],
  ] as const)('%s', async (_, kid, expected, primaryCalls) => {
    primary = spyOn(createStaticKeySource(jwksOf(google)));
    const keys = withExtraKeys(primary, jwksOf(dev));
    expect(await keys.resolveKey({ alg: 'RS256', kid })).toMatchObject(expected);
    expect(asked).toHaveLength(primaryCalls);
  });

  it.each([
    ['a key without kid', () => ({ keys: [{ ...dev.jwk, kid: undefined }] })],
    ['two keys with one kid', () => ({ keys: [dev.jwk, { ...google.jwk, kid: 'dev-1' }] })],
    ['not a key set', () => ({ keys: 'x' })],
  ])('refuses %s at configuration time', (_, jwks) => {
    expect(() => withExtraKeys(createStaticKeySource(jwksOf(google)), jwks())).toThrow(KeySourceConfigError);
  });
});
