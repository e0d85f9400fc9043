import { Attribute } from '@peculiar/asn1-cms';
import { AsnSerializer } from '@peculiar/asn1-schema';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeBase64,
  decodePem,
  parseCertificate,
  parseCertificatesPem,
  parseSignedData,
  RsaKeyCache,
  verifySignedData,
  type CmsFailureCode,
  type DigestName,
  type SignerSource,
  type TrustedSigner,
} from '../../../src/attest/cms/index.js';
import { algorithmProtection, attribute, concat, craftSignedData, derOctets, derOid, digestOf, OID, tlv, type CraftOptions } from './craft.js';
import { createPki, type Pki, type TestSigner } from './pki.js';

const FIXTURES = new URL('../../fixtures/', import.meta.url);
const content = new TextEncoder().encode('{"region":"eu-west-1","accountId":"123456789012"}');

let pki: Pki;
let s: TestSigner; // the trusted signer
let other: TestSigner; // a different key and name
let impostor: TestSigner; // same subject and serial as `s`, different key
let noSki: TestSigner;

beforeAll(() => {
  pki = createPki();
  s = pki.signer('s', { subject: '/CN=trusted signer', serial: '0x51a7' });
  other = pki.signer('other');
  impostor = pki.signer('impostor', { subject: '/CN=trusted signer', serial: '0x51a7' });
  noSki = pki.signer('noski', { noSki: true });
});
afterAll(() => pki.cleanup());

const cert = (signer: TestSigner) => {
  const parsed = parseCertificate(signer.certDer);
  if (!parsed.ok) throw new Error(parsed.error.detail);
  return parsed.value;
};
const trusted = (...signers: TrustedSigner[]): SignerSource => ({ kind: 'trusted', signers });
const craft = (options: Partial<CraftOptions> = {}) => craftSignedData({ content, key: s.key, cert: s.certDer, ...options });

type Outcome = { ok: true; signer?: string } | { ok: false; code: CmsFailureCode };
async function run(der: Uint8Array, signers: SignerSource, digests?: readonly DigestName[]): Promise<Outcome> {
  const parsed = parseSignedData(der);
  if (!parsed.ok) return { ok: false, code: parsed.error.code };
  const verified = await verifySignedData(parsed.value, { signers, ...(digests === undefined ? {} : { digests }) });
  if (!verified.ok) return { ok: false, code: verified.error.code };
  expect(verified.value.content).toEqual(content);
  return { ok: true };
}

describe('verifySignedData: accepted', () => {
  it.each<[string, () => Partial<CraftOptions>]>([
    ['signed attributes, SHA-256, rsaEncryption', () => ({})],
    ['SHA-1', () => ({ hash: 'sha1' })],
    ['SHA-384', () => ({ hash: 'sha384' })],
    ['SHA-512', () => ({ hash: 'sha512' })],
    ['sha256WithRSAEncryption as signatureAlgorithm', () => ({ signatureOid: OID.sha256WithRSA })],
    ['sha512WithRSAEncryption with SHA-512', () => ({ hash: 'sha512', signatureOid: OID.sha512WithRSA })],
    ['no signed attributes (signature over the content)', () => ({ attributes: null })],
    ['sid by subjectKeyIdentifier', () => ({ sid: 'subjectKeyIdentifier' })],
    ['a matching CMSAlgorithmProtection', () => ({ attributes: (d) => [...d, attribute(OID.algorithmProtection, algorithmProtection(OID.sha256, OID.rsaEncryption))] })],
    ['another signed attribute (signingTime)', () => ({ attributes: (d) => [...d, attribute(OID.signingTime, tlv(0x17, new TextEncoder().encode('261130015321Z')))] })],
    ['a non-data content type, bound by the contentType attribute', () => ({ eContentType: OID.tstInfo })],
  ])('%s', async (_name, options) => {
    expect(await run(craft(options()), trusted(cert(s)))).toEqual({ ok: true });
  });

  it('selects the matching trusted certificate among several', async () => {
    const parsed = parseSignedData(craft());
    if (!parsed.ok) throw new Error(parsed.error.detail);
    const verified = await verifySignedData(parsed.value, { signers: trusted(cert(other), cert(s)) });
    expect(verified.ok && verified.value.signer).toEqual(cert(s));
  });

  it.each([
    ['the embedded certificate named by issuer and serial', () => craft({ embed: [other.certDer, s.certDer] })],
    ['the embedded certificate named by subjectKeyIdentifier', () => craft({ sid: 'subjectKeyIdentifier', embed: [s.certDer] })],
  ])('embedded: %s', async (_name, der) => {
    expect(await run(der(), { kind: 'embedded' })).toEqual({ ok: true });
  });

  it('a bare trusted key, which matches any signer identifier', async () => {
    expect(await run(craft(), trusted({ kind: 'key', spki: cert(s).spki, label: 's' }))).toEqual({ ok: true });
    expect(await run(craft(), trusted({ kind: 'key', spki: cert(other).spki, label: 'other' }))).toEqual({ ok: false, code: 'bad_signature' });
  });
});

describe('verifySignedData: refused', () => {
  const md = () => attribute(OID.messageDigest, derOctets(digestOf('sha256', content)));
  const ct = () => attribute(OID.contentType, derOid(OID.data));
  it.each<[string, CmsFailureCode, () => Partial<CraftOptions>]>([
    ['duplicated messageDigest attribute', 'invalid_signed_attributes', () => ({ attributes: (d) => [...d, md()] })],
    ['messageDigest with two values', 'invalid_signed_attributes', () => ({ attributes: () => [ct(), attribute(OID.messageDigest, derOctets(digestOf('sha256', content)), derOctets(digestOf('sha256', content)))] })],
    ['missing messageDigest', 'invalid_signed_attributes', () => ({ attributes: () => [ct()] })],
    ['messageDigest not an OCTET STRING', 'invalid_signed_attributes', () => ({ attributes: () => [ct(), attribute(OID.messageDigest, derOid(OID.data))] })],
    ['messageDigest of other content', 'digest_mismatch', () => ({ attributes: () => [ct(), attribute(OID.messageDigest, derOctets(digestOf('sha256', new Uint8Array([1]))))] })],
    ['messageDigest with another hash', 'digest_mismatch', () => ({ attributes: () => [ct(), attribute(OID.messageDigest, derOctets(digestOf('sha512', content)))] })],
    ['missing contentType', 'invalid_signed_attributes', () => ({ attributes: () => [md()] })],
    ['duplicated contentType', 'invalid_signed_attributes', () => ({ attributes: (d) => [ct(), ...d] })],
    ['contentType differing from eContentType', 'invalid_signed_attributes', () => ({ attributes: () => [attribute(OID.contentType, derOid(OID.tstInfo)), md()] })],
    ['any duplicated attribute type (signingTime twice)', 'invalid_signed_attributes', () => ({ attributes: (d) => { const t = attribute(OID.signingTime, tlv(0x17, new TextEncoder().encode('261130015321Z'))); return [...d, t, t]; } })],
    ['CMSAlgorithmProtection naming another digest', 'invalid_signed_attributes', () => ({ attributes: (d) => [...d, attribute(OID.algorithmProtection, algorithmProtection(OID.sha512, OID.rsaEncryption))] })],
    ['CMSAlgorithmProtection naming another signature algorithm', 'invalid_signed_attributes', () => ({ attributes: (d) => [...d, attribute(OID.algorithmProtection, algorithmProtection(OID.sha256, OID.sha256WithRSA))] })],
    ['no signed attributes over a non-data content type', 'invalid_signed_attributes', () => ({ attributes: null, eContentType: OID.tstInfo })],
    ['a signature over other bytes', 'bad_signature', () => ({ tamperSignedBytes: (b: Uint8Array) => concat(b, new Uint8Array([0])) })],
    ['a signature over the content although attributes are present', 'bad_signature', () => ({ tamperSignedBytes: () => content })],
    ['a signature by the impostor key', 'bad_signature', () => ({ key: impostor.key })],
    ['MD5', 'unsupported', () => ({ digestOid: OID.md5 })],
    ['DSA', 'unsupported', () => ({ signatureOid: OID.dsaWithSha1 })],
    ['ECDSA', 'unsupported', () => ({ signatureOid: OID.ecdsaWithSha256 })],
    ['RSA-PSS', 'unsupported', () => ({ signatureOid: OID.rsaPss })],
    ['sha512WithRSAEncryption with a SHA-256 digestAlgorithm', 'unsupported', () => ({ signatureOid: OID.sha512WithRSA })],
    ['SignedData version 1 with an SKI signer (RFC 5652 §5.1 requires 3)', 'malformed', () => ({ sid: 'subjectKeyIdentifier', signedDataVersion: 1 })],
    ['SignerInfo version 3 with an issuerAndSerialNumber sid (§5.3 requires 1)', 'malformed', () => ({ signerInfoVersion: 3, signedDataVersion: 3 })],
    ['SignedData version 3 for plain id-data (§5.1 requires 1)', 'malformed', () => ({ signedDataVersion: 3 })],
    ['two SignerInfos', 'unsupported', () => ({ signerCount: 2 })],
    ['detached content', 'unsupported', () => ({ detached: true })],
  ])('%s → %s', async (_name, code, options) => {
    expect(await run(craft(options()), trusted(cert(s)))).toEqual({ ok: false, code });
  });

  it('a digest the caller does not accept', async () => {
    expect(await run(craft({ hash: 'sha1' }), trusted(cert(s)), ['SHA-256'])).toEqual({ ok: false, code: 'unsupported' });
  });

  it.each<[string, CmsFailureCode, () => SignerSource, () => Uint8Array]>([
    ['no trusted certificate at all', 'signer_not_found', () => trusted(), () => craft()],
    ['a trusted certificate with another name', 'signer_not_found', () => trusted(cert(other)), () => craft()],
    ['an SKI sid and a trusted certificate without SKI', 'signer_not_found', () => trusted(cert(noSki)), () => craftSignedData({ content, key: s.key, cert: s.certDer, sid: 'subjectKeyIdentifier' })],
    // The sid names the trusted certificate, but the key behind it is the impostor's: selection by
    // name is not trust, the signature must verify under the trusted key.
    ['the impostor certificate trusted instead of the real one', 'bad_signature', () => trusted(cert(impostor)), () => craft()],
    ['embedded: no certificates', 'signer_not_found', () => ({ kind: 'embedded' }), () => craft()],
    ['embedded: only another certificate', 'signer_not_found', () => ({ kind: 'embedded' }), () => craft({ embed: [other.certDer] })],
    ['embedded: the impostor certificate', 'bad_signature', () => ({ kind: 'embedded' }), () => craft({ embed: [impostor.certDer] })],
    ['embedded: two certificates matching the sid', 'malformed', () => ({ kind: 'embedded' }), () => craft({ embed: [s.certDer, impostor.certDer] })],
  ])('%s → %s', async (_name, code, source, der) => {
    expect(await run(der(), source())).toEqual({ ok: false, code });
  });
});

describe('real samples', () => {
  const awsDer = (name: string) => decodeBase64(readFileSync(new URL(`aws/${name}`, FIXTURES), 'utf8')) as Uint8Array;
  const awsCert = (form: string, region: string) => {
    const parsed = parseCertificatesPem(readFileSync(new URL(`aws/certs/${form}/${region}.pem`, FIXTURES), 'utf8'));
    if (!parsed.ok) throw new Error(parsed.error.detail);
    return parsed.value;
  };

  it.each([
    ['cloudinit-2018-us-east-2.rsa2048', 'us-east-2', 'cloudinit-2018-us-east-2.document.json'],
    ['teleport-2021-us-west-2.rsa2048', 'us-west-2', 'teleport-2021-us-west-2.document.json'],
    ['teleport-2021-us-west-1.rsa2048', 'us-west-1', 'teleport-2021-us-west-1.document.json'],
  ])('AWS %s verifies with its region certificate; the content is the document', async (vector, region, document) => {
    const parsed = parseSignedData(awsDer(vector));
    if (!parsed.ok) throw new Error(parsed.error.detail);
    const verified = await verifySignedData(parsed.value, { signers: trusted(...awsCert('rsa2048', region)) });
    expect(verified.ok).toBe(true);
    expect(verified.ok && Buffer.from(verified.value.content).equals(readFileSync(new URL(`aws/${document}`, FIXTURES)))).toBe(true);
  });

  it.each(['coder-2022-southcentralus', 'coder-2023-usgovvirginia', 'coder-2024-eastus'])(
    'Azure %s verifies with its embedded signer (digestAlgorithm sha256WithRSAEncryption quirk)',
    async (name) => {
      const der = decodeBase64(readFileSync(new URL(`cms/azure/${name}.attested-signature.b64`, FIXTURES), 'utf8')) as Uint8Array;
      const parsed = parseSignedData(der);
      if (!parsed.ok) throw new Error(parsed.error.detail);
      expect(parsed.value.signer.digestAlgorithm).toBe(OID.sha256WithRSA);
      const verified = await verifySignedData(parsed.value, { signers: { kind: 'embedded' } });
      expect(verified.ok).toBe(true);
      if (!verified.ok) return;
      expect(verified.value.signer.kind).toBe('certificate');
      expect(Buffer.from(verified.value.content).equals(readFileSync(new URL(`cms/azure/${name}.attested-content.json`, FIXTURES)))).toBe(true);
      // The embedded path does not make the certificate trusted: with a trusted list it fails.
      expect(await verifySignedData(parsed.value, { signers: trusted(cert(s)) })).toMatchObject({ ok: false, error: { code: 'signer_not_found' } });
    },
  );

  it.each([
    ['with signed attributes', false, false],
    ['without signed attributes (-noattr)', true, false],
    ['sid by subjectKeyIdentifier (-keyid)', false, true],
  ])('openssl cms -sign output verifies, %s', async (_name, noattr, keyid) => {
    const pem = pki.cmsSign(s, content, { noattr, keyid });
    const der = decodePem(pem, ['CMS'])?.der as Uint8Array;
    expect(await run(der, trusted(cert(s)))).toEqual({ ok: true });
    expect(await run(der, trusted(cert(other)))).toEqual({ ok: false, code: 'signer_not_found' });
  });

  // TOOLCHAIN gotcha 1: the signature covers the signed attributes as SET OF (0x31). We verify
  // over the received bytes re-tagged; check that equals asn1-cms's re-serialisation for every
  // sample, i.e. all producers send DER and both readings agree.
  it('the re-tagged signed attributes equal their asn1-cms re-encoding as SET OF', () => {
    const samples = [
      awsDer('cloudinit-2018-us-east-2.rsa2048'),
      awsDer('teleport-2021-us-west-2.rsa2048'),
      awsDer('teleport-2021-us-west-1.rsa2048'),
      decodePem(pki.cmsSign(s, content), ['CMS'])?.der as Uint8Array,
    ];
    for (const der of samples) {
      const parsed = parseSignedData(der);
      if (!parsed.ok || parsed.value.signer.signedAttributes === undefined) throw new Error('no signed attributes');
      const { attributes, signedBytes } = parsed.value.signer.signedAttributes;
      expect(signedBytes[0]).toBe(0x31);
      const reencoded = tlv(
        0x31,
        ...attributes.map((a) => new Uint8Array(AsnSerializer.serialize(new Attribute({ attrType: a.type, attrValues: a.values.map((v) => v.slice().buffer) })))),
      );
      expect(Buffer.from(signedBytes).equals(Buffer.from(reencoded))).toBe(true);
    }
  });
});

describe('RsaKeyCache', () => {
  it('imports each key once per hash, and is bounded', async () => {
    const cache = new RsaKeyCache(2);
    const k1 = await cache.importVerifyKey(cert(s).spki, 'SHA-256');
    expect(await cache.importVerifyKey(cert(s).spki, 'SHA-256')).toBe(k1);
    expect(cache.size).toBe(1);
    await cache.importVerifyKey(cert(s).spki, 'SHA-384');
    await cache.importVerifyKey(cert(other).spki, 'SHA-256');
    expect(cache.size).toBe(2);
    // The oldest (s, SHA-256) was evicted: importing it again yields a new CryptoKey.
    expect(await cache.importVerifyKey(cert(s).spki, 'SHA-256')).not.toBe(k1);
  });

  it('does not keep a failed import', async () => {
    const cache = new RsaKeyCache();
    await expect(cache.importVerifyKey(new Uint8Array([0x30, 0x00]), 'SHA-256')).rejects.toThrow();
    await Promise.resolve();
    expect(cache.size).toBe(0);
  });

  it('is used by verifySignedData', async () => {
    const cache = new RsaKeyCache();
    const parsed = parseSignedData(craft());
    if (!parsed.ok) throw new Error(parsed.error.detail);
    await verifySignedData(parsed.value, { signers: trusted(cert(s)), keyCache: cache });
    await verifySignedData(parsed.value, { signers: trusted(cert(s)), keyCache: cache });
    expect(cache.size).toBe(1);
  });
});
