/**
 * Generates src/attest/aws/certificates.generated.ts from the AWS regional certificates in
 * ../shared/vectors/aws/certs/{rsa2048,rsa1024}/<region>.pem (see that folder's README for
 * provenance). Run: `npx tsx scripts/gen-aws-certs.ts [certsDir]`.
 * `renderAwsCertificatesModule` is exported so a test can check the committed file is current.
 *
 * The Worker ships only what verification reads, not the certificates: each region's DER
 * SubjectPublicKeyInfo (deduplicated: one key list, regions point into it), the issuer, serial
 * number and subjectKeyIdentifier by which an rsa2048 PKCS7 SignerInfo names its certificate,
 * and notAfter for the expiry report. Every field is extracted with the verifier's own parser
 * (src/attest/cms), so the bytes are exactly those it compared when it parsed the PEM at runtime.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCertificatesPem, type SignerCertificate } from '../src/attest/cms/index.js';

const here = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_CERTS_DIR = resolve(here, '../../shared/vectors/aws/certs');
export const OUTPUT_FILE = resolve(here, '../src/attest/aws/certificates.generated.ts');

const OID_RSA_ENCRYPTION = '1.2.840.113549.1.1.1';

const TABLES = [
  {
    dir: 'rsa2048',
    name: 'AWS_RSA2048_CERTIFICATES',
    type: 'AwsPkcs7CertificateFacts',
    signerNames: true,
    doc: 'The RSA-2048 certificates for the `rsa2048` PKCS7 (/latest/dynamic/instance-identity/rsa2048), by region.',
  },
  {
    dir: 'rsa1024',
    name: 'AWS_SIGNATURE_CERTIFICATES',
    type: 'AwsCertificateFacts',
    signerNames: false,
    doc: 'The RSA certificates for the base64 `signature` (/latest/dynamic/instance-identity/signature, RSA PKCS#1 v1.5 SHA-256), by region.',
  },
] as const;

function readTable(dir: string): Array<[string, SignerCertificate]> {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.pem'))
    .sort()
    .map((f) => {
      const where = join(dir, f);
      const pem = readFileSync(where, 'utf8').replace(/\r\n/g, '\n').trim() + '\n';
      if (!/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n$/.test(pem)) {
        throw new Error(`${where}: not a single PEM certificate`);
      }
      const parsed = parseCertificatesPem(pem);
      if (!parsed.ok) throw new Error(`${where}: ${parsed.error.detail}`);
      const [certificate, ...more] = parsed.value;
      if (certificate === undefined || more.length > 0) throw new Error(`${where}: expected exactly one certificate`);
      if (certificate.publicKeyAlgorithm !== OID_RSA_ENCRYPTION) throw new Error(`${where}: the key is ${certificate.publicKeyAlgorithm}, not RSA`);
      return [f.slice(0, -'.pem'.length), certificate];
    });
}

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
/** RFC 3339 in UTC, whole seconds (X.509 times carry no fractions). */
const rfc3339 = (date: Date): string => date.toISOString().replace(/\.000Z$/, 'Z');

/** Index of `value` in `list`, appending it the first time it is seen. */
function indexIn(list: string[], value: string): number {
  const at = list.indexOf(value);
  return at >= 0 ? at : list.push(value) - 1;
}

export function renderAwsCertificatesModule(certsDir: string = DEFAULT_CERTS_DIR): string {
  const keys: string[] = [];
  const issuers: string[] = [];
  const tables = TABLES.map((table) => {
    const rows = readTable(join(certsDir, table.dir)).map(([region, certificate]) => {
      const fields = [`key: ${indexIn(keys, base64(certificate.spki))}`];
      if (table.signerNames) {
        fields.push(`issuer: ${indexIn(issuers, base64(certificate.issuer))}`, `serialNumber: ${JSON.stringify(hex(certificate.serialNumber))}`);
        if (certificate.subjectKeyIdentifier !== undefined) fields.push(`subjectKeyIdentifier: ${JSON.stringify(hex(certificate.subjectKeyIdentifier))}`);
      }
      fields.push(`notAfter: ${JSON.stringify(rfc3339(certificate.notAfter))}`);
      return `  ${JSON.stringify(region)}: { ${fields.join(', ')} },`;
    });
    return [`/** ${table.doc} */`, `export const ${table.name}: Readonly<Record<string, ${table.type}>> = {`, ...rows, '};', ''];
  });

  return [
    '// generated, do not edit: run `npx tsx scripts/gen-aws-certs.ts` to regenerate.',
    '// Source: ../shared/vectors/aws/certs/{rsa2048,rsa1024}/<region>.pem, the AWS regional',
    '// certificates published in the EC2 User Guide ("Verify the instance identity document"),',
    '// as collected by spiffe/spire; provenance in ../shared/vectors/aws/README.md. Only what',
    '// verification and the expiry report read is kept; the certificates themselves are not shipped.',
    '',
    '/** One region\'s certificate, reduced to its key and expiry. */',
    'export interface AwsCertificateFacts {',
    '  /** Index into AWS_PUBLIC_KEYS. */',
    '  readonly key: number;',
    '  /** The certificate\'s notAfter (RFC 3339): reported by the expiry test, never enforced. */',
    '  readonly notAfter: string;',
    '}',
    '',
    '/** A certificate that signs PKCS7, with how a SignerInfo `sid` names it (RFC 5652 §5.3). */',
    'export interface AwsPkcs7CertificateFacts extends AwsCertificateFacts {',
    '  /** Index into AWS_CERTIFICATE_ISSUERS. */',
    '  readonly issuer: number;',
    '  /** Contents octets of the serialNumber INTEGER, hex. */',
    '  readonly serialNumber: string;',
    '  /** The subjectKeyIdentifier extension, hex, when the certificate has one. */',
    '  readonly subjectKeyIdentifier?: string;',
    '}',
    '',
    '/** Every distinct key, as DER SubjectPublicKeyInfo (base64); all RSA. */',
    'export const AWS_PUBLIC_KEYS: readonly string[] = [',
    ...keys.map((key) => `  ${JSON.stringify(key)},`),
    '];',
    '',
    '/** Every distinct issuer of the rsa2048 certificates, as DER Name (base64). */',
    'export const AWS_CERTIFICATE_ISSUERS: readonly string[] = [',
    ...issuers.map((issuer) => `  ${JSON.stringify(issuer)},`),
    '];',
    '',
    ...tables.flat(),
  ].join('\n');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const certsDir = resolve(process.argv[2] ?? DEFAULT_CERTS_DIR);
  writeFileSync(OUTPUT_FILE, renderAwsCertificatesModule(certsDir));
  console.log(`wrote ${OUTPUT_FILE} from ${certsDir}`);
}
