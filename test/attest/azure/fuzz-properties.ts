/**
 * Properties of the Azure verifier over untrusted bytes, parameterised by run count so
 * `npm test` runs them briefly and `npm run fuzz` long. Each: the entry point never throws, and
 * hostile input never verifies.
 */
import fc from 'fast-check';
import { createAzureTrustStore, parseAzureBody, parseAzureContent, verifyAzureAttestedDocument, type AzureTrustStore } from '../../../src/attest/azure/index.js';
import { AZURE_HISTORIC_CERTIFICATES } from '../../../src/attest/azure/historic-certificates.generated.js';
import { berish, mutationsOf } from '../fuzz-properties.js';

/** Every shipped CA, historic included: the 2022–2024 vectors verify unmutated only with them. */
const everyShippedCa = (): AzureTrustStore => createAzureTrustStore({ historic: AZURE_HISTORIC_CERTIFICATES });

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** Arbitrary bodies — bytes, text, JSON, IMDS-shaped JSON around arbitrary bytes — never throw and never verify. */
export function propertyAzureArbitraryBodiesFail(numRuns: number, now: Date, trust: AzureTrustStore = everyShippedCa()): Promise<void> {
  const bodies = fc.oneof(
    berish(),
    fc.string({ maxLength: 512 }),
    fc.json(),
    berish().map((b) => JSON.stringify({ encoding: 'pkcs7', signature: base64(b) })),
    fc.record({ encoding: fc.oneof(fc.constant('pkcs7'), fc.string()), signature: fc.oneof(fc.base64String(), fc.string(), fc.integer()) }).map((o) => JSON.stringify(o)),
    fc.dictionary(fc.string(), fc.jsonValue()).map((o) => JSON.stringify(o)),
  );
  return fc.assert(
    fc.asyncProperty(bodies, async (body) => {
      parseAzureBody(body);
      const result = await verifyAzureAttestedDocument(body, { now, trust });
      return result.ok === false;
    }),
    { numRuns },
  );
}

/** 1–8 byte changes anywhere in a real, verifying PKCS7 never throw and never verify. */
export function propertyAzureMutatedVectorFails(numRuns: number, der: Uint8Array, now: Date, trust: AzureTrustStore = everyShippedCa()): Promise<void> {
  return fc.assert(
    fc.asyncProperty(mutationsOf(der), async (mutated) => {
      const result = await verifyAzureAttestedDocument(JSON.stringify({ encoding: 'pkcs7', signature: base64(mutated) }), { now, trust });
      return result.ok === false;
    }),
    { numRuns },
  );
}

/** The signed-content reader never throws on arbitrary bytes or JSON. */
export function propertyAzureContentParserNeverThrows(numRuns: number): Promise<void> {
  const inputs = fc.oneof(
    fc.uint8Array({ maxLength: 1024 }),
    fc.json().map((t) => new TextEncoder().encode(t)),
    fc
      .record({ nonce: fc.jsonValue(), subscriptionId: fc.jsonValue(), vmId: fc.jsonValue(), timeStamp: fc.oneof(fc.jsonValue(), fc.record({ createdOn: fc.string(), expiresOn: fc.string() })), plan: fc.jsonValue(), sku: fc.jsonValue() })
      .map((o) => new TextEncoder().encode(JSON.stringify(o))),
  );
  return fc.assert(
    fc.asyncProperty(inputs, async (bytes) => typeof parseAzureContent(bytes).ok === 'boolean'),
    { numRuns },
  );
}
