import { readFileSync } from 'node:fs';
import { SignedData } from '@peculiar/asn1-cms';
import { AsnParser } from '@peculiar/asn1-schema';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asn1ParseOptions, DEFAULT_BER_LIMITS } from '../../../src/attest/cms/ber-guard.js';
import { checkBerStructure, decodeBase64, decodePem } from '../../../src/attest/cms/index.js';
import { readMinimalSignedData, type TypedSignedDataFields } from '../../../src/attest/cms/minimal-signed-data.js';
import { childrenOf, elementBytes, isContext, isUniversal, readTlv, UNIVERSAL, type Tlv } from '../../../src/attest/cms/tlv.js';
import { fuzzRuns } from '../../fuzz/settings.js';
import { mutationsOf } from '../fuzz-properties.js';
import { attribute, craftSignedData, derOid, OID } from './craft.js';
import { createPki, type Pki } from './pki.js';

/**
 * readMinimalSignedData's contract: whenever it answers, asn1-cms parses the same SignedData and
 * decodes the same fields; it may decline anything (then parseSignedData asks asn1-cms itself).
 * Checked on real AWS documents, openssl- and asn1-cms-made SignedData, and their mutations.
 */
const RUNS = fuzzRuns();
const FIXTURES = new URL('../../fixtures/aws/', import.meta.url);
const AWS = ['cloudinit-2018-us-east-2', 'teleport-2021-us-west-1', 'teleport-2021-us-west-2'].map(
  (stem) => [stem, decodeBase64(readFileSync(new URL(`${stem}.rsa2048`, FIXTURES), 'utf8')) as Uint8Array] as const,
);

/** The SignedData element of a ContentInfo, as parseSignedData finds it; undefined where it stops earlier. */
function signedDataOf(bytes: Uint8Array): Tlv | undefined {
  if (!checkBerStructure(bytes).ok) return undefined;
  const root = readTlv(bytes, 0);
  const outer = isUniversal(root, UNIVERSAL.sequence) ? childrenOf(bytes, root) : undefined;
  if (outer?.length !== 2 || !isContext(outer[1], 0)) return undefined;
  const inner = childrenOf(bytes, outer[1] as Tlv);
  return inner?.length === 1 && isUniversal(inner[0], UNIVERSAL.sequence) ? inner[0] : undefined;
}

const asn1CmsFields = (bytes: Uint8Array, sd: Tlv): TypedSignedDataFields | 'throws' => {
  try {
    const typed = AsnParser.parse(elementBytes(bytes, sd).slice(), SignedData, asn1ParseOptions(DEFAULT_BER_LIMITS));
    return {
      version: typed.version,
      encapContentInfo: { eContentType: typed.encapContentInfo.eContentType },
      digestAlgorithms: typed.digestAlgorithms.map((a) => ({ algorithm: a.algorithm })),
      signerInfos: typed.signerInfos.map((s) => ({ version: s.version, digestAlgorithm: { algorithm: s.digestAlgorithm.algorithm }, signatureAlgorithm: { algorithm: s.signatureAlgorithm.algorithm } })),
    };
  } catch {
    return 'throws';
  }
};

/** true when readMinimalSignedData answered (and agreed with asn1-cms), false when it declined. */
const agreesWithAsn1Cms = (bytes: Uint8Array): boolean => {
  const sd = signedDataOf(bytes);
  if (sd === undefined) return false;
  const minimal = readMinimalSignedData(bytes, sd);
  if (minimal === undefined) return false;
  expect(asn1CmsFields(bytes, sd)).toEqual(minimal);
  return true;
};

let pki: Pki;
const made: [string, Uint8Array][] = [];
beforeAll(() => {
  pki = createPki();
  const signer = pki.signer('minimal', { subject: '/C=US/ST=Washington State/L=Seattle/O=Example LLC/CN=signer', serial: '0x5eed' });
  const content = new TextEncoder().encode('{"region":"eu-west-1","accountId":"123456789012"}');
  const pem = (text: string) => decodePem(text, ['CMS', 'PKCS7'])!.der;
  made.push(['openssl cms', pem(pki.cmsSign(signer, content))]);
  made.push(['openssl cms -noattr', pem(pki.cmsSign(signer, content, { noattr: true }))]);
  made.push(['openssl cms -keyid', pem(pki.cmsSign(signer, content, { keyid: true }))]);
  made.push(['openssl cms -md sha512', pem(pki.cmsSign(signer, content, { md: 'sha512' }))]);
  const craft = (options: Parameters<typeof craftSignedData>[0]) => craftSignedData(options);
  made.push(['asn1-cms, subjectKeyIdentifier', craft({ content, key: signer.key, cert: signer.certDer, sid: 'subjectKeyIdentifier' })]);
  made.push(['asn1-cms, no signed attributes', craft({ content, key: signer.key, cert: signer.certDer, attributes: null })]);
  made.push(['asn1-cms, an extra attribute', craft({ content, key: signer.key, cert: signer.certDer, attributes: (d) => [...d, attribute(OID.tstInfo, derOid(OID.data))] })]);
  made.push(['asn1-cms, embedded certificate', craft({ content, key: signer.key, cert: signer.certDer, embed: [signer.certDer] })]);
  made.push(['asn1-cms, two signers', craft({ content, key: signer.key, cert: signer.certDer, signerCount: 2 })]);
});
afterAll(() => pki.cleanup());

describe('readMinimalSignedData', () => {
  it.each(AWS)('reads the real AWS document %s itself, as asn1-cms does', (_, der) => {
    expect(agreesWithAsn1Cms(der)).toBe(true);
  });

  it('reads openssl and asn1-cms SignedData of the minimal shape itself, and leaves the rest to asn1-cms', () => {
    const read = Object.fromEntries(made.map(([name, der]) => [name, agreesWithAsn1Cms(der)]));
    expect(read).toEqual({
      'openssl cms': true,
      'openssl cms -noattr': true,
      'openssl cms -keyid': true,
      'openssl cms -md sha512': true,
      'asn1-cms, subjectKeyIdentifier': true,
      'asn1-cms, no signed attributes': true,
      'asn1-cms, an extra attribute': true,
      'asn1-cms, embedded certificate': false,
      'asn1-cms, two signers': false,
    });
  });

  it.each(AWS)(`answers for mutations of %s only what asn1-cms decodes (${RUNS} runs, property)`, (_, der) => {
    let answered = 0;
    fc.assert(
      fc.property(mutationsOf(der), (mutated) => {
        if (agreesWithAsn1Cms(mutated)) answered++;
      }),
      { numRuns: RUNS },
    );
    // Most single-byte changes land in the content or the signature and keep the shape.
    expect(answered).toBeGreaterThan(RUNS / 10);
  });

  it(`answers for mutations of openssl and asn1-cms SignedData only what asn1-cms decodes (${RUNS} runs, property)`, () => {
    fc.assert(
      fc.property(fc.constantFrom(...made.map(([, der]) => der)).chain((der) => mutationsOf(der)), (mutated) => {
        agreesWithAsn1Cms(mutated);
      }),
      { numRuns: RUNS },
    );
  });
});
