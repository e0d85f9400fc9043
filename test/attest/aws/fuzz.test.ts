import { describe, it } from 'vitest';
import { createAwsTrustStore } from '../../../src/attest/aws/index.js';
import {
  propertyAwsArbitraryBodiesFail,
  propertyAwsMutatedSignatureFormFails,
  propertyAwsMutatedVectorFails,
} from '../fuzz-properties.js';
import { fuzzRuns } from '../../fuzz/settings.js';
import { derOf, fixtureText } from './fixtures.js';

const RUNS = fuzzRuns();
const trust = createAwsTrustStore();

describe('AWS verifier properties (fast-check)', () => {
  it(`arbitrary bodies never throw and never verify (${RUNS} runs)`, async () => {
    await propertyAwsArbitraryBodiesFail(RUNS, trust);
  });

  it.each(['cloudinit-2018-us-east-2', 'teleport-2021-us-west-2', 'teleport-2021-us-west-1'])(`mutations of the real %s PKCS7 never verify (${RUNS} runs)`, async (stem) => {
    await propertyAwsMutatedVectorFails(RUNS, derOf(`${stem}.rsa2048`), trust);
  });

  it(`mutations of the real coder signature-form body never verify (${RUNS} runs)`, async () => {
    const signature = new Uint8Array(Buffer.from(fixtureText('coder-2022-us-east-1.signature').replace(/\s+/g, ''), 'base64'));
    await propertyAwsMutatedSignatureFormFails(RUNS, fixtureText('coder-2022-us-east-1.document.json'), signature, trust);
  });
});
