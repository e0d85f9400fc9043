/**
 * The AWS certificate table: generated, complete, parseable, and watched for expiry.
 *
 * Expiry policy. The verifier does not enforce these certificates' validity (see
 * src/attest/aws/trust-store.ts), but an approaching notAfter is the likeliest sign that AWS
 * will rotate a key, after which new documents no longer verify against the table. So:
 *  - at the pinned date (when the vectors were verified) no certificate may expire within a
 *    year — a deterministic check of the committed table;
 *  - at the real date the same check runs as a calendar alarm: it starts failing a year before
 *    the first expiry (today: the cn-north-1/cn-northwest-1 rsa1024 certificate, 2028-07-02),
 *    telling the operator to refresh ../shared/vectors/aws/certs from the EC2 User Guide and
 *    regenerate. The rsa2048 certificates run to 2195–2204 and never trip it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderAwsCertificatesModule, OUTPUT_FILE } from '../../../scripts/gen-aws-certs.js';
import { AWS_PUBLIC_KEYS, AWS_RSA2048_CERTIFICATES, AWS_SIGNATURE_CERTIFICATES, createAwsTrustStore } from '../../../src/attest/aws/index.js';
import { parseCertificatesPem } from '../../../src/attest/cms/index.js';
import { AWS_FIXTURES, base64, certificatePem } from './fixtures.js';

const FIXTURE_CERTS = new URL('certs/', AWS_FIXTURES).pathname;
const PINNED_DATE = new Date('2026-11-30T00:00:00Z');
const WARNING_DAYS = 365;

/** The 39 regions of ../shared/vectors/aws/certs, spelled out so a lost region fails loudly. */
const REGIONS = [
  'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1',
  'ap-south-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5',
  'ap-southeast-6', 'ap-southeast-7', 'ca-central-1', 'ca-west-1', 'cn-north-1', 'cn-northwest-1', 'eu-central-1',
  'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eusc-de-east-1',
  'il-central-1', 'me-central-1', 'me-south-1', 'mx-central-1', 'sa-east-1', 'us-east-1', 'us-east-2',
  'us-gov-east-1', 'us-gov-west-1', 'us-west-1', 'us-west-2',
];

function expiringWithin(days: number, from: Date): string[] {
  const limit = from.getTime() + days * 86_400_000;
  return createAwsTrustStore()
    .entries()
    .filter((e) => e.notAfter.getTime() <= limit)
    .map((e) => `${e.form}/${e.region} expires ${e.notAfter.toISOString()}`)
    .sort();
}

describe('AWS certificate table', () => {
  it('the committed file is what scripts/gen-aws-certs.ts generates', () => {
    expect(readFileSync(OUTPUT_FILE, 'utf8')).toBe(renderAwsCertificatesModule(FIXTURE_CERTS));
  });

  // The table holds each region's certificate reduced to its facts; the certificate itself is the
  // fixture PEM it was generated from, so that is what is parsed, and the facts are compared to it.
  it.each([
    ['rsa2048', 'rsa2048', AWS_RSA2048_CERTIFICATES],
    ['signature (rsa1024)', 'rsa1024', AWS_SIGNATURE_CERTIFICATES],
  ] as const)('the %s table has the 39 regions, each one RSA certificate', async (_form, dir, table) => {
    expect(Object.keys(table).sort()).toEqual(REGIONS);
    for (const [region, facts] of Object.entries(table)) {
      const parsed = parseCertificatesPem(certificatePem(dir, region));
      expect(parsed.ok && parsed.value.length).toBe(1);
      expect(parsed.ok && parsed.value[0]?.publicKeyAlgorithm).toBe('1.2.840.113549.1.1.1');
      const certificate = parsed.ok ? parsed.value[0] : undefined;
      expect(AWS_PUBLIC_KEYS[facts.key]).toBe(certificate && base64(certificate.spki));
      expect(facts.notAfter).toBe(certificate?.notAfter.toISOString().replace('.000Z', 'Z'));
      const spki = Buffer.from(AWS_PUBLIC_KEYS[facts.key] ?? '', 'base64');
      await expect(crypto.subtle.importKey('spki', spki, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify'])).resolves.toBeDefined();
    }
  });

  it('the key list holds each distinct key once', () => {
    expect(new Set(AWS_PUBLIC_KEYS).size).toBe(AWS_PUBLIC_KEYS.length);
    const used = new Set([...Object.values(AWS_RSA2048_CERTIFICATES), ...Object.values(AWS_SIGNATURE_CERTIFICATES)].map((f) => f.key));
    expect(used.size).toBe(AWS_PUBLIC_KEYS.length);
  });

  it('every rsa2048 region has its own key; the rsa1024 signature key is shared by 17 regions', () => {
    const entries = createAwsTrustStore().entries();
    const keys = (form: string) => new Set(entries.filter((e) => e.form === form).map((e) => Buffer.from(e.signer.spki).toString('hex')));
    expect(keys('rsa2048').size).toBe(39);
    expect(keys('signature').size).toBe(39 - 16 - 1 - 1); // 17 commercial regions share one key; us-gov-* and cn-* pairs share one each
  });

  it(`at the pinned date (${PINNED_DATE.toISOString().slice(0, 10)}), no certificate expires within ${WARNING_DAYS} days`, () => {
    expect(expiringWithin(WARNING_DAYS, PINNED_DATE)).toEqual([]);
    // The next expiries, for the record (and to prove the check can see them):
    expect(expiringWithin(2 * WARNING_DAYS, PINNED_DATE)).toEqual(['signature/cn-north-1 expires 2028-07-02T08:35:39.000Z', 'signature/cn-northwest-1 expires 2028-07-02T08:35:39.000Z']);
  });

  it(`calendar alarm: at the real date, no certificate expires within ${WARNING_DAYS} days (refresh the table from the EC2 User Guide if this fails)`, () => {
    expect(expiringWithin(WARNING_DAYS, new Date())).toEqual([]);
  });
});
