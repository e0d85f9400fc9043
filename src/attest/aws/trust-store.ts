/**
 * Which keys may sign an AWS instance identity document of a given region. No I/O, no clock.
 * Built once per isolate: AWS's published regional keys (generated table) plus certificates
 * policy adds (new regions, tests, the `npm start` dev signer), each decoded or parsed lazily
 * once, with one cache of imported keys.
 *
 * The generated table ships no certificates, only what verification reads from them: the key,
 * and for the rsa2048 PKCS7 the issuer, serial number and subjectKeyIdentifier a SignerInfo
 * names its certificate by. `isNamedBy` matches those exactly as the CMS layer matches a
 * certificate, so a PKCS7 is held to the same signer identifier as when the table held PEMs.
 *
 * Validity periods are deliberately not enforced on signatures. AWS documents these
 * certificates as carriers of the public key for signature verification only; AWS's own
 * tooling, SPIRE (awsiid) and Teleport (ec2join) verify with `-noverify`-style semantics,
 * several rsa1024 certificates have been re-issued with the same key after expiring, and an
 * instance's document stays signed by the key it was issued under. Enforcing notAfter would
 * turn an AWS bookkeeping date into an outage. Instead, test/attest/aws/certificates.test.ts
 * lists certificates that expire within a year, so operators learn of a rotation early.
 */
import {
  decodeBase64,
  equalBytes,
  matchesSignerIdentifier,
  parseCertificatesPem,
  RsaKeyCache,
  type SignerCertificate,
  type SignerIdentifier,
  type TrustedPublicKey,
} from '../cms/index.js';
import {
  AWS_CERTIFICATE_ISSUERS,
  AWS_PUBLIC_KEYS,
  AWS_RSA2048_CERTIFICATES,
  AWS_SIGNATURE_CERTIFICATES,
  type AwsCertificateFacts,
  type AwsPkcs7CertificateFacts,
} from './certificates.generated.js';
import { REGION } from './document.js';

/** `rsa2048`: the PKCS7 (CMS SignedData); `signature`: the base64 RSA SHA-256 signature over the document. */
export type AwsSignatureForm = 'rsa2048' | 'signature';

export const AWS_SIGNATURE_FORMS: readonly AwsSignatureForm[] = ['rsa2048', 'signature'];

export interface AwsTrustedCertificate {
  /** A region code, or '*' for every region (e.g. the development signer). */
  readonly region: string;
  /** One PEM certificate whose RSA key signs documents. */
  readonly certificatePem: string;
  /** Which document form it verifies; both when absent. */
  readonly form?: AwsSignatureForm;
}

export interface AwsTrustStoreOptions {
  /** Trust AWS's published regional keys (default true). False: only `extra`. */
  readonly includeAwsCertificates?: boolean;
}

/** How a PKCS7 SignerInfo `sid` may name a certificate (RFC 5652 §5.3), as the certificate encodes it. */
export interface AwsSignerNames {
  /** DER of the issuer Name. */
  readonly issuer: Uint8Array;
  /** Contents octets of the serialNumber INTEGER. */
  readonly serialNumber: Uint8Array;
  readonly subjectKeyIdentifier?: Uint8Array;
}

/** One of AWS's published keys, from the generated table. */
export interface AwsPublishedKey extends TrustedPublicKey {
  /** The names of the key's certificate: rsa2048 only (the `signature` form has no SignerInfo). */
  readonly signerNames?: AwsSignerNames;
}

/** A candidate signer: an AWS published key, or a certificate policy added. */
export type AwsSigner = AwsPublishedKey | SignerCertificate;

export interface AwsTrustedEntry {
  readonly region: string;
  readonly form: AwsSignatureForm;
  readonly source: 'aws' | 'extra';
  readonly signer: AwsSigner;
  /** The certificate's notAfter: reported (expiry report, diagnostics), never enforced. */
  readonly notAfter: Date;
}

export interface AwsTrustStore {
  /**
   * Candidates for a document claiming `region` in `form`: the region's AWS key, policy
   * certificates for that region, then policy certificates for '*'. Empty means no trusted
   * signer at all: the caller answers `unknown_signer`. For a PKCS7, keep only the candidates
   * its SignerInfo names (`isNamedBy`) before verifying.
   */
  signersFor(region: string, form: AwsSignatureForm): readonly AwsSigner[];
  /** Every trusted key (decodes the whole table; for expiry reports and diagnostics). */
  entries(): readonly AwsTrustedEntry[];
  /** Imported keys, shared by every verification through this store. */
  readonly keyCache: RsaKeyCache;
}

/** A configuration error: thrown when the store is built, never while verifying. */
export class AwsTrustConfigError extends Error {
  override readonly name = 'AwsTrustConfigError';
  readonly code = 'invalid_aws_trust_config';
}

/**
 * Whether a PKCS7 SignerInfo's `sid` names `signer`. A certificate is matched by the CMS rule
 * (`matchesSignerIdentifier`); an AWS key by its certificate's recorded names, with the same rule:
 * issuer and serial number, or subjectKeyIdentifier, byte for byte. The CMS layer would try a
 * bare key under any sid, and the sid is not covered by the signature; matching it here keeps
 * a PKCS7 that names another certificate refused (`signer_not_found`), as when the table held
 * the certificates. A key without names (the `signature` form) is named by no sid.
 */
export function isNamedBy(signer: AwsSigner, sid: SignerIdentifier): boolean {
  if (signer.kind === 'certificate') return matchesSignerIdentifier(signer, sid);
  const names = signer.signerNames;
  if (names === undefined) return false;
  if (sid.kind === 'subjectKeyIdentifier') {
    return names.subjectKeyIdentifier !== undefined && equalBytes(names.subjectKeyIdentifier, sid.keyIdentifier);
  }
  return equalBytes(names.serialNumber, sid.serialNumber) && equalBytes(names.issuer, sid.issuer);
}

type BuiltInFacts = AwsCertificateFacts | AwsPkcs7CertificateFacts;

const BUILT_IN: Readonly<Record<AwsSignatureForm, Readonly<Record<string, BuiltInFacts>>>> = {
  rsa2048: AWS_RSA2048_CERTIFICATES,
  signature: AWS_SIGNATURE_CERTIFICATES,
};

function parseOne(pem: string, where: string): SignerCertificate {
  const parsed = parseCertificatesPem(pem);
  if (!parsed.ok) throw new AwsTrustConfigError(`${where}: ${parsed.error.detail}`);
  const [certificate, ...more] = parsed.value;
  if (certificate === undefined || more.length > 0) throw new AwsTrustConfigError(`${where}: expected exactly one certificate`);
  if (certificate.publicKeyAlgorithm !== '1.2.840.113549.1.1.1') {
    throw new AwsTrustConfigError(`${where}: the key is ${certificate.publicKeyAlgorithm}, not RSA`);
  }
  return certificate;
}

function fromHex(hex: string): Uint8Array | undefined {
  if (!/^(?:[0-9a-f]{2})+$/.test(hex)) return undefined;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

function signerNames(facts: AwsPkcs7CertificateFacts, where: string): AwsSignerNames {
  const issuer = decodeBase64(AWS_CERTIFICATE_ISSUERS[facts.issuer] ?? '');
  const serialNumber = fromHex(facts.serialNumber);
  const subjectKeyIdentifier = facts.subjectKeyIdentifier === undefined ? undefined : fromHex(facts.subjectKeyIdentifier);
  if (issuer === undefined || serialNumber === undefined || (facts.subjectKeyIdentifier !== undefined && subjectKeyIdentifier === undefined)) {
    throw new AwsTrustConfigError(`${where}: unreadable signer names`);
  }
  return { issuer, serialNumber, ...(subjectKeyIdentifier === undefined ? {} : { subjectKeyIdentifier }) };
}

export function createAwsTrustStore(
  extra: ReadonlyArray<AwsTrustedCertificate> = [],
  options: AwsTrustStoreOptions = {},
): AwsTrustStore {
  const includeAws = options.includeAwsCertificates ?? true;
  const builtIn = new Map<AwsSignatureForm, ReadonlyMap<string, BuiltInFacts>>(
    AWS_SIGNATURE_FORMS.map((form) => [form, new Map(includeAws ? Object.entries(BUILT_IN[form]) : [])]),
  );
  const decodedKeys = new Map<number, Uint8Array>();
  const decodedBuiltIn = new Map<string, AwsPublishedKey>();

  const byRegion = new Map<string, SignerCertificate[]>();
  const extraEntries: AwsTrustedEntry[] = [];
  extra.forEach((entry, index) => {
    const where = `extra[${index}] (${String(entry.region)})`;
    if (entry.region !== '*' && !REGION.test(entry.region)) throw new AwsTrustConfigError(`${where}: region must be a region code or '*'`);
    if (entry.form !== undefined && !AWS_SIGNATURE_FORMS.includes(entry.form)) {
      throw new AwsTrustConfigError(`${where}: form must be 'rsa2048' or 'signature'`);
    }
    const certificate = parseOne(entry.certificatePem, where);
    for (const form of entry.form === undefined ? AWS_SIGNATURE_FORMS : [entry.form]) {
      const key = `${form}:${entry.region}`;
      byRegion.set(key, [...(byRegion.get(key) ?? []), certificate]);
      extraEntries.push({ region: entry.region, form, source: 'extra', signer: certificate, notAfter: certificate.notAfter });
    }
  });

  const spkiOf = (index: number, where: string): Uint8Array => {
    let spki = decodedKeys.get(index);
    if (spki === undefined) {
      spki = decodeBase64(AWS_PUBLIC_KEYS[index] ?? '');
      if (spki === undefined) throw new AwsTrustConfigError(`${where}: no key ${index} in the table`);
      decodedKeys.set(index, spki);
    }
    return spki;
  };

  const awsKey = (region: string, form: AwsSignatureForm): AwsPublishedKey | undefined => {
    const facts = builtIn.get(form)?.get(region);
    if (facts === undefined) return undefined;
    const id = `${form}:${region}`;
    let key = decodedBuiltIn.get(id);
    if (key === undefined) {
      const where = `AWS ${form} key for ${region}`;
      const spki = spkiOf(facts.key, where);
      key = 'issuer' in facts ? { kind: 'key', spki, label: where, signerNames: signerNames(facts, where) } : { kind: 'key', spki, label: where };
      decodedBuiltIn.set(id, key);
    }
    return key;
  };

  return {
    keyCache: new RsaKeyCache(),
    signersFor(region, form) {
      if (!REGION.test(region)) return [];
      const own = awsKey(region, form);
      return [...(own === undefined ? [] : [own]), ...(byRegion.get(`${form}:${region}`) ?? []), ...(byRegion.get(`${form}:*`) ?? [])];
    },
    entries() {
      const aws: AwsTrustedEntry[] = [];
      for (const form of AWS_SIGNATURE_FORMS) {
        for (const [region, facts] of builtIn.get(form) ?? []) {
          const signer = awsKey(region, form);
          if (signer !== undefined) aws.push({ region, form, source: 'aws', signer, notAfter: new Date(facts.notAfter) });
        }
      }
      return [...aws, ...extraEntries];
    },
  };
}
