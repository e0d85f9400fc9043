import { describe, expect, it } from 'vitest';
import { issuerConfigListSchema, parseIssuerConfig } from '../../../src/attest/oidc/index.js';

const rsaJwk = {
  kty: 'RSA',
  kid: 'k1',
  n: 'sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw',
  e: 'AQAB',
};
const valid = {
  issuer: 'https://token.actions.example.com',
  jwksUri: 'https://token.actions.example.com/.well-known/jwks',
  algorithms: ['RS256'],
  audience: 'https://join.example.com',
  identityClaim: 'sub',
};

describe('issuer configuration schema', () => {
  it.each([
    ['a JWKS URI issuer', valid],
    ['an inline JWKS issuer', { ...valid, jwksUri: undefined, jwks: { keys: [rsaJwk] } }],
    ['every asymmetric algorithm', { ...valid, algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] }],
    ['audience lists, a dotted identity path and time limits', { ...valid, audience: ['a', 'b'], identityClaim: 'google.compute_engine.instance_id', maxTokenAgeSeconds: 600, clockSkewSeconds: 0 }],
  ])('accepts %s', (_, input) => {
    expect(parseIssuerConfig(input)).toMatchObject({ ok: true });
  });

  it('returns the config as given', () => {
    expect(parseIssuerConfig(valid)).toEqual({ ok: true, config: valid });
  });

  it.each([
    ['HS256', { algorithms: ['RS256', 'HS256'] }, /^algorithms\[1\]: "HS256" is not an allowed algorithm; use one of RS256, .*"none" and HS\* are never accepted/],
    ['none', { algorithms: ['none'] }, /^algorithms\[0\]: "none" is not an allowed algorithm/],
    ['no algorithms', { algorithms: [] }, /^algorithms: list at least one algorithm$/],
    ['a repeated algorithm', { algorithms: ['RS256', 'RS256'] }, /^algorithms: lists an algorithm twice$/],
    ['an http JWKS URI', { jwksUri: 'http://token.actions.example.com/jwks' }, /^jwksUri: must be an https URL$/],
    ['both jwksUri and jwks', { jwks: { keys: [rsaJwk] } }, /^jwksUri: set exactly one of jwksUri or jwks$/],
    ['neither jwksUri nor jwks', { jwksUri: undefined }, /^jwksUri: set exactly one of jwksUri or jwks$/],
    ['an inline JWKS with only a symmetric key', { jwksUri: undefined, jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }, /^jwks: holds no usable public signature key \(keys\[0\]: unsupported kty oct\)$/],
    ['an inline JWKS that is not a set', { jwksUri: undefined, jwks: [rsaJwk] }, /^jwks: /],
    ['an empty issuer', { issuer: '' }, /^issuer: must not be empty$/],
    ['an issuer with a space', { issuer: 'https://a.example .com' }, /^issuer: must be printable ASCII without spaces$/],
    ['an empty audience list', { audience: [] }, /^audience: /],
    ['an empty audience', { audience: '' }, /^audience: /],
    ['an identity claim through __proto__', { identityClaim: '__proto__.polluted' }, /^identityClaim: must not use __proto__/],
    ['an identity claim with an empty segment', { identityClaim: 'a..b' }, /^identityClaim: must be a claim name or dotted path/],
    ['a clock skew over 300 s', { clockSkewSeconds: 301 }, /^clockSkewSeconds: must be at most 300$/],
    ['a fractional token age', { maxTokenAgeSeconds: 1.5 }, /^maxTokenAgeSeconds: must be a whole number of seconds$/],
    ['a misspelt field', { audiences: ['x'] }, /unknown field audiences/],
  ])('rejects %s with a field-named message', (_, change, message) => {
    const result = parseIssuerConfig({ ...valid, ...change });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.some((error) => message.test(error))).toBe(true);
  });

  it('rejects the same issuer twice in a list', () => {
    const result = issuerConfigListSchema.safeParse([valid, { ...valid, audience: 'other' }]);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: [1, 'issuer'], message: 'issuer configured twice' });
  });
});
