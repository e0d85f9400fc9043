/**
 * Generates the CA certificates the Azure verifier chains IMDS signer certificates to, from
 * test/fixtures/azure/certs/ (provenance of each file in test/fixtures/azure/README.md and
 * SOURCE-README.md), as two modules:
 *
 * - src/attest/azure/certificates.generated.ts, the current table, the only one the Worker
 *   imports: DigiCert Global Root G2 (the root); "Microsoft TLS G2 RSA CA OCSP 02…16"
 *   (microsoft-tls-g2-intermediates.pem), the issuers of today's IMDS signer certificates, and
 *   "Microsoft TLS RSA Root G2" as cross-signed by DigiCert Global Root G2
 *   (microsoft-tls-rsa-root-g2-cross.pem), their link to that root.
 * - src/attest/azure/historic-certificates.generated.ts, the historic table: Baltimore CyberTrust
 *   Root (expired 2025-05-12) and the ten earlier Microsoft issuing CAs
 *   (azure-intermediates-coder.pem), all expired by 2026-08-25. A live Worker checks validity at
 *   `now`, so they can never link or anchor a chain there; they verify old documents at their own
 *   dates (the 2022–2024 vectors, `verify azure --at`) for the CLI and tests, which pass them as
 *   `createAzureTrustStore({ historic: AZURE_HISTORIC_CERTIFICATES })`. Kept out of the Worker
 *   bundle (about 10 KiB gzip), which test/worker/bundle-content.test.ts checks.
 *
 * Run: `npx tsx scripts/gen-azure-certs.ts [certsDir]`. `renderAzureCertificatesModule` and
 * `renderAzureHistoricCertificatesModule` are exported so a test can check the committed files are
 * current. Each certificate is read with the verifier's own parser (src/attest/azure/x509.ts); a
 * root must be a self-issued CA, an intermediate a CA. Whether each intermediate really chains to
 * a shipped root is checked by test/attest/azure/certificates.test.ts with the verifier's chain
 * code, not assumed here.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePemCertificates } from '../src/attest/cms/encoding.js';
import { parseX509Certificate, type X509Certificate } from '../src/attest/azure/x509.js';

const here = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_CERTS_DIR = resolve(here, '../test/fixtures/azure/certs');
export const OUTPUT_FILE = resolve(here, '../src/attest/azure/certificates.generated.ts');
export const HISTORIC_OUTPUT_FILE = resolve(here, '../src/attest/azure/historic-certificates.generated.ts');

/** The fixture files of each table, by role. */
export const TABLE_FILES = {
  current: { roots: ['digicert-global-root-g2.pem'], intermediates: ['microsoft-tls-g2-intermediates.pem', 'microsoft-tls-rsa-root-g2-cross.pem'] },
  historic: { roots: ['baltimore-cybertrust-root.pem'], intermediates: ['azure-intermediates-coder.pem'] },
} as const;

interface Named {
  readonly name: string;
  readonly certificate: X509Certificate;
}

interface Table {
  readonly roots: Named[];
  readonly intermediates: Named[];
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

export function readAzureCertificates(certsDir: string = DEFAULT_CERTS_DIR): { current: Table; historic: Table } {
  const byName = (a: Named, b: Named) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const read = (files: readonly string[]) => files.flatMap((file) => readPem(join(certsDir, file))).sort(byName);
  const table = (files: { roots: readonly string[]; intermediates: readonly string[] }): Table => {
    const roots = read(files.roots);
    for (const root of roots) {
      if (!equal(root.certificate.issuer, root.certificate.subject)) throw new Error(`root ${root.name} is not self-issued`);
    }
    return { roots, intermediates: read(files.intermediates) };
  };
  const current = table(TABLE_FILES.current);
  const historic = table(TABLE_FILES.historic);
  const names = [current, historic].flatMap((t) => [...t.roots, ...t.intermediates]).map((c) => c.name);
  if (new Set(names).size !== names.length) throw new Error('two certificates share a commonName');
  return { current, historic };
}

const row = (indent: string) => ({ name, certificate }: Named) =>
  `${indent}{ name: ${JSON.stringify(name)}, notAfter: ${JSON.stringify(rfc3339(certificate.notAfter))}, der: ${JSON.stringify(Buffer.from(certificate.der).toString('base64'))} },`;

export function renderAzureCertificatesModule(certsDir: string = DEFAULT_CERTS_DIR): string {
  const { roots, intermediates } = readAzureCertificates(certsDir).current;
  return [
    '// generated, do not edit: run `npx tsx scripts/gen-azure-certs.ts` to regenerate.',
    '// Source: test/fixtures/azure/certs/ (provenance in test/fixtures/azure/README.md): DigiCert',
    '// Global Root G2; the Microsoft TLS G2 RSA issuing CAs with Microsoft TLS RSA Root G2',
    '// cross-signed by DigiCert Global Root G2 (today\'s IMDS chain). The expired CAs that only old',
    '// documents chain through are in historic-certificates.generated.ts, which the Worker never imports.',
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
    '/** A set of shipped CA certificates, by role. */',
    'export interface AzureCaTable {',
    '  readonly roots: readonly AzureCaCertificate[];',
    '  readonly intermediates: readonly AzureCaCertificate[];',
    '}',
    '',
    '/** Trust anchors: an IMDS signer chain must end at one of these. */',
    'export const AZURE_ROOT_CERTIFICATES: readonly AzureCaCertificate[] = [',
    ...roots.map(row('  ')),
    '];',
    '',
    '/** Microsoft issuing CAs: candidates for the links between a signer and a root, trusted only through a root. */',
    'export const AZURE_INTERMEDIATE_CERTIFICATES: readonly AzureCaCertificate[] = [',
    ...intermediates.map(row('  ')),
    '];',
    '',
  ].join('\n');
}

export function renderAzureHistoricCertificatesModule(certsDir: string = DEFAULT_CERTS_DIR): string {
  const { roots, intermediates } = readAzureCertificates(certsDir).historic;
  return [
    '// generated, do not edit: run `npx tsx scripts/gen-azure-certs.ts` to regenerate.',
    '// Source: test/fixtures/azure/certs/ (provenance in test/fixtures/azure/README.md): Baltimore',
    '// CyberTrust Root and the ten earlier Microsoft issuing CAs, all expired (the last on 2026-08-25).',
    '// Not for the Worker: validity is checked at `now`, so these can never link or anchor a chain',
    '// there. They verify old documents at their own dates (the CLI\'s `verify azure --at`, the',
    '// 2022-2024 test vectors). test/worker/bundle-content.test.ts keeps them out of the bundle.',
    '',
    "import type { AzureCaTable } from './certificates.generated.js';",
    '',
    '/** Expired Microsoft CAs, for `createAzureTrustStore({ historic: AZURE_HISTORIC_CERTIFICATES })`. */',
    'export const AZURE_HISTORIC_CERTIFICATES: AzureCaTable = {',
    '  roots: [',
    ...roots.map(row('    ')),
    '  ],',
    '  intermediates: [',
    ...intermediates.map(row('    ')),
    '  ],',
    '};',
    '',
  ].join('\n');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const certsDir = resolve(process.argv[2] ?? DEFAULT_CERTS_DIR);
  writeFileSync(OUTPUT_FILE, renderAzureCertificatesModule(certsDir));
  writeFileSync(HISTORIC_OUTPUT_FILE, renderAzureHistoricCertificatesModule(certsDir));
  console.log(`wrote ${OUTPUT_FILE} and ${HISTORIC_OUTPUT_FILE} from ${certsDir}`);
}
