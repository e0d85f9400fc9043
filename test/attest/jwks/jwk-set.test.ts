import { describe, expect, it } from 'vitest';
import { MAX_JWKS_KEYS, parseJwkSet } from '../../../src/attest/jwks/jwk-set.js';

const rsa = { kty: 'RSA', kid: 'r1', n: 'sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw', e: 'AQAB' };
const ec = { kty: 'EC', kid: 'e1', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' };
const okp = { kty: 'OKP', kid: 'o1', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };

describe('parseJwkSet', () => {
  it('keeps public RSA, EC and OKP signature keys with only their public parameters', () => {
    const parsed = parseJwkSet({ keys: [{ ...rsa, alg: 'RS256', use: 'sig', x5c: ['ignored'] }, ec, okp] });
    expect(parsed).toEqual({
      ok: true,
      skipped: [],
      keys: [
        { kid: 'r1', kty: 'RSA', crv: undefined, alg: 'RS256', jwk: { kty: 'RSA', n: rsa.n, e: 'AQAB' } },
        { kid: 'e1', kty: 'EC', crv: 'P-256', alg: undefined, jwk: { kty: 'EC', crv: 'P-256', x: ec.x, y: ec.y } },
        { kid: 'o1', kty: 'OKP', crv: 'Ed25519', alg: undefined, jwk: { kty: 'OKP', crv: 'Ed25519', x: okp.x } },
      ],
    });
  });

  it.each([
    ['a symmetric key', { kty: 'oct', k: 'c2VjcmV0' }, 'unsupported kty oct'],
    ['an RSA private key', { ...rsa, d: 'AQAB' }, 'carries private key material'],
    ['an OKP private key', { ...okp, d: 'AQAB' }, 'carries private key material'],
    ['an encryption key', { ...rsa, use: 'enc' }, 'not a signature key (use)'],
    ['key_ops without verify', { ...rsa, key_ops: ['encrypt'] }, 'not a verification key (key_ops)'],
    ['an empty kid', { ...rsa, kid: '' }, 'invalid kid'],
    ['a numeric kid', { ...rsa, kid: 7 }, 'invalid kid'],
    ['an RSA key without e', { kty: 'RSA', n: rsa.n }, 'RSA key without valid n/e'],
    ['a non-base64url modulus', { ...rsa, n: 'a+b/' }, 'RSA key without valid n/e'],
    ['a secp256k1 key', { ...ec, crv: 'secp256k1' }, 'unsupported EC curve'],
    ['an Ed448 key', { ...okp, crv: 'Ed448' }, 'unsupported OKP curve'],
    ['a string entry', 'RSA', 'not an object'],
  ])('skips %s', (_, entry, why) => {
    expect(parseJwkSet({ keys: [entry, rsa] })).toMatchObject({ ok: true, skipped: [`keys[0]: ${why}`], keys: [{ kid: 'r1' }] });
  });

  it.each([
    ['null', null],
    ['an array', [rsa]],
    ['an object without keys', { key: [rsa] }],
    ['keys that is not an array', { keys: { 0: rsa } }],
    [`more than ${MAX_JWKS_KEYS} keys`, { keys: Array.from({ length: MAX_JWKS_KEYS + 1 }, () => rsa) }],
  ])('rejects %s', (_, document) => {
    expect(parseJwkSet(document)).toMatchObject({ ok: false });
  });
});
