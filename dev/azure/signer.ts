/**
 * A development stand-in for Azure's IMDS signer (development and tests only; src/ never imports
 * this): a self-made root CA and a `metadata.azure.com` signer certificate issued by it, made with
 * the openssl CLI, and attested documents signed as IMDS signs them (CMS SignedData, content
 * attached, no signed attributes, the signer certificate embedded). A broker trusts the root only
 * through JOIN_POLICY `azure.extraRoots`, which the configuration accepts only with a loopback
 * PUBLIC_URL.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DevAzureSigner {
  /** The root CA certificate to put in `azure.extraRoots`. */
  readonly rootPath: string;
  readonly certPath: string;
  readonly keyPath: string;
}

const openssl = (args: string[], input?: string | Uint8Array): Buffer => execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] });

/** The dev root and signer in `dir` (`azure-root.crt`, `azure-signer.crt`/`.key`), made on first use. */
export function ensureDevAzureSigner(dir: string): DevAzureSigner {
  mkdirSync(dir, { recursive: true });
  const rootPath = join(dir, 'azure-root.crt');
  const rootKey = join(dir, 'azure-root.key');
  const certPath = join(dir, 'azure-signer.crt');
  const keyPath = join(dir, 'azure-signer.key');
  if (existsSync(rootPath) && existsSync(certPath) && existsSync(keyPath)) return { rootPath, certPath, keyPath };
  openssl([
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '3650',
    '-subj', '/CN=kube-join-broker dev Azure root (not Microsoft)',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout', rootKey, '-out', rootPath,
  ]);
  const csrPath = join(dir, 'azure-signer.csr');
  openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=metadata.azure.com', '-keyout', keyPath, '-out', csrPath]);
  const extPath = join(dir, 'azure-signer.ext');
  writeFileSync(extPath, 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectAltName=DNS:dev.metadata.azure.com,DNS:metadata.azure.com\n');
  openssl(['x509', '-req', '-in', csrPath, '-CA', rootPath, '-CAkey', rootKey, '-set_serial', `0x${Date.now().toString(16)}`, '-days', '825', '-sha256', '-extfile', extPath, '-out', certPath]);
  return { rootPath, certPath, keyPath };
}

export interface AttestedFields {
  readonly nonce: string;
  readonly subscriptionId: string;
  readonly vmId: string;
  /** Default: now. */
  readonly createdOn?: Date;
  /** Default: createdOn + 6 h, as IMDS. */
  readonly expiresOn?: Date;
  readonly sku?: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const azureTimestamp = (d: Date) =>
  `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${pad(d.getUTCFullYear() % 100)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} -0000`;

/** The signed content as IMDS (api-version 2020-09-01) writes it. */
export function attestedContent(fields: AttestedFields): string {
  const createdOn = fields.createdOn ?? new Date();
  const expiresOn = fields.expiresOn ?? new Date(createdOn.getTime() + 6 * 3600_000);
  return JSON.stringify({
    licenseType: '',
    nonce: fields.nonce,
    plan: { name: '', product: '', publisher: '' },
    sku: fields.sku ?? '22_04-lts-gen2',
    subscriptionId: fields.subscriptionId,
    timeStamp: { createdOn: azureTimestamp(createdOn), expiresOn: azureTimestamp(expiresOn) },
    vmId: fields.vmId,
  });
}

/** `{"encoding":"pkcs7","signature":"…"}` over `content`, as IMDS answers `/metadata/attested/document`. */
export function signAttestedDocument(content: string, signer: Pick<DevAzureSigner, 'certPath' | 'keyPath'>): string {
  const der = openssl(['cms', '-sign', '-binary', '-nodetach', '-noattr', '-md', 'sha256', '-signer', signer.certPath, '-inkey', signer.keyPath, '-outform', 'DER'], content);
  return JSON.stringify({ encoding: 'pkcs7', signature: der.toString('base64') });
}
