import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifyGcpIdentityToken } from '../../../src/attest/gcp/index.js';
import { createStaticKeySource } from '../../../src/attest/jwks/index.js';
import { fuzzRuns } from '../../fuzz/settings.js';
import { anyInput, mutate, mutations } from '../oidc/mutations.js';
import { GCP_VECTORS, insideValidity } from './vectors.js';

const RUNS = fuzzRuns();

const allGoogleKeys = createStaticKeySource({ keys: GCP_VECTORS.flatMap((vector) => vector.jwks.keys) });

describe('GCP verifier properties', () => {
  it('arbitrary input never throws and never verifies', async () => {
    const vector = GCP_VECTORS[0];
    await fc.assert(
      fc.asyncProperty(anyInput, async (input) => {
        const result = await verifyGcpIdentityToken(input as string, { audience: vector.aud, keys: allGoogleKeys, now: insideValidity(vector) });
        expect(result.ok).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('every mutation of a real Google token fails (clock pinned inside its validity, real aud), without throwing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...GCP_VECTORS), mutations, async (vector, changes) => {
        const mutated = changes.reduce(mutate, vector.token);
        fc.pre(mutated !== vector.token);
        const result = await verifyGcpIdentityToken(mutated, { audience: vector.aud, keys: allGoogleKeys, now: insideValidity(vector) });
        expect(result.ok).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });
});
