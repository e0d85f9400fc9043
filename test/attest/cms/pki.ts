/**
 * Keys and certificates generated for a test run with the openssl CLI (TOOLCHAIN: openssl 3.0
 * is on PATH), plus `openssl cms -sign` as an independent CMS producer.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrivateKey, type KeyObject } from 'node:crypto';

export interface TestSigner {
  readonly name: string;
  readonly keyPath: string;
  readonly certPath: string;
  readonly certPem: string;
  readonly certDer: Uint8Array;
  readonly key: KeyObject;
}

export interface Pki {
  readonly dir: string;
  /**
   * A self-signed RSA certificate. `reuseKeyOf` signs with another signer's key; `subject` and
   * `serial` let a test forge a certificate that names the same issuer and serial as another.
   */
  signer(name: string, options?: { subject?: string; serial?: string; bits?: number; reuseKeyOf?: TestSigner; noSki?: boolean }): TestSigner;
  /** `openssl cms -sign -binary -nodetach -nocerts -md <md> -outform PEM` over `content`. */
  cmsSign(signer: TestSigner, content: Uint8Array, options?: { noattr?: boolean; md?: string; keyid?: boolean }): string;
  cleanup(): void;
}

const openssl = (args: string[], input?: Uint8Array): Buffer =>
  execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] });

export function createPki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'kjb-pki-'));
  let counter = 0;
  return {
    dir,
    signer(name, options = {}) {
      const keyPath = options.reuseKeyOf?.keyPath ?? join(dir, `${name}.key`);
      const certPath = join(dir, `${name}.crt`);
      if (options.reuseKeyOf === undefined) {
        openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${options.bits ?? 2048}`, '-out', keyPath]);
      }
      const args = ['req', '-x509', '-new', '-key', keyPath, '-out', certPath, '-days', '3650', '-subj', options.subject ?? `/CN=${name}`];
      if (options.serial !== undefined) args.push('-set_serial', options.serial);
      if (options.noSki === true) args.push('-addext', 'subjectKeyIdentifier=none');
      openssl(args);
      const certPem = readFileSync(certPath, 'utf8');
      const certDer = new Uint8Array(openssl(['x509', '-in', certPath, '-outform', 'DER']));
      return { name, keyPath, certPath, certPem, certDer, key: createPrivateKey(readFileSync(keyPath)) };
    },
    cmsSign(signer, content, options = {}) {
      const input = join(dir, `content-${++counter}.bin`);
      writeFileSync(input, content);
      const args = ['cms', '-sign', '-binary', '-nodetach', '-nocerts', '-md', options.md ?? 'sha256', '-signer', signer.certPath, '-inkey', signer.keyPath, '-outform', 'PEM', '-in', input];
      if (options.noattr === true) args.push('-noattr');
      if (options.keyid === true) args.push('-keyid');
      return openssl(args).toString('utf8');
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
