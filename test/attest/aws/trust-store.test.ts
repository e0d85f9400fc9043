import { describe, expect, it } from 'vitest';
import { AwsTrustConfigError, createAwsTrustStore, isNamedBy, type AwsTrustedCertificate } from '../../../src/attest/aws/index.js';
import { matchesSignerIdentifier, parseCertificatesPem, type SignerCertificate, type SignerIdentifier } from '../../../src/attest/cms/index.js';
import { certificatePem } from './fixtures.js';

const USW1 = certificatePem('rsa2048', 'us-west-1');
const USW2 = certificatePem('rsa2048', 'us-west-2');

describe('createAwsTrustStore', () => {
  it("selects the region's AWS certificate, then policy certificates for the region, then for '*'", () => {
    const store = createAwsTrustStore([
      { region: '*', certificatePem: USW1 },
      { region: 'us-west-2', certificatePem: USW1, form: 'rsa2048' },
    ]);
    const signers = store.signersFor('us-west-2', 'rsa2048');
    expect(signers).toHaveLength(3);
    expect(signers[0]?.spki).toEqual(createAwsTrustStore().signersFor('us-west-2', 'rsa2048')[0]?.spki);
    expect(store.signersFor('us-west-2', 'signature')).toHaveLength(2); // AWS + '*' (the region entry is rsa2048 only)
    expect(store.signersFor('xx-new-1', 'rsa2048')).toHaveLength(1); // '*' only
  });

  it('returns nothing for an unknown or malformed region', () => {
    const store = createAwsTrustStore();
    expect(store.signersFor('xx-new-1', 'rsa2048')).toEqual([]);
    expect(store.signersFor('__proto__', 'rsa2048')).toEqual([]);
    expect(store.signersFor('constructor', 'signature')).toEqual([]);
  });

  it('can leave out the AWS table (tests, pinned deployments)', () => {
    const store = createAwsTrustStore([{ region: 'us-west-2', certificatePem: USW2 }], { includeAwsCertificates: false });
    expect(store.signersFor('us-west-1', 'rsa2048')).toEqual([]);
    expect(store.entries()).toHaveLength(2); // one certificate, both forms
  });

  it('decodes a built-in key once and shares it', () => {
    const store = createAwsTrustStore();
    expect(store.signersFor('eu-west-1', 'rsa2048')[0]).toBe(store.signersFor('eu-west-1', 'rsa2048')[0]);
  });

  it.each<[string, AwsTrustedCertificate, RegExp]>([
    ['a bad region', { region: 'Europe', certificatePem: USW1 }, /extra\[0\] \(Europe\): region must be a region code or '\*'/],
    ['a bad form', { region: '*', certificatePem: USW1, form: 'pkcs7' as never }, /form must be 'rsa2048' or 'signature'/],
    ['not PEM', { region: '*', certificatePem: 'hello' }, /not a PEM certificate bundle/],
    ['two certificates', { region: '*', certificatePem: USW1 + USW2 }, /expected exactly one certificate/],
    ['a broken certificate', { region: '*', certificatePem: '-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n' }, /extra\[0\]/],
  ])('refuses %s as a configuration error', (_name, entry, message) => {
    expect(() => createAwsTrustStore([entry])).toThrow(AwsTrustConfigError);
    expect(() => createAwsTrustStore([entry])).toThrow(message);
  });

  // The table keeps no certificates; a PKCS7 SignerInfo must still name the region's key exactly
  // as it had to name the certificate: the same answer as the CMS rule on the parsed certificate,
  // for every region and every identifier the 39 certificates carry (and altered ones).
  it('an AWS rsa2048 key is named by exactly the SignerInfo identifiers that name its certificate', () => {
    const store = createAwsTrustStore();
    const regions = store.entries().filter((e) => e.form === 'rsa2048').map((e) => e.region);
    const certificates = new Map(regions.map((region) => [region, parseFixture('rsa2048', region)]));
    const sids: SignerIdentifier[] = [...certificates.values()].flatMap((c) => [
      { kind: 'issuerAndSerialNumber', issuer: c.issuer, serialNumber: c.serialNumber },
      { kind: 'issuerAndSerialNumber', issuer: c.issuer, serialNumber: c.serialNumber.slice(1) },
      { kind: 'issuerAndSerialNumber', issuer: flipLast(c.issuer), serialNumber: c.serialNumber },
      { kind: 'subjectKeyIdentifier', keyIdentifier: c.subjectKeyIdentifier ?? new Uint8Array(20) },
      { kind: 'subjectKeyIdentifier', keyIdentifier: flipLast(c.subjectKeyIdentifier ?? new Uint8Array(20)) },
    ]);
    let named = 0;
    for (const [region, certificate] of certificates) {
      const key = store.signersFor(region, 'rsa2048')[0];
      if (key === undefined) throw new Error(`no key for ${region}`);
      expect(key.kind).toBe('key');
      for (const sid of sids) {
        expect(isNamedBy(key, sid)).toBe(matchesSignerIdentifier(certificate, sid));
        if (isNamedBy(key, sid)) named++;
      }
    }
    expect(named).toBe(39 + 19); // each certificate's issuer+serial; and its SKI, for the 19 that have one
  });

  it('an AWS signature-form key is named by no SignerInfo identifier', () => {
    const key = createAwsTrustStore().signersFor('us-east-1', 'signature')[0];
    const certificate = parseFixture('rsa1024', 'us-east-1');
    expect(key && isNamedBy(key, { kind: 'issuerAndSerialNumber', issuer: certificate.issuer, serialNumber: certificate.serialNumber })).toBe(false);
  });
});

function parseFixture(form: 'rsa2048' | 'rsa1024', region: string): SignerCertificate {
  const parsed = parseCertificatesPem(certificatePem(form, region));
  if (!parsed.ok || parsed.value[0] === undefined) throw new Error(`${form}/${region}: no certificate`);
  return parsed.value[0];
}
function flipLast(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  copy[copy.length - 1] = (copy[copy.length - 1] as number) ^ 0x01;
  return copy;
}
