/**
 * Azure-shaped documents signed by certificate authorities made in the test: the right subject
 * name is never enough; every link, validity period and constraint of the signer's chain is
 * checked, and only the trust store's roots anchor it.
 */
import { KeyUsageFlags } from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createAzureTrustStore,
  isAzureSignerName,
  parseX509Certificate,
  validateSignerChain,
  verifyAzureAttestedDocument,
  type AzureAttestResult,
  type AzureTrustStore,
} from '../../../src/attest/azure/index.js';
import {
  attestedContent,
  createIntermediate,
  createRoot,
  createSigner,
  DAY,
  imdsBody,
  signAttested,
  unknownExtension,
  type TestCa,
  type TestSigner,
} from './pki.js';

const NOW = new Date('2026-11-30T12:00:00Z');
const VM = { subscriptionId: '11111111-2222-3333-4444-555555555555', vmId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', nonce: '12345678901234567890123456789012' };
const content = (changes: Partial<Parameters<typeof attestedContent>[0]> = {}) =>
  attestedContent({ ...VM, createdOn: new Date(NOW.getTime() - 60_000), expiresOn: new Date(NOW.getTime() + 6 * 3600_000), ...changes });

let root: TestCa;
let intermediate: TestCa;
let signer: TestSigner;
let trust: AzureTrustStore;

beforeAll(async () => {
  root = await createRoot('Test Azure Root');
  intermediate = await createIntermediate('Test Azure Issuing CA 01', root);
  signer = await createSigner(intermediate);
  trust = createAzureTrustStore({ includeAzureCertificates: false, extraRoots: [root.pem], extraIntermediates: [intermediate.pem] });
});

const verify = (body: string, store: AzureTrustStore = trust, now = NOW): Promise<AzureAttestResult> => verifyAzureAttestedDocument(body, { now, trust: store });
const outcome = (result: AzureAttestResult) => (result.ok ? { reason: 'verified', detail: result.signerPath.join(' → ') } : result.error);
const docBy = (by: TestSigner, embed?: readonly Uint8Array[]) => imdsBody(signAttested(by, content(), embed));

describe('a chain the trust store anchors', () => {
  it('verifies: signer → intermediate → root, the identity from the signed content', async () => {
    const result = await verify(docBy(signer));
    expect(outcome(result)).toEqual({ reason: 'verified', detail: 'signer → Test Azure Issuing CA 01 → Test Azure Root' });
    expect(result.ok && result.identity).toMatchObject({ provider: 'azure', account: VM.subscriptionId, instanceId: VM.vmId, defaultNodeName: `azure-${VM.vmId}` });
  });

  it('verifies a signer issued directly by a root', async () => {
    const direct = await createSigner(root);
    expect(outcome(await verify(docBy(direct))).reason).toBe('verified');
  });

  it('verifies through intermediates the caller supplies (fetched), never through ones embedded in the PKCS7', async () => {
    const other = await createIntermediate('Test Azure Issuing CA 02', root);
    const underOther = await createSigner(other);
    // Embedded next to the signer, as a hostile or careless producer might: not a path.
    const embedded = await verify(docBy(underOther, [underOther.der, other.der]));
    expect(outcome(embedded)).toMatchObject({ reason: 'unknown_signer' });
    const parsed = parseX509Certificate(other.der);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const supplied = await verifyAzureAttestedDocument(docBy(underOther), { now: NOW, trust, untrustedIntermediates: [parsed.certificate] });
    expect(outcome(supplied)).toEqual({ reason: 'verified', detail: 'signer → Test Azure Issuing CA 02 → Test Azure Root' });
  });
});

describe('refused', () => {
  it('a document signed by a self-made CA with the right subject name (the shipped store)', async () => {
    const shipped = createAzureTrustStore();
    const result = await verify(docBy(signer), shipped);
    expect(outcome(result)).toMatchObject({ reason: 'unknown_signer', detail: expect.stringMatching(/no trusted CA is named as the issuer/) });
  });

  it('a self-signed signer certificate with the right names', async () => {
    const selfMade = await createRoot('metadata.azure.com', { dnsNames: ['metadata.azure.com'], subject: 'CN=metadata.azure.com', ca: false, keyUsage: KeyUsageFlags.digitalSignature });
    const asSigner: TestSigner = { ...selfMade, privateKey: (await import('node:crypto')).KeyObject.from(selfMade.keys.privateKey as never) };
    expect(outcome(await verify(docBy(asSigner))).reason).toBe('unknown_signer');
  });

  it.each([
    ['a SAN outside Azure, with the right CN', { dnsNames: ['metadata.azure.com.evil.example'] }],
    ['a SAN of another domain', { dnsNames: ['evil.example'] }],
    ['the retired Azure Germany domain', { dnsNames: ['metadata.microsoftazure.de'], subject: 'CN=metadata.microsoftazure.de' }],
    ['no SAN and a wrong CN', { dnsNames: undefined, subject: 'CN=metadata-azure.com' }],
    ['an IP address SAN only', { dnsNames: [], subject: 'CN=metadata.azure.com' }],
  ])('a signer with %s (unknown_signer)', async (_, options) => {
    const wrong = await createSigner(intermediate, options as never);
    const result = await verify(docBy(wrong));
    expect(outcome(result)).toMatchObject({ reason: 'unknown_signer', detail: expect.stringMatching(/none under metadata\.azure\.com\/\.us\/\.cn/) });
  });

  it('accepts a signer without SANs whose CN is right (RFC 6125 fallback)', async () => {
    const cnOnly = await createSigner(intermediate, { dnsNames: undefined, subject: 'CN=westeurope.metadata.azure.com' } as never);
    expect(outcome(await verify(docBy(cnOnly))).reason).toBe('verified');
  });

  it('a chain that skips an intermediate: the signer names a CA the store does not have', async () => {
    const unknown = await createIntermediate('Test Azure Issuing CA 99', root);
    const skipped = await createSigner(unknown);
    expect(outcome(await verify(docBy(skipped)))).toMatchObject({ reason: 'unknown_signer' });
  });

  it('a chain that skips an intermediate: the signer names the root as issuer but the intermediate signed it', async () => {
    const forged = await createSigner(intermediate, { issuerName: 'CN=Test Azure Root' });
    expect(outcome(await verify(docBy(forged)))).toMatchObject({ reason: 'invalid_signature', detail: expect.stringMatching(/root "Test Azure Root": signature does not verify/) });
  });

  const storeWith = (ca: TestCa) => createAzureTrustStore({ includeAzureCertificates: false, extraRoots: [root.pem], extraIntermediates: [ca.pem] });

  it.each([
    ['expired', { notAfter: new Date(NOW.getTime() - DAY) }, /intermediate "Bad CA" expired at /],
    ['not yet valid', { notBefore: new Date(NOW.getTime() + DAY) }, /intermediate "Bad CA" is not valid before /],
    ['without keyCertSign', { keyUsage: KeyUsageFlags.digitalSignature | KeyUsageFlags.cRLSign }, /may not sign certificates/],
    ['with an unknown critical extension', { extraExtensions: [unknownExtension(true)] }, /unsupported critical extension\(s\) 1\.3\.6\.1\.4\.1\.99999\.1/],
    ['with a 1024-bit key', { bits: 1024 }, /issuer key has 1024 bits, at least 2048 required/],
  ])('an intermediate that is %s (invalid_signature)', async (_, options, detail) => {
    const bad = await createIntermediate('Bad CA', root, options as never);
    const under = await createSigner(bad);
    expect(outcome(await verify(docBy(under), storeWith(bad)))).toMatchObject({ reason: 'invalid_signature', detail: expect.stringMatching(detail) });
  });

  it.each([
    ['not a CA (cA false)', { ca: false }],
    ['without basicConstraints', { noBasicConstraints: true }],
  ])('an intermediate that is %s: refused by policy at start-up, and on a path from elsewhere', async (_, options) => {
    const bad = await createIntermediate('Bad CA', root, options as never);
    expect(() => storeWith(bad)).toThrow(/azure\.extraIntermediates\[0\]: not a CA certificate/);
    const parsed = parseX509Certificate(bad.der);
    if (!parsed.ok) throw new Error(parsed.detail);
    const result = await verifyAzureAttestedDocument(docBy(await createSigner(bad)), { now: NOW, trust, untrustedIntermediates: [parsed.certificate] });
    expect(outcome(result)).toMatchObject({ reason: 'invalid_signature', detail: expect.stringMatching(/intermediate "Bad CA" is not a CA \(basicConstraints\)/) });
  });

  it('a signer certificate signed with SHA-1 (invalid_signature)', async () => {
    const sha1 = await createIntermediate('Bad CA', root, { hash: 'SHA-1' });
    const bad = await createSigner(sha1);
    expect(outcome(await verify(docBy(bad), storeWith(sha1)))).toMatchObject({
      reason: 'invalid_signature',
      detail: expect.stringMatching(/signature algorithm 1\.2\.840\.113549\.1\.1\.5 is not accepted/),
    });
  });

  it('an intermediate with an unknown non-critical extension is fine', async () => {
    const ok = await createIntermediate('Bad CA', root, { extraExtensions: [unknownExtension(false)] });
    expect(outcome(await verify(docBy(await createSigner(ok)), storeWith(ok))).reason).toBe('verified');
  });

  it('a path longer than an intermediate pathLenConstraint allows', async () => {
    const upper = await createIntermediate('Upper CA', root, { pathLength: 0 });
    const lower = await createIntermediate('Lower CA', upper);
    const store = createAzureTrustStore({ includeAzureCertificates: false, extraRoots: [root.pem], extraIntermediates: [upper.pem, lower.pem] });
    expect(outcome(await verify(docBy(await createSigner(lower)), store))).toMatchObject({
      reason: 'invalid_signature',
      detail: expect.stringMatching(/intermediate "Upper CA" allows 0 intermediate\(s\) below it, the path has 1/),
    });
    const roomy = await createIntermediate('Upper CA', root, { pathLength: 1 });
    const lower2 = await createIntermediate('Lower CA', roomy);
    const store2 = createAzureTrustStore({ includeAzureCertificates: false, extraRoots: [root.pem], extraIntermediates: [roomy.pem, lower2.pem] });
    expect(outcome(await verify(docBy(await createSigner(lower2)), store2))).toEqual({ reason: 'verified', detail: 'signer → Lower CA → Upper CA → Test Azure Root' });
  });

  it.each([
    ['expired', { notAfter: new Date(NOW.getTime() - 1) }, /the signer certificate expired at /],
    ['not yet valid', { notBefore: new Date(NOW.getTime() + 1000) }, /the signer certificate is not valid before /],
    ['a CA', { ca: true }, /the signer certificate is a CA certificate/],
    ['without digitalSignature', { keyUsage: KeyUsageFlags.keyEncipherment }, /keyUsage lacks digitalSignature/],
    ['with an unknown critical extension', { extraExtensions: [unknownExtension(true)] }, /unsupported critical extension/],
  ])('a signer certificate that is %s (invalid_signature)', async (_, options, detail) => {
    const bad = await createSigner(intermediate, options as never);
    expect(outcome(await verify(docBy(bad)))).toMatchObject({ reason: 'invalid_signature', detail: expect.stringMatching(detail) });
  });

  it('an expired root', async () => {
    const oldRoot = await createRoot('Old Root', { notAfter: new Date(NOW.getTime() - DAY) });
    const store = createAzureTrustStore({ includeAzureCertificates: false, extraRoots: [oldRoot.pem] });
    expect(outcome(await verify(docBy(await createSigner(oldRoot)), store))).toMatchObject({ reason: 'invalid_signature', detail: expect.stringMatching(/root "Old Root" expired at /) });
  });

  it('a document signed by another key than the embedded certificate', async () => {
    const other = await createSigner(intermediate);
    const mixed: TestSigner = { ...signer, privateKey: other.privateKey };
    expect(outcome(await verify(docBy(mixed))).reason).toBe('invalid_signature');
  });

  it('a stale document (timeStamp.expiresOn passed) from a valid signer', async () => {
    const body = imdsBody(signAttested(signer, content({ createdOn: new Date(NOW.getTime() - 7 * 3600_000), expiresOn: new Date(NOW.getTime() - 3600_000) })));
    expect(outcome(await verify(body)).reason).toBe('stale_document');
  });
});

describe('refused: a self-made copy of a shipped Microsoft G2 name (the shipped store, at 2026-11-30)', () => {
  // The subjects below are byte-for-byte the DER Names of the shipped certificates (PrintableString
  // C, O, CN), so the store does find the real CA as the candidate issuer: only its signature
  // check stands between the forger and a verified document.
  const G2_CA = 'C=US, O=Microsoft Corporation, CN=Microsoft TLS G2 RSA CA OCSP 02';
  const G2_ROOT = 'C=US, O=Microsoft Corporation, CN=Microsoft TLS RSA Root G2';
  const shipped = createAzureTrustStore();
  // One key for every forged CA and signer: key generation dominates these tests' time, and
  // the keys being the forger's (not Microsoft's) is all that matters.
  let keys: CryptoKeyPair;
  beforeAll(async () => {
    keys = (await createRoot('Forger key')).keys;
  });
  const asFetched = (ca: TestCa) => {
    const parsed = parseX509Certificate(ca.der);
    if (!parsed.ok) throw new Error(parsed.detail);
    return [parsed.certificate];
  };

  it.each([
    ['issued by a self-made root, alone', 'self-made root', false, /^signer chain: the signer certificate → intermediate "Microsoft TLS G2 RSA CA OCSP 02": signature does not verify$/],
    ['issued by a self-made root, and supplied as a fetched intermediate', 'self-made root', true, /the signer certificate → intermediate "Microsoft TLS G2 RSA CA OCSP 02": signature does not verify/],
    ['issued by a self-made "Microsoft TLS RSA Root G2", supplied as fetched', 'copied root', true, /"Microsoft TLS G2 RSA CA OCSP 02" → intermediate "Microsoft TLS RSA Root G2": signature does not verify/],
  ] as const)('a copy of "Microsoft TLS G2 RSA CA OCSP 02" %s (invalid_signature)', async (_, rootKind, fetched, detail) => {
    const forgedRoot = rootKind === 'copied root' ? await createRoot('Microsoft TLS RSA Root G2', { subject: G2_ROOT, keys }) : await createRoot('Forger Root', { keys });
    const copy = await createIntermediate('Microsoft TLS G2 RSA CA OCSP 02', forgedRoot, { subject: G2_CA, keys });
    const parsedCopy = parseX509Certificate(copy.der);
    const real = shipped.entries().find((ca) => ca.name === 'Microsoft TLS G2 RSA CA OCSP 02');
    expect(parsedCopy.ok && real !== undefined && Buffer.from(parsedCopy.certificate.subject).equals(real.certificate.subject)).toBe(true);
    const forged = await createSigner(copy, { keys });
    const result = await verifyAzureAttestedDocument(docBy(forged, [forged.der, copy.der, forgedRoot.der]), {
      now: NOW,
      trust: shipped,
      ...(fetched ? { untrustedIntermediates: asFetched(copy) } : {}),
    });
    expect(outcome(result)).toMatchObject({ reason: 'invalid_signature', detail: expect.stringMatching(detail) });
  });

  it('a signer that names "Microsoft TLS RSA Root G2" as its issuer, signed by a self-made key of that name (invalid_signature)', async () => {
    const forgedRoot = await createRoot('Microsoft TLS RSA Root G2', { subject: G2_ROOT, keys });
    const forged = await createSigner(forgedRoot, { keys });
    expect(outcome(await verify(docBy(forged), shipped))).toMatchObject({
      reason: 'invalid_signature',
      detail: expect.stringMatching(/intermediate "Microsoft TLS RSA Root G2": signature does not verify/),
    });
  });
});

describe('validity boundaries are inclusive and exact', () => {
  it.each([
    ['at notBefore', 0, 'verified'],
    ['1 ms before notBefore', -1, 'invalid_signature'],
  ])('signer %s', async (_, offset, expected) => {
    const start = new Date('2026-11-30T11:00:00Z');
    const timed = await createSigner(intermediate, { notBefore: start, notAfter: new Date('2026-12-30T00:00:00Z') });
    const body = imdsBody(signAttested(timed, content({ createdOn: start, expiresOn: new Date(start.getTime() + 3600_000) })));
    expect(outcome(await verify(body, trust, new Date(start.getTime() + offset))).reason).toBe(expected);
  });

  it.each([
    ['at notAfter', 0, 'verified'],
    ['1 ms after notAfter', 1, 'invalid_signature'],
  ])('intermediate %s', async (_, offset, expected) => {
    const end = new Date('2026-11-30T12:30:00Z');
    const ca = await createIntermediate('Bad CA', root, { notAfter: end });
    const under = await createSigner(ca);
    expect(outcome(await verify(docBy(under), storeWith2(ca), new Date(end.getTime() + offset))).reason).toBe(expected);
  });
  const storeWith2 = (ca: TestCa) => createAzureTrustStore({ includeAzureCertificates: false, extraRoots: [root.pem], extraIntermediates: [ca.pem] });
});

describe('validateSignerChain', () => {
  it('bounds the work: never more than MAX_SIGNATURE_CHECKS verifications, whatever the store holds', async () => {
    // Twenty same-named intermediates, none the real issuer: each is a candidate whose signature fails.
    const decoyKeys = (await createRoot('decoy')).keys;
    const decoys = await Promise.all(Array.from({ length: 20 }, () => createIntermediate('Test Azure Issuing CA 01', root, { keys: decoyKeys })));
    const store = createAzureTrustStore({ includeAzureCertificates: false, extraRoots: [root.pem], extraIntermediates: decoys.map((d) => d.pem) });
    const leaf = parseX509Certificate(signer.der);
    if (!leaf.ok) throw new Error(leaf.detail);
    const result = await validateSignerChain(leaf.certificate, { trust: store, now: NOW });
    expect(result).toMatchObject({ ok: false, kind: 'invalid', detail: expect.stringMatching(/signature does not verify/) });
    expect(store.verifiedSigners.size).toBeLessThanOrEqual(16);
  });
});

describe('isAzureSignerName', () => {
  it.each([
    'metadata.azure.com',
    'eastus.metadata.azure.com',
    'EastUS.Metadata.Azure.COM',
    'usgovvirginia.metadata.azure.us',
    'metadata.azure.us',
    'chinanorth.metadata.azure.cn',
    'a.b.metadata.azure.com',
    '*.metadata.azure.com',
    '*.metadata.azure.cn',
  ])('%s qualifies', (name) => {
    expect(isAzureSignerName(name)).toBe(true);
  });

  it.each([
    '',
    'metadata.azure.com.',
    'metadata.azure.com.evil.example',
    'evilmetadata.azure.com',
    'metadata.azure.co',
    'azure.com',
    '.metadata.azure.com',
    'a..metadata.azure.com',
    '-a.metadata.azure.com',
    'a_b.metadata.azure.com',
    'a*.metadata.azure.com',
    '*.*.metadata.azure.com',
    'x.*.metadata.azure.com',
    '*.azure.com',
    'metadata.microsoftazure.de',
    'metadata.azure.com\u0000',
    `${'a'.repeat(64)}.metadata.azure.com`,
    `${'a.'.repeat(120)}metadata.azure.com`,
  ])('%j does not', (name) => {
    expect(isAzureSignerName(name)).toBe(false);
  });
});
