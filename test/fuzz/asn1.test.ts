/**
 * Structure-aware fuzzing of the BER guard and the CMS/X.509 parsers. The byte-level properties in
 * test/attest/fuzz-properties.ts mostly die at the first length octet; these build well-formed
 * TLV trees (short, long, non-minimal and indefinite lengths, high tag numbers, deep nesting) so
 * the guard has an exact oracle, then corrupt them, and finally hang random subtrees inside a
 * SignedData skeleton so parseSignedData gets past ContentInfo into every field it reads.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkBerStructure, DEFAULT_BER_LIMITS, parseCertificate, parseSignedData, verifySignedData, type SignerCertificate } from '../../src/attest/cms/index.js';
import { mutationsOf } from '../attest/fuzz-properties.js';
import { concat, derOid, OID, tlv } from '../attest/cms/craft.js';
import { fuzzRuns } from './settings.js';

/** One BER element as generated: enough freedom to reach every branch of the guard. */
interface Element {
  readonly tagClass: 0 | 1 | 2 | 3;
  readonly tagNumber: number;
  /** Extra leading zero octets in a long-form length (BER allows them; the guard allows ≤ 4 octets in all). */
  readonly lengthPadding: number;
  readonly body: { readonly kind: 'primitive'; readonly content: Uint8Array } | { readonly kind: 'constructed'; readonly indefinite: boolean; readonly children: readonly Element[] };
}

function identifierOctets(element: Element): number[] {
  const first = (element.tagClass << 6) | (element.body.kind === 'constructed' ? 0x20 : 0);
  if (element.tagNumber < 31) return [first | element.tagNumber];
  const base128: number[] = [element.tagNumber & 0x7f];
  for (let v = element.tagNumber >>> 7; v > 0; v >>>= 7) base128.unshift(0x80 | (v & 0x7f));
  return [first | 0x1f, ...base128];
}

function lengthOctets(length: number, padding: number): number[] {
  if (length < 0x80 && padding === 0) return [length];
  const octets: number[] = [];
  for (let v = length; v > 0; v = Math.floor(v / 256)) octets.unshift(v % 256);
  for (let i = 0; i < padding; i++) octets.unshift(0);
  if (octets.length === 0) octets.push(0);
  return [0x80 | octets.length, ...octets];
}

function encode(element: Element): Uint8Array {
  const id = identifierOctets(element);
  if (element.body.kind === 'primitive') return concat(new Uint8Array([...id, ...lengthOctets(element.body.content.length, element.lengthPadding)]), element.body.content);
  const inner = concat(...element.body.children.map(encode));
  if (element.body.indefinite) return concat(new Uint8Array([...id, 0x80]), inner, new Uint8Array([0, 0]));
  return concat(new Uint8Array([...id, ...lengthOctets(inner.length, element.lengthPadding)]), inner);
}

/** Nesting of constructed elements, as the guard counts it. */
const depthOf = (element: Element): number =>
  element.body.kind === 'primitive' ? 0 : 1 + Math.max(0, ...element.body.children.map(depthOf));
const countOf = (element: Element): number =>
  element.body.kind === 'primitive' ? 1 : 1 + element.body.children.reduce((n, child) => n + countOf(child), 0);

const tagClass = fc.constantFrom<0 | 1 | 2 | 3>(0, 0, 2, 1, 3);
// Universal tag 0 is end-of-contents: never a real element.
const tagNumber = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 30 }) }, { weight: 1, arbitrary: fc.integer({ min: 31, max: 2 ** 28 - 1 }) });
const lengthPadding = fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 }) });

const { element: elementArbitrary } = fc.letrec<{ element: Element }>((tie) => ({
  element: fc.record({
    tagClass,
    tagNumber,
    lengthPadding,
    body: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.record({ kind: fc.constant('primitive' as const), content: fc.uint8Array({ maxLength: 300 }) }),
      fc.record({ kind: fc.constant('constructed' as const), indefinite: fc.boolean(), children: fc.array(tie('element'), { maxLength: 5 }) }),
    ),
  }),
}));

/** A chain of constructed elements around one primitive, to probe the depth limit from both sides. */
const deepChain = fc
  .record({ depth: fc.integer({ min: 1, max: DEFAULT_BER_LIMITS.maxDepth + 16 }), indefinite: fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }) })
  .map(({ depth, indefinite }) => {
    let element: Element = { tagClass: 0, tagNumber: 5, lengthPadding: 0, body: { kind: 'primitive', content: new Uint8Array() } };
    for (let i = 0; i < depth; i++) element = { tagClass: 0, tagNumber: 16, lengthPadding: 0, body: { kind: 'constructed', indefinite: indefinite[i % 64]!, children: [element] } };
    return element;
  });

const wellFormed = fc.oneof({ weight: 4, arbitrary: elementArbitrary }, { weight: 1, arbitrary: deepChain });

/** Corruptions with an exact expected verdict: truncation and trailing bytes always break one TLV. */
const corrupted = wellFormed.chain((element) => {
  const bytes = encode(element);
  return fc.oneof(
    fc.nat({ max: bytes.length - 1 }).map((cut) => ({ bytes: bytes.slice(0, cut), surelyInvalid: true })),
    fc.uint8Array({ minLength: 1, maxLength: 8 }).map((tail) => ({ bytes: concat(bytes, tail), surelyInvalid: true })),
    mutationsOf(bytes).map((mutated) => ({ bytes: mutated, surelyInvalid: false })),
    // A huge declared length (the "4 GiB" trick) written over the outermost length octets.
    fc.constantFrom(0x84, 0x83, 0x85, 0x88).map((lead) => {
      const idLength = identifierOctets(element).length;
      const out = bytes.slice();
      out.set([lead, 0xff, 0xff, 0xff, 0xff].slice(0, Math.max(0, Math.min(5, out.length - idLength))), idLength);
      return { bytes: out, surelyInvalid: false };
    }),
  );
});

const FIXTURES = new URL('../fixtures/aws/', import.meta.url);
const certificateDer = (path: string) => new Uint8Array(Buffer.from(readFileSync(new URL(path, FIXTURES), 'utf8').replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64'));
const REAL_CERTIFICATES = ['certs/rsa2048/us-west-2.pem', 'certs/aws-rsa1024-legacy-ec2.amazonaws.com-exp2024.pem', 'certs/aws-dsa-pkcs7-default.pem'].map(certificateDer);

/** A SignedData skeleton whose every field is either plausible or a random subtree. */
const anyElement = elementArbitrary.map(encode);
// Mostly plausible, so that about half the skeletons parse and reach the verifier.
const either = (plausible: Uint8Array): fc.Arbitrary<Uint8Array> => fc.oneof({ weight: 15, arbitrary: fc.constant(plausible) }, { weight: 1, arbitrary: anyElement });
/** Present one time in `1 + absentWeight`. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>, absentWeight = 4): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: absentWeight, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
const algorithm = (oid: string) => tlv(0x30, derOid(oid), new Uint8Array([0x05, 0x00]));
const content = new TextEncoder().encode('{"accountId":"123456789012"}');
const signedDataShaped = fc
  .record({
    version: either(new Uint8Array([0x02, 0x01, 0x01])),
    digestAlgorithms: either(tlv(0x31, algorithm(OID.sha256))),
    encapsulated: either(tlv(0x30, derOid(OID.data), tlv(0xa0, tlv(0x04, content)))),
    certificates: sometimes(fc.array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...REAL_CERTIFICATES) }, { weight: 1, arbitrary: anyElement }), { minLength: 1, maxLength: 2 }).map((certs) => tlv(0xa0, ...certs)), 1),
    signerVersion: either(new Uint8Array([0x02, 0x01, 0x01])),
    sid: either(tlv(0x30, tlv(0x30, tlv(0x31, tlv(0x30, derOid('2.5.4.3'), tlv(0x0c, new TextEncoder().encode('signer'))))), new Uint8Array([0x02, 0x01, 0x07]))),
    digestAlgorithm: either(algorithm(OID.sha256)),
    signedAttributes: sometimes(
      fc.tuple(
        either(tlv(0x30, derOid(OID.contentType), tlv(0x31, derOid(OID.data)))),
        either(tlv(0x30, derOid(OID.messageDigest), tlv(0x31, tlv(0x04, new Uint8Array(createHash('sha256').update(content).digest()))))),
        sometimes(anyElement),
      ).map(([contentType, digest, extra]) => tlv(0xa0, contentType, digest, ...(extra ? [extra] : []))),
      1,
    ),
    signatureAlgorithm: either(algorithm(OID.rsaEncryption)),
    signature: either(tlv(0x04, new Uint8Array(256).fill(0x5a))),
    extraSignerInfo: sometimes(anyElement, 8),
  })
  .map((f) => {
    const signerInfo = tlv(0x30, f.signerVersion, f.sid, f.digestAlgorithm, ...(f.signedAttributes ? [f.signedAttributes] : []), f.signatureAlgorithm, f.signature);
    const signedData = tlv(0x30, f.version, f.digestAlgorithms, f.encapsulated, ...(f.certificates ? [f.certificates] : []), tlv(0x31, signerInfo, ...(f.extraSignerInfo ? [f.extraSignerInfo] : [])));
    return tlv(0x30, derOid(OID.signedData), tlv(0xa0, signedData));
  });


describe('ASN.1 / BER under structure-aware fuzzing', () => {
  it(`the guard accepts every well-formed tree within its limits and refuses every deeper one (${fuzzRuns()} runs)`, () => {
    fc.assert(
      fc.property(wellFormed, (element) => {
        const bytes = encode(element);
        const withinLimits = depthOf(element) <= DEFAULT_BER_LIMITS.maxDepth && countOf(element) <= DEFAULT_BER_LIMITS.maxElements && bytes.length <= DEFAULT_BER_LIMITS.maxBytes;
        expect(checkBerStructure(bytes).ok).toBe(withinLimits);
        expect(typeof parseSignedData(bytes).ok).toBe('boolean');
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it(`truncated, extended, mutated and huge-length trees never throw; truncation and trailing bytes are always refused (${fuzzRuns()} runs)`, () => {
    fc.assert(
      fc.property(corrupted, ({ bytes, surelyInvalid }) => {
        const guard = checkBerStructure(bytes);
        if (surelyInvalid) expect(guard.ok).toBe(false);
        expect(typeof parseSignedData(bytes).ok).toBe('boolean');
        expect(typeof parseCertificate(bytes).ok).toBe('boolean');
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it(`SignedData skeletons with random fields parse to a value and never verify (${fuzzRuns()} runs)`, async () => {
    const signers = REAL_CERTIFICATES.map((der) => parseCertificate(der)).flatMap((r) => (r.ok ? [r.value as SignerCertificate] : []));
    expect(signers.length).toBeGreaterThan(0);
    await fc.assert(
      fc.asyncProperty(signedDataShaped, async (bytes) => {
        const parsed = parseSignedData(bytes);
        if (!parsed.ok) return;
        const verified = await verifySignedData(parsed.value, { signers: { kind: 'trusted', signers } });
        expect(verified.ok).toBe(false);
        // With embedded certificates (the Azure path) the random certificates are parsed too.
        expect((await verifySignedData(parsed.value, { signers: { kind: 'embedded' } })).ok).toBe(false);
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it(`mutated real certificates never make the X.509 parser throw (${fuzzRuns()} runs)`, () => {
    fc.assert(
      fc.property(fc.constantFrom(...REAL_CERTIFICATES).chain(mutationsOf), (bytes) => {
        expect(typeof parseCertificate(bytes).ok).toBe('boolean');
      }),
      { numRuns: fuzzRuns() },
    );
  });
});
