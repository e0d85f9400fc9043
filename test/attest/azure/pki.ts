/**
 * A certificate authority made in the test, for Azure-shaped documents the test controls: a
 * root, intermediates and IMDS-like signer certificates with chosen names, validity and
 * extensions (@peculiar/x509 — a test dependency, never in the Worker bundle), and the PKCS7 as
 * IMDS lays it out (no signed attributes, digestAlgorithm sha256WithRSAEncryption, the signer
 * certificate embedded), built by test/attest/cms/craft.ts and signed with node:crypto.
 */
import {
  BasicConstraintsExtension,
  Extension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  X509CertificateGenerator,
  type X509Certificate,
} from '@peculiar/x509';
import { KeyObject, webcrypto } from 'node:crypto';
import { craftSignedData, OID } from '../cms/craft.js';

const ALGORITHM = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;
const subtle = webcrypto.subtle as unknown as SubtleCrypto;
const cryptoProvider = webcrypto as unknown as Crypto;

export interface TestCa {
  readonly name: string;
  readonly keys: CryptoKeyPair;
  readonly certificate: X509Certificate;
  readonly der: Uint8Array;
  readonly pem: string;
}

export interface TestSigner extends TestCa {
  readonly privateKey: KeyObject;
}

export interface CertificateOptions {
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** Subject as an X.500 string, e.g. `CN=metadata.azure.com`. Default `CN=<name>`. */
  readonly subject?: string;
  /** Override the issuer Name written into the certificate (default: the signing CA's subject). */
  readonly issuerName?: string;
  readonly ca?: boolean;
  readonly pathLength?: number;
  /** Omit basicConstraints entirely. */
  readonly noBasicConstraints?: boolean;
  readonly keyUsage?: number;
  readonly dnsNames?: readonly string[];
  readonly extraExtensions?: readonly Extension[];
  readonly bits?: number;
  /** Reuse a key pair instead of generating one (keeps tests that need many certificates fast). */
  readonly keys?: CryptoKeyPair;
  /** The hash bound to this certificate's key, so the one it signs with (default SHA-256). */
  readonly hash?: 'SHA-256' | 'SHA-384' | 'SHA-1';
}

export const DAY = 86_400_000;
const PAST = new Date(Date.UTC(2020, 0, 1));
const FUTURE = new Date(Date.UTC(2040, 0, 1));

let serial = 0x1000;

async function keyPair(bits = 2048, hash: CertificateOptions['hash'] = 'SHA-256'): Promise<CryptoKeyPair> {
  return (await subtle.generateKey({ ...ALGORITHM, modulusLength: bits, hash }, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** An unrecognised extension, for "critical extensions must be understood". */
export const unknownExtension = (critical: boolean): Extension => new Extension('1.3.6.1.4.1.99999.1', critical, new Uint8Array([0x05, 0x00]));

async function issue(name: string, issuer: TestCa | undefined, options: CertificateOptions): Promise<TestCa> {
  const keys = options.keys ?? (await keyPair(options.bits, options.hash));
  const subject = options.subject ?? `CN=${name}`;
  const extensions: Extension[] = [];
  if (options.noBasicConstraints !== true) {
    extensions.push(new BasicConstraintsExtension(options.ca ?? false, options.pathLength, true));
  }
  if (options.keyUsage !== undefined) extensions.push(new KeyUsagesExtension(options.keyUsage, true));
  if (options.dnsNames !== undefined) extensions.push(new SubjectAlternativeNameExtension(options.dnsNames.map((value) => ({ type: 'dns' as const, value }))));
  extensions.push(...(options.extraExtensions ?? []));
  const certificate = await X509CertificateGenerator.create(
    {
      serialNumber: (serial++).toString(16).padStart(8, '0'),
      subject,
      issuer: options.issuerName ?? issuer?.certificate.subject ?? subject,
      notBefore: options.notBefore ?? PAST,
      notAfter: options.notAfter ?? FUTURE,
      publicKey: keys.publicKey,
      signingKey: (issuer?.keys ?? keys).privateKey,
      // WebCrypto signs with the hash bound to the signing key: name that one.
      signingAlgorithm: (issuer?.keys ?? keys).privateKey.algorithm,
      extensions,
    },
    cryptoProvider,
  );
  const der = new Uint8Array(certificate.rawData);
  return { name, keys, certificate, der, pem: certificate.toString('pem') };
}

/** A self-signed root CA. */
export const createRoot = (name: string, options: CertificateOptions = {}): Promise<TestCa> =>
  issue(name, undefined, { ca: true, keyUsage: KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, ...options });

/** An intermediate CA issued by `issuer`. */
export const createIntermediate = (name: string, issuer: TestCa, options: CertificateOptions = {}): Promise<TestCa> =>
  issue(name, issuer, { ca: true, pathLength: 0, keyUsage: KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign | KeyUsageFlags.digitalSignature, ...options });

/** An IMDS-like signer certificate issued by `issuer`: `metadata.azure.com` in CN and SANs by default. */
export async function createSigner(issuer: TestCa, options: CertificateOptions = {}): Promise<TestSigner> {
  const ca = await issue('metadata.azure.com', issuer, {
    subject: 'C=US, ST=WA, L=Redmond, O=Microsoft Corporation, CN=metadata.azure.com',
    dnsNames: ['eastus.metadata.azure.com', 'metadata.azure.com'],
    keyUsage: KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment,
    ...options,
  });
  return { ...ca, privateKey: KeyObject.from(ca.keys.privateKey as unknown as webcrypto.CryptoKey) };
}

export interface AttestedContentFields {
  nonce: string;
  subscriptionId: string;
  vmId: string;
  createdOn: Date;
  expiresOn: Date;
  sku?: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
/** Azure's `MM/DD/YY HH:MM:SS -0000`. */
export const azureTimestamp = (date: Date): string =>
  `${pad(date.getUTCMonth() + 1)}/${pad(date.getUTCDate())}/${pad(date.getUTCFullYear() % 100)} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} -0000`;

/** The signed content, field order and shape as IMDS writes it (api-version 2020-09-01). */
export function attestedContent(fields: AttestedContentFields): string {
  return JSON.stringify({
    licenseType: '',
    nonce: fields.nonce,
    plan: { name: '', product: '', publisher: '' },
    sku: fields.sku ?? '22_04-lts-gen2',
    subscriptionId: fields.subscriptionId,
    timeStamp: { createdOn: azureTimestamp(fields.createdOn), expiresOn: azureTimestamp(fields.expiresOn) },
    vmId: fields.vmId,
  });
}

/** The PKCS7 as IMDS builds it (DER), over `content`, signed by `signer`, `embed` certificates included (default: the signer's). */
export function signAttested(signer: TestSigner, content: string | Uint8Array, embed: readonly Uint8Array[] = [signer.der]): Uint8Array {
  return craftSignedData({
    content: typeof content === 'string' ? new TextEncoder().encode(content) : content,
    key: signer.privateKey,
    cert: signer.der,
    digestOid: OID.sha256WithRSA,
    attributes: null,
    embed,
  });
}

/** The body IMDS serves: `{"encoding":"pkcs7","signature":"<base64>"}`. */
export const imdsBody = (pkcs7: Uint8Array): string => JSON.stringify({ encoding: 'pkcs7', signature: Buffer.from(pkcs7).toString('base64') });
