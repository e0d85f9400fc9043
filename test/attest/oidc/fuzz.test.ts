import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createStaticKeySource, type KeySource } from '../../../src/attest/jwks/index.js';
import { parseJwt, verifyOidcToken, type IssuerConfig } from '../../../src/attest/oidc/index.js';
import { fuzzRuns } from '../../fuzz/settings.js';
import { anyInput, mutate, mutations } from './mutations.js';
import { generateTestKey, jwksOf, seconds, signToken } from './tokens.js';

const RUNS = fuzzRuns();

const NOW = new Date('2026-03-01T12:00:00Z');
const config: IssuerConfig = { issuer: 'https://ci.example.com', jwksUri: 'https://ci.example.com/jwks', algorithms: ['RS256', 'ES256'], audience: 'broker', identityClaim: 'sub' };
let keys: KeySource;
let valid: string[];

beforeAll(async () => {
  const [rsa, ec] = await Promise.all([generateTestKey('RS256', 'rsa'), generateTestKey('ES256', 'ec')]);
  keys = createStaticKeySource(jwksOf(rsa, ec));
  const claims = { iss: config.issuer, aud: 'broker', sub: 'node-1', iat: seconds(NOW), exp: seconds(NOW) + 60 };
  valid = [await signToken(rsa, claims), await signToken(ec, claims)];
});

describe('OIDC verifier properties', () => {
  it('the untrusted-input parser never throws', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const parsed = parseJwt(input);
        expect(typeof parsed.ok).toBe('boolean');
      }),
      { numRuns: RUNS },
    );
  });

  it('arbitrary input never throws and never verifies', async () => {
    await fc.assert(
      fc.asyncProperty(anyInput, async (input) => {
        const result = await verifyOidcToken(input as string, config, { keys, now: NOW });
        expect(result.ok).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('every mutation of a valid token fails, without throwing', async () => {
    expect(await verifyOidcToken(valid[0]!, config, { keys, now: NOW })).toMatchObject({ ok: true });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(0, 1), mutations, async (which, changes) => {
        const original = valid[which]!;
        const mutated = changes.reduce(mutate, original);
        fc.pre(mutated !== original);
        const result = await verifyOidcToken(mutated, config, { keys, now: NOW });
        expect(result.ok).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });
});
