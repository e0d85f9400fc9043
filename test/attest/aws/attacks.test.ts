/**
 * Attacks on the AWS verifier, each with a real AWS PKCS7 or keys generated for the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsTrustStore, verifyAwsIdentityDocument, type AwsTrustStore } from '../../../src/attest/aws/index.js';
import { parseCertificatesPem, type SignerCertificate } from '../../../src/attest/cms/index.js';
import type { AttestFailureReason } from '../../../src/attest/identity.js';
import { craftSignedData } from '../cms/craft.js';
import { createPki, type Pki, type TestSigner } from '../cms/pki.js';
import { base64, certificatePem, derOf, fixtureText } from './fixtures.js';

const NOW = new Date('2021-09-03T21:25:44Z');
const awsTrust = createAwsTrustStore();
const reasonOf = async (body: string | Uint8Array, trust: AwsTrustStore = awsTrust): Promise<AttestFailureReason | 'ok'> => {
  const result = await verifyAwsIdentityDocument(body, trust, NOW);
  return result.ok ? 'ok' : result.error.reason;
};

const US_WEST_2 = 'teleport-2021-us-west-2';
const document = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify(
    {
      accountId: '123456789012',
      architecture: 'x86_64',
      availabilityZone: 'eu-west-1a',
      imageId: 'ami-0123456789abcdef0',
      instanceId: 'i-0123456789abcdef0',
      instanceType: 'm5.large',
      pendingTime: '2021-09-03T21:25:44Z',
      privateIp: '10.0.1.23',
      region: 'eu-west-1',
      version: '2017-09-30',
      ...overrides,
    },
    null,
    2,
  );

describe('document substitution (SPIRE awsiid fix)', () => {
  const pkcs7 = fixtureText(`${US_WEST_2}.rsa2048`);
  const original = fixtureText(`${US_WEST_2}.document.json`);

  it.each([
    ['another account', original.replace('278576220453', '111111111111')],
    ['another instance', original.replace('i-078517ca8a70a1dde', 'i-0aaaaaaaaaaaaaaaa')],
    ['a trailing newline', `${original}\n`],
    ['reformatted JSON with the same claims', JSON.stringify(JSON.parse(original))],
    ['an empty document', ''],
  ])('a real PKCS7 with %s as document → document_mismatch', async (_name, edited) => {
    expect(await reasonOf(JSON.stringify({ document: edited, pkcs7 }))).toBe('document_mismatch');
  });

  it('the claims come from the signed content, never from the document next to it', async () => {
    const result = await verifyAwsIdentityDocument(JSON.stringify({ pkcs7 }), awsTrust, NOW);
    expect(result.ok && result.identity.account).toBe('278576220453');
  });
});

describe('signature and signer', () => {
  it('a us-west-2 PKCS7 checked against the us-west-1 certificate → invalid_signature', async () => {
    const crossed = createAwsTrustStore([{ region: 'us-west-2', certificatePem: certificatePem('rsa2048', 'us-west-1') }], { includeAwsCertificates: false });
    expect(await reasonOf(fixtureText(`${US_WEST_2}.rsa2048`), crossed)).toBe('invalid_signature');
  });

  // The SignerInfo's issuerAndSerialNumber is outside the signature, so this PKCS7 still carries
  // AWS's valid us-west-2 signature: a verifier trying the region's key under any signer
  // identifier would accept it. The table keeps the certificates' names so it is refused.
  it("a real PKCS7 whose SignerInfo names another region's certificate → invalid_signature (signer not found)", async () => {
    const der = derOf(`${US_WEST_2}.rsa2048`);
    const own = parsedCertificate('rsa2048', 'us-west-2').serialNumber;
    const other = parsedCertificate('rsa2048', 'us-west-1').serialNumber;
    expect(other).toHaveLength(own.length);
    der.set(other, indexOf(der, Buffer.from(own)));
    expect(await verifyAwsIdentityDocument(base64(der), awsTrust, NOW)).toEqual({
      ok: false,
      error: { reason: 'invalid_signature', detail: 'pkcs7 (us-west-2): no trusted certificate matches the signer (1 candidate(s))' },
    });
  });

  it('a trust store without the region → unknown_signer', async () => {
    const withoutUsWest2 = createAwsTrustStore([{ region: 'us-west-1', certificatePem: certificatePem('rsa2048', 'us-west-1') }], { includeAwsCertificates: false });
    expect(await reasonOf(fixtureText(`${US_WEST_2}.rsa2048`), withoutUsWest2)).toBe('unknown_signer');
  });

  it.each([
    ['the content (instance ID)', (der: Uint8Array) => flipInside(der, 'i-078517ca8a70a1dde')],
    ['the content (account)', (der: Uint8Array) => flipInside(der, '278576220453')],
    ['the signature', (der: Uint8Array) => flipAt(der, der.length - 20)],
  ])('an altered byte in %s → invalid_signature', async (_name, alter) => {
    expect(await reasonOf(base64(alter(derOf(`${US_WEST_2}.rsa2048`))))).toBe('invalid_signature');
  });

  it('an altered region that names another known region → invalid_signature (the other region key does not verify)', async () => {
    const der = derOf(`${US_WEST_2}.rsa2048`);
    const at = indexOf(der, '"us-west-2"');
    der[at + 9] = '1'.charCodeAt(0); // us-west-2 → us-west-1
    expect(await reasonOf(base64(der))).toBe('invalid_signature');
  });

  it('an altered region that names no known region → unknown_signer', async () => {
    const der = derOf(`${US_WEST_2}.rsa2048`);
    const at = indexOf(der, '"us-west-2"');
    der[at + 9] = '9'.charCodeAt(0);
    expect(await reasonOf(base64(der))).toBe('unknown_signer');
  });

  it.each([
    ['coder-2022-us-east-1', 'invalid_signature', (d: string) => d.replace('628783029487', '628783029488')],
    ['cloudinit-2018-us-east-2', 'invalid_signature', (d: string) => d.replace('10.41.41.95', '10.41.41.96')],
    ['coder-2022-us-east-1', 'unknown_signer', (d: string) => d.replace('us-east-1"', 'us-east-9"')],
  ])('the signature form with an edited %s document → %s', async (stem, reason, edit) => {
    const body = JSON.stringify({ document: edit(fixtureText(`${stem}.document.json`)), signature: fixtureText(`${stem}.signature`) });
    expect(await reasonOf(body)).toBe(reason);
  });

  // AWS uses one RSA-1024 key for the `signature` form in 17 commercial regions (see
  // certificates.test.ts), so the cross-region check needs a region with its own key. That
  // sharing is harmless: the region is a claim inside the signed document, never inferred
  // from which certificate verified.
  it("the signature form checked against another region's key → invalid_signature", async () => {
    const crossed = createAwsTrustStore([{ region: 'us-east-1', certificatePem: certificatePem('rsa1024', 'ap-east-2'), form: 'signature' }], { includeAwsCertificates: false });
    const body = JSON.stringify({ document: fixtureText('coder-2022-us-east-1.document.json'), signature: fixtureText('coder-2022-us-east-1.signature') });
    expect(await reasonOf(body, crossed)).toBe('invalid_signature');
  });

  it('a PKCS7 cannot be verified with a signature-form certificate, nor the reverse', async () => {
    const pkcs7Only = createAwsTrustStore([{ region: 'us-east-1', certificatePem: certificatePem('rsa1024', 'us-east-1'), form: 'rsa2048' }], { includeAwsCertificates: false });
    const body = JSON.stringify({ document: fixtureText('coder-2022-us-east-1.document.json'), signature: fixtureText('coder-2022-us-east-1.signature') });
    expect(await reasonOf(body, pkcs7Only)).toBe('unknown_signer');
  });
});

describe('documents signed in the test (openssl cms, as `npm start` will)', () => {
  let pki: Pki;
  let dev: TestSigner;
  let stranger: TestSigner;
  let impostor: TestSigner;
  beforeAll(() => {
    pki = createPki();
    dev = pki.signer('dev', { subject: '/CN=kube-join-broker dev signer', serial: '0x01' });
    stranger = pki.signer('stranger');
    impostor = pki.signer('impostor', { subject: '/CN=kube-join-broker dev signer', serial: '0x01' });
  });
  afterAll(() => pki.cleanup());

  const devTrust = () => createAwsTrustStore([{ region: '*', certificatePem: dev.certPem }]);
  const doc = new TextEncoder().encode(document());

  it.each([
    ['with signed attributes', false],
    ['without signed attributes (-noattr)', true],
  ])('openssl cms -sign %s, the dev certificate trusted for every region → verified', async (_name, noattr) => {
    const pem = pki.cmsSign(dev, doc, { noattr });
    const result = await verifyAwsIdentityDocument(pem, devTrust(), NOW);
    expect(result).toMatchObject({ ok: true, identity: { account: '123456789012', region: 'eu-west-1', instanceId: 'i-0123456789abcdef0', defaultNodeName: 'ip-10-0-1-23.eu-west-1.compute.internal' } });
  });

  it('a region AWS does not have yet verifies with a certificate policy added for it', async () => {
    const pem = pki.cmsSign(dev, new TextEncoder().encode(document({ region: 'xx-test-1', availabilityZone: 'xx-test-1a' })));
    expect(await reasonOf(pem)).toBe('unknown_signer');
    expect(await reasonOf(pem, createAwsTrustStore([{ region: 'xx-test-1', certificatePem: dev.certPem }]))).toBe('ok');
  });

  it.each([
    ['signed by a certificate not in the trust store', 'invalid_signature', () => pki.cmsSign(stranger, doc)],
    ['signed by an impostor naming the dev certificate', 'invalid_signature', () => pki.cmsSign(impostor, doc)],
    ['signed with SHA-1, even by the trusted dev key', 'unsupported_document', () => pki.cmsSign(dev, doc, { md: 'sha1' })],
    ['dev-signed, the dev certificate trusted only for another region', 'invalid_signature', () => pki.cmsSign(dev, doc)],
  ])('%s → %s', async (name, reason, body) => {
    const trust = name.includes('another region')
      ? createAwsTrustStore([{ region: 'eu-west-2', certificatePem: dev.certPem }])
      : devTrust();
    expect(await reasonOf(body(), trust)).toBe(reason);
  });

  it('a dev-signed document whose claims are malformed → invalid_claims, after the signature verifies', async () => {
    const pem = pki.cmsSign(dev, new TextEncoder().encode(document({ accountId: '12345' })));
    expect(await verifyAwsIdentityDocument(pem, devTrust(), NOW)).toEqual({
      ok: false,
      error: { reason: 'invalid_claims', detail: 'accountId is missing or not 12 digits' },
    });
    const forged = pki.cmsSign(stranger, new TextEncoder().encode(document({ accountId: '12345' })));
    expect(await reasonOf(forged, devTrust())).toBe('invalid_signature');
  });

  it('a signed content that is not JSON → malformed_document', async () => {
    expect(await reasonOf(pki.cmsSign(dev, new TextEncoder().encode('not json')), devTrust())).toBe('malformed_document');
  });

  it('a PKCS7 whose eContentType is not id-data → unsupported_document', async () => {
    const der = craftSignedData({ content: doc, key: dev.key, cert: dev.certDer, eContentType: '1.2.840.113549.1.9.16.1.4' });
    expect(await reasonOf(base64(der), devTrust())).toBe('unsupported_document');
  });
});

describe('no single-byte change to a real PKCS7 is accepted', () => {
  // Exhaustive over every byte of two real vectors, three flips each: every change is refused,
  // including the bytes outside the signed attributes (versions, algorithm identifiers, lengths).
  it.each(['cloudinit-2018-us-east-2', US_WEST_2])('%s', async (stem) => {
    const der = derOf(`${stem}.rsa2048`);
    const accepted: string[] = [];
    for (let i = 0; i < der.length; i++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        if ((await reasonOf(base64(flipAt(der, i, flip)))) === 'ok') accepted.push(`byte ${i} ^ 0x${flip.toString(16)}`);
      }
    }
    expect(accepted).toEqual([]);
  });
});

function parsedCertificate(form: 'rsa2048' | 'rsa1024', region: string): SignerCertificate {
  const parsed = parseCertificatesPem(certificatePem(form, region));
  if (!parsed.ok || parsed.value[0] === undefined) throw new Error(`${form}/${region}: no certificate`);
  return parsed.value[0];
}
function indexOf(bytes: Uint8Array, text: string | Uint8Array): number {
  const at = Buffer.from(bytes).indexOf(text);
  if (at < 0) throw new Error(`${text} not found`);
  return at;
}
function flipAt(bytes: Uint8Array, index: number, flip = 0x01): Uint8Array {
  const copy = bytes.slice();
  copy[index] = (copy[index] as number) ^ flip;
  return copy;
}
const flipInside = (bytes: Uint8Array, text: string): Uint8Array => flipAt(bytes, indexOf(bytes, text) + 3);
