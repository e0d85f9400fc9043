import { describe, it } from 'vitest';
import { createAzureTrustStore } from '../../../src/attest/azure/index.js';
import { AZURE_HISTORIC_CERTIFICATES } from '../../../src/attest/azure/historic-certificates.generated.js';
import { propertyAzureArbitraryBodiesFail, propertyAzureContentParserNeverThrows, propertyAzureMutatedVectorFails } from './fuzz-properties.js';
import { fuzzRuns } from '../../fuzz/settings.js';
import { AZURE_VECTORS, derOf } from './fixtures.js';

/** `npm test`: 1000 runs of each property with a fixed seed; `npm run fuzz`: FUZZ_RUNS, a fresh seed (test/fuzz/settings.ts). */
const RUNS = fuzzRuns();
/** With the historic CAs, so each real vector verifies unmutated at its pin (its mutations are what must fail). */
const trust = createAzureTrustStore({ historic: AZURE_HISTORIC_CERTIFICATES });

describe('Azure verifier properties (fast-check)', () => {
  it(`arbitrary bodies never throw and never verify (${RUNS} runs)`, async () => {
    await propertyAzureArbitraryBodiesFail(RUNS, new Date(AZURE_VECTORS[2]!.pin), trust);
  });

  it.each(AZURE_VECTORS.map((v) => [v.stem, v] as const))(`mutations of the real %s PKCS7 never verify (${RUNS} runs)`, async (_, vector) => {
    await propertyAzureMutatedVectorFails(RUNS, derOf(vector.stem), new Date(vector.pin), trust);
  });

  it(`the signed-content reader never throws (${RUNS} runs)`, async () => {
    await propertyAzureContentParserNeverThrows(RUNS);
  });
});
