import { describe, expect, it } from 'vitest';
import { AwsTrustConfigError, createAwsTrustStore, type AwsTrustedCertificate } from '../../../src/attest/aws/index.js';
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

  it('parses a built-in certificate once and shares it', () => {
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
});
