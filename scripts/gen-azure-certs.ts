/**
 * Generates src/attest/azure/certificates.generated.ts: the CA certificates the Azure verifier
 * chains IMDS signer certificates to, from test/fixtures/azure/certs/ (provenance of each file in
 * test/fixtures/azure/README.md and SOURCE-README.md):
 *
 * - roots (trust anchors): DigiCert Global Root G2, Baltimore CyberTrust Root (expired
 *   2025-05-12; kept for the 2022 vector and `verify azure --at`);
 * - intermediates (untrusted until chained to a root at request time):
 *   - microsoft-tls-g2-intermediates.pem: "Microsoft TLS G2 RSA CA OCSP 02…16", the issuers of
 *     today's IMDS signer certificates, and microsoft-tls-rsa-root-g2-cross.pem: "Microsoft TLS
 *     RSA Root G2" as cross-signed by DigiCert Global Root G2, their link to that root;
 *   - azure-intermediates-coder.pem: the ten earlier Microsoft issuing CAs, all expired by
 *     2026-08-25, which the 2022–2024 vectors chain through at their own dates.
 *
 * Run: `npx tsx scripts/gen-azure-certs.ts [certsDir]`. `renderAzureCertificatesModule` is
 * exported so a test can check the committed file is current. Each certificate is read with the
 * verifier's own parser (src/attest/azure/x509.ts); a root must be a self-issued CA, an
 * intermediate a CA. Whether each intermediate really chains to a shipped root is checked by
 * test/attest/azure/certificates.test.ts with the verifier's chain code, not assumed here.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePemCertificates } from '../src/attest/cms/encoding.js';
import { parseX509Certificate, type X509Certificate } from '../src/attest/azure/x509.js';

const here = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_CERTS_DIR = resolve(here, '../test/fixtures/azure/certs');
export const OUTPUT_FILE = resolve(here, '../src/attest/azure/certificates.generated.ts');

export const ROOT_FILES = ['digicert-global-root-g2.pem', 'baltimore-cybertrust-root.pem'] as const;
export const INTERMEDIATE_FILES = ['microsoft-tls-g2-intermediates.pem', 'microsoft-tls-rsa-root-g2-cross.pem', 'azure-intermediates-coder.pem'] as const;

interface Named {
  readonly name: string;
  readonly certificate: X509Certificate;
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const rfc3339 = (date: Date): string => date.toISOString().replace(/\.000Z$/, 'Z');

function readPem(path: string): Named[] {
  const ders = decodePemCertificates(readFileSync(path, 'utf8'));
  if (ders === undefined) throw new Error(`${path}: not a PEM certificate bundle`);
  return ders.map((der, index) => {
    const parsed = parseX509Certificate(der);
    if (!parsed.ok) throw new Error(`${path} [${index}]: ${parsed.detail}`);
    const name = parsed.certificate.commonNames[0];
    if (name === undefined) throw new Error(`${path} [${index}]: no subject commonName`);
    if (parsed.certificate.basicConstraints?.ca !== true) throw new Error(`${path} [${index}] ${name}: not a CA certificate`);
    return { name, certificate: parsed.certificate };
  });
}

export function readAzureCertificates(certsDir: string = DEFAULT_CERTS_DIR): { roots: Named[]; intermediates: Named[] } {
  const byName = (a: Named, b: Named) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const roots = ROOT_FILES.flatMap((file) => readPem(join(certsDir, file))).sort(byName);
  for (const root of roots) {
    if (!equal(root.certificate.issuer, root.certificate.subject)) throw new Error(`root ${root.name} is not self-issued`);
  }
  const intermediates = INTERMEDIATE_FILES.flatMap((file) => readPem(join(certsDir, file))).sort(byName);
  const names = [...roots, ...intermediates].map((c) => c.name);
  if (new Set(names).size !== names.length) throw new Error('two certificates share a commonName');
  return { roots, intermediates };
}

export function renderAzureCertificatesModule(certsDir: string = DEFAULT_CERTS_DIR): string {
  const { roots, intermediates } = readAzureCertificates(certsDir);
  const row = ({ name, certificate }: Named) =>
    `  { name: ${JSON.stringify(name)}, notAfter: ${JSON.stringify(rfc3339(certificate.notAfter))}, der: ${JSON.stringify(Buffer.from(certificate.der).toString('base64'))} },`;
  return [
    '// generated, do not edit: run `npx tsx scripts/gen-azure-certs.ts` to regenerate.',
    '// Source: test/fixtures/azure/certs/ (provenance in test/fixtures/azure/README.md): DigiCert',
    '// Global Root G2 and Baltimore CyberTrust Root; the Microsoft TLS G2 RSA issuing CAs with',
    '// Microsoft TLS RSA Root G2 cross-signed by DigiCert Global Root G2 (today\'s IMDS chain); and',
    '// the ten earlier Microsoft issuing CAs (expired; the 2022-2024 vectors chain through them).',
    '// Whole certificates: the verifier validates every link of the chain itself, at request time.',
    '',
    '/** A CA certificate the Azure verifier knows, DER in base64. */',
    'export interface AzureCaCertificate {',
    '  /** The subject commonName, for audit details and the expiry report. */',
    '  readonly name: string;',
    '  /** The certificate\'s notAfter (RFC 3339), for the expiry report; enforced from the certificate itself. */',
    '  readonly notAfter: string;',
    '  readonly der: string;',
    '}',
    '',
    '/** Trust anchors: an IMDS signer chain must end at one of these. */',
    'export const AZURE_ROOT_CERTIFICATES: readonly AzureCaCertificate[] = [',
    ...roots.map(row),
    '];',
    '',
    '/** Microsoft issuing CAs: candidates for the links between a signer and a root, trusted only through a root. */',
    'export const AZURE_INTERMEDIATE_CERTIFICATES: readonly AzureCaCertificate[] = [',
    ...intermediates.map(row),
    '];',
    '',
  ].join('\n');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const certsDir = resolve(process.argv[2] ?? DEFAULT_CERTS_DIR);
  writeFileSync(OUTPUT_FILE, renderAzureCertificatesModule(certsDir));
  console.log(`wrote ${OUTPUT_FILE} from ${certsDir}`);
}
