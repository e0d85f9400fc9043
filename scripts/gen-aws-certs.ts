/**
 * Generates src/attest/aws/certificates.generated.ts from the AWS regional certificates in
 * ../shared/vectors/aws/certs/{rsa2048,rsa1024}/<region>.pem (see that folder's README for
 * provenance). Run: `npx tsx scripts/gen-aws-certs.ts [certsDir]`.
 * `renderAwsCertificatesModule` is exported so a test can check the committed file is current.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_CERTS_DIR = resolve(here, '../../shared/vectors/aws/certs');
export const OUTPUT_FILE = resolve(here, '../src/attest/aws/certificates.generated.ts');

const TABLES = [
  {
    dir: 'rsa2048',
    name: 'AWS_RSA2048_CERTIFICATES',
    doc: 'RSA-2048 certificates for the `rsa2048` PKCS7 (/latest/dynamic/instance-identity/rsa2048), by region.',
  },
  {
    dir: 'rsa1024',
    name: 'AWS_SIGNATURE_CERTIFICATES',
    doc: 'RSA certificates for the base64 `signature` (/latest/dynamic/instance-identity/signature, RSA PKCS#1 v1.5 SHA-256), by region.',
  },
] as const;

function readTable(dir: string): Array<[string, string]> {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.pem'))
    .sort()
    .map((f) => {
      const pem = readFileSync(join(dir, f), 'utf8').replace(/\r\n/g, '\n').trim() + '\n';
      if (!/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n$/.test(pem)) {
        throw new Error(`${join(dir, f)}: not a single PEM certificate`);
      }
      return [f.slice(0, -'.pem'.length), pem];
    });
}

export function renderAwsCertificatesModule(certsDir: string = DEFAULT_CERTS_DIR): string {
  const lines = [
    '// generated, do not edit: run `npx tsx scripts/gen-aws-certs.ts` to regenerate.',
    '// Source: ../shared/vectors/aws/certs/{rsa2048,rsa1024}/<region>.pem, the AWS regional',
    '// certificates published in the EC2 User Guide ("Verify the instance identity document"),',
    '// as collected by spiffe/spire; provenance in ../shared/vectors/aws/README.md.',
    '',
  ];
  for (const table of TABLES) {
    lines.push(`/** ${table.doc} */`);
    lines.push(`export const ${table.name}: Readonly<Record<string, string>> = {`);
    for (const [region, pem] of readTable(join(certsDir, table.dir))) {
      lines.push(`  ${JSON.stringify(region)}:`);
      lines.push(`    ${JSON.stringify(pem)},`);
    }
    lines.push('};', '');
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const certsDir = resolve(process.argv[2] ?? DEFAULT_CERTS_DIR);
  writeFileSync(OUTPUT_FILE, renderAwsCertificatesModule(certsDir));
  console.log(`wrote ${OUTPUT_FILE} from ${certsDir}`);
}
