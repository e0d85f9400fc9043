import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { decodeBase64, parseCertificatesPem } from '../../../src/attest/cms/index.js';
import { fuzzRuns } from '../../fuzz/settings.js';
import { propertyCmsMutatedVectorFails, propertyCmsParsersNeverThrow } from '../fuzz-properties.js';

const RUNS = fuzzRuns();
const FIXTURES = new URL('../../fixtures/aws/', import.meta.url);

describe('CMS parser properties (fast-check)', () => {
  it(`the BER guard and SignedData parser never throw (${RUNS} runs)`, async () => {
    await propertyCmsParsersNeverThrow(RUNS);
  });

  it(`mutations of a real PKCS7 never verify through the generic verifier (${RUNS} runs)`, async () => {
    const der = decodeBase64(readFileSync(new URL('teleport-2021-us-west-1.rsa2048', FIXTURES), 'utf8')) as Uint8Array;
    const certs = parseCertificatesPem(readFileSync(new URL('certs/rsa2048/us-west-1.pem', FIXTURES), 'utf8'));
    if (!certs.ok) throw new Error(certs.error.detail);
    await propertyCmsMutatedVectorFails(RUNS, der, certs.value);
  });
});
