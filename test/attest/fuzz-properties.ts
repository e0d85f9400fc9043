/**
 * Properties of the attestation parsers over untrusted bytes, parameterised by run count so the
 * regular suite runs them briefly and `npm run fuzz` can run them long. Each property: the entry
 * point never throws, and hostile input never verifies.
 */
import fc from 'fast-check';
import { createAwsTrustStore, parseAwsJoinBody, verifyAwsIdentityDocument, type AwsTrustStore } from '../../src/attest/aws/index.js';
import { checkBerStructure, parseSignedData, verifySignedData, type SignerCertificate } from '../../src/attest/cms/index.js';

const NOW = new Date('2021-09-03T21:25:44Z');

/** Byte strings that look like BER often enough to get past the first checks. */
export const berish = (): fc.Arbitrary<Uint8Array> =>
  fc.oneof(
    fc.uint8Array({ maxLength: 2048 }),
    fc
      .array(fc.oneof(fc.constantFrom(0x30, 0x31, 0x80, 0xa0, 0x24, 0x04, 0x06, 0x02, 0x00, 0x81, 0x82, 0x84), fc.integer({ min: 0, max: 255 })), { maxLength: 512 })
      .map((a) => new Uint8Array(a)),
  );

/** 1–8 byte changes (each a real change) to a known-good input. */
export const mutationsOf = (original: Uint8Array): fc.Arbitrary<Uint8Array> =>
  fc
    .array(fc.record({ at: fc.nat({ max: original.length - 1 }), xor: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 8 })
    .map((edits) => {
      const copy = original.slice();
      for (const { at, xor } of edits) copy[at] = (copy[at] as number) ^ xor;
      return copy;
    })
    .filter((m) => m.some((b, i) => b !== original[i]));

/** The BER guard and the SignedData parser never throw on arbitrary bytes. */
export async function propertyCmsParsersNeverThrow(numRuns: number): Promise<void> {
  return fc.assert(
    fc.property(berish(), (bytes) => {
      checkBerStructure(bytes);
      const parsed = parseSignedData(bytes);
      return typeof parsed.ok === 'boolean';
    }),
    { numRuns },
  );
}

/** Arbitrary bytes and strings posted as an AWS join body never throw and never verify. */
export function propertyAwsArbitraryBodiesFail(numRuns: number, trust: AwsTrustStore = createAwsTrustStore()): Promise<void> {
  const bodies = fc.oneof(
    berish(),
    berish().map((b) => Buffer.from(b).toString('base64')),
    berish().map((b) => `-----BEGIN PKCS7-----\n${Buffer.from(b).toString('base64')}\n-----END PKCS7-----`),
    fc.string({ maxLength: 512 }),
    fc.json(),
    fc.record({ document: fc.string(), signature: fc.base64String() }).map((o) => JSON.stringify(o)),
    fc.record({ document: fc.string(), pkcs7: berish().map((b) => Buffer.from(b).toString('base64')) }).map((o) => JSON.stringify(o)),
  );
  return fc.assert(
    fc.asyncProperty(bodies, async (body) => {
      parseAwsJoinBody(body);
      const result = await verifyAwsIdentityDocument(body, trust, NOW);
      return result.ok === false;
    }),
    { numRuns },
  );
}

/**
 * Mutations of a real, verifying PKCS7 never throw and never verify: no byte of it, signed or
 * not, can be changed without the change being noticed.
 */
export function propertyAwsMutatedVectorFails(numRuns: number, der: Uint8Array, trust: AwsTrustStore = createAwsTrustStore()): Promise<void> {
  return fc.assert(
    fc.asyncProperty(mutationsOf(der), async (mutated) => {
      const result = await verifyAwsIdentityDocument(Buffer.from(mutated).toString('base64'), trust, NOW);
      return result.ok === false;
    }),
    { numRuns },
  );
}

/** Mutations of a real signature-form body (document and signature) never verify. */
export function propertyAwsMutatedSignatureFormFails(numRuns: number, document: string, signature: Uint8Array, trust: AwsTrustStore = createAwsTrustStore()): Promise<void> {
  const documentBytes = new TextEncoder().encode(document);
  return fc.assert(
    fc.asyncProperty(fc.oneof(mutationsOf(documentBytes).map((d) => [d, signature] as const), mutationsOf(signature).map((s) => [documentBytes, s] as const)), async ([d, s]) => {
      const body = JSON.stringify({ document: new TextDecoder().decode(d), signature: Buffer.from(s).toString('base64') });
      const result = await verifyAwsIdentityDocument(body, trust, NOW);
      // A mutation that is not valid UTF-8 decodes to U+FFFD, which changes the bytes too.
      return result.ok === false;
    }),
    { numRuns },
  );
}

/** Mutations of a real PKCS7 through the generic CMS verifier never throw and never verify. */
export function propertyCmsMutatedVectorFails(numRuns: number, der: Uint8Array, signers: readonly SignerCertificate[]): Promise<void> {
  return fc.assert(
    fc.asyncProperty(mutationsOf(der), async (mutated) => {
      const parsed = parseSignedData(mutated);
      if (!parsed.ok) return true;
      const verified = await verifySignedData(parsed.value, { signers: { kind: 'trusted', signers } });
      return verified.ok === false;
    }),
    { numRuns },
  );
}
