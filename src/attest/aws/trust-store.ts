/**
 * Which certificates may sign an AWS instance identity document of a given region. No I/O,
 * no clock. Built once per isolate: AWS's published regional certificates (generated table)
 * plus certificates policy adds (new regions, tests, the `npm start` dev signer), parsed lazily
 * once each, with one cache of imported keys.
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
  parseCertificatesPem,
  RsaKeyCache,
  type SignerCertificate,
} from '../cms/index.js';
import { AWS_RSA2048_CERTIFICATES, AWS_SIGNATURE_CERTIFICATES } from './certificates.generated.js';
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
  /** Trust AWS's published regional certificates (default true). False: only `extra`. */
  readonly includeAwsCertificates?: boolean;
}

export interface AwsTrustedEntry {
  readonly region: string;
  readonly form: AwsSignatureForm;
  readonly source: 'aws' | 'extra';
  readonly certificate: SignerCertificate;
}

export interface AwsTrustStore {
  /**
   * Candidates for a document claiming `region` in `form`: the region's AWS certificate, policy
   * certificates for that region, then policy certificates for '*'. Empty means no trusted
   * signer at all: the caller answers `unknown_signer`.
   */
  signersFor(region: string, form: AwsSignatureForm): readonly SignerCertificate[];
  /** Every trusted certificate (parses the whole table; for expiry reports and diagnostics). */
  entries(): readonly AwsTrustedEntry[];
  /** Imported keys, shared by every verification through this store. */
  readonly keyCache: RsaKeyCache;
}

/** A configuration error: thrown when the store is built, never while verifying. */
export class AwsTrustConfigError extends Error {
  override readonly name = 'AwsTrustConfigError';
  readonly code = 'invalid_aws_trust_config';
}

const BUILT_IN: Readonly<Record<AwsSignatureForm, Readonly<Record<string, string>>>> = {
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

export function createAwsTrustStore(
  extra: ReadonlyArray<AwsTrustedCertificate> = [],
  options: AwsTrustStoreOptions = {},
): AwsTrustStore {
  const includeAws = options.includeAwsCertificates ?? true;
  const builtIn = new Map<AwsSignatureForm, ReadonlyMap<string, string>>(
    AWS_SIGNATURE_FORMS.map((form) => [form, new Map(includeAws ? Object.entries(BUILT_IN[form]) : [])]),
  );
  const parsedBuiltIn = new Map<string, SignerCertificate>();

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
      extraEntries.push({ region: entry.region, form, source: 'extra', certificate });
    }
  });

  const awsCertificate = (region: string, form: AwsSignatureForm): SignerCertificate | undefined => {
    const pem = builtIn.get(form)?.get(region);
    if (pem === undefined) return undefined;
    const key = `${form}:${region}`;
    let certificate = parsedBuiltIn.get(key);
    if (certificate === undefined) {
      certificate = parseOne(pem, `built-in ${form} certificate for ${region}`);
      parsedBuiltIn.set(key, certificate);
    }
    return certificate;
  };

  return {
    keyCache: new RsaKeyCache(),
    signersFor(region, form) {
      if (!REGION.test(region)) return [];
      const own = awsCertificate(region, form);
      return [...(own === undefined ? [] : [own]), ...(byRegion.get(`${form}:${region}`) ?? []), ...(byRegion.get(`${form}:*`) ?? [])];
    },
    entries() {
      const aws: AwsTrustedEntry[] = [];
      for (const form of AWS_SIGNATURE_FORMS) {
        for (const region of builtIn.get(form)?.keys() ?? []) {
          const certificate = awsCertificate(region, form);
          if (certificate !== undefined) aws.push({ region, form, source: 'aws', certificate });
        }
      }
      return [...aws, ...extraEntries];
    },
  };
}
