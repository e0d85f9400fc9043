/**
 * The emulator's cluster CA: generated like kubeadm's (`CN=kubernetes`, RSA 2048, 10 years, CA
 * basic constraints, certSign), persisted as `ca.crt`/`ca.key` in the state directory so restarts
 * keep the same trust root. It signs the API server's serving certificate and, through the
 * csrsigner controller, approved CSRs (pkg/controller/certificates/authority/authority.go `Sign`:
 * subject, SANs and public key copied from the request; usages from the CSR; CA=false).
 */
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsageExtension,
  type Extension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Name,
  PemConverter,
  PublicKey,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
  cryptoProvider,
} from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

cryptoProvider.set(webcrypto as unknown as Crypto);
const subtle = webcrypto.subtle as unknown as SubtleCrypto;

const RSA_ALG = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
const EC_ALG = { name: 'ECDSA', namedCurve: 'P-256' };
const HOUR = 3_600_000;
const YEAR = 365 * 24 * HOUR;

/** 128-bit positive serial, like authority.go's rand.Int(2^128). */
export const randomSerial = (): string => {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b.toString('hex');
};

export interface SignRequest {
  readonly subject: ArrayBuffer;
  readonly publicKeySpki: ArrayBuffer;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly emailAddresses: readonly string[];
  readonly uris: readonly string[];
  readonly keyUsage: number;
  readonly extKeyUsages: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
}

async function exportPkcs8Pem(key: CryptoKey): Promise<string> {
  return PemConverter.encode(await subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

async function importPkcs8(pem: string): Promise<CryptoKey> {
  const der = PemConverter.decodeFirst(pem);
  try {
    return await subtle.importKey('pkcs8', der, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, true, ['sign']);
  } catch {
    return await subtle.importKey('pkcs8', der, EC_ALG, true, ['sign']);
  }
}

export class ClusterCA {
  private constructor(
    readonly cert: X509Certificate,
    private readonly key: CryptoKey,
    private readonly keyId: string,
  ) {}

  get certPem(): string {
    return this.cert.toString('pem') + '\n';
  }

  get notAfter(): Date {
    return this.cert.notAfter;
  }

  /**
   * Load `ca.crt`/`ca.key` from `dir` if both exist, else generate and (when `dir` is given) write
   * them. Validity covers both wall time (TLS peers check it) and the emulator clock.
   */
  static async loadOrCreate(dir: string | undefined, clockNow: Date): Promise<ClusterCA> {
    if (dir && existsSync(join(dir, 'ca.crt')) && existsSync(join(dir, 'ca.key'))) {
      const cert = new X509Certificate(readFileSync(join(dir, 'ca.crt'), 'utf8'));
      const key = await importPkcs8(readFileSync(join(dir, 'ca.key'), 'utf8'));
      const ski = cert.getExtension(SubjectKeyIdentifierExtension);
      return new ClusterCA(cert, key, ski?.keyId ?? '');
    }
    const keys = (await subtle.generateKey(RSA_ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
    const earliest = Math.min(Date.now(), clockNow.getTime());
    const latest = Math.max(Date.now(), clockNow.getTime());
    const ski = await SubjectKeyIdentifierExtension.create(keys.publicKey);
    const cert = await X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerial(),
      name: 'CN=kubernetes',
      notBefore: new Date(earliest - HOUR),
      notAfter: new Date(latest + 10 * YEAR),
      keys,
      signingAlgorithm: RSA_ALG,
      extensions: [
        new KeyUsagesExtension(
          KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment | KeyUsageFlags.keyCertSign,
          true,
        ),
        new BasicConstraintsExtension(true, undefined, true),
        ski,
      ],
    });
    const ca = new ClusterCA(cert, keys.privateKey, ski.keyId);
    if (dir) {
      writeFileSync(join(dir, 'ca.crt'), ca.certPem);
      writeFileSync(join(dir, 'ca.key'), await exportPkcs8Pem(keys.privateKey), { mode: 0o600 });
    }
    return ca;
  }

  /** Sign a certificate for a request whose policy (usages, lifetime) was already decided. */
  async sign(req: SignRequest): Promise<X509Certificate> {
    const extensions: Extension[] = [];
    if (req.keyUsage !== 0) extensions.push(new KeyUsagesExtension(req.keyUsage, true));
    if (req.extKeyUsages.length > 0) extensions.push(new ExtendedKeyUsageExtension([...req.extKeyUsages], false));
    extensions.push(new BasicConstraintsExtension(false, undefined, true));
    if (this.keyId) extensions.push(new AuthorityKeyIdentifierExtension(this.keyId));
    const names = [
      ...req.dnsNames.map((value) => ({ type: 'dns' as const, value })),
      ...req.emailAddresses.map((value) => ({ type: 'email' as const, value })),
      ...req.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
      ...req.uris.map((value) => ({ type: 'url' as const, value })),
    ];
    if (names.length > 0) extensions.push(new SubjectAlternativeNameExtension(names, false));
    return X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: new Name(req.subject),
      issuer: new Name(this.cert.subjectName.toArrayBuffer()),
      notBefore: req.notBefore,
      notAfter: req.notAfter,
      publicKey: new PublicKey(req.publicKeySpki),
      signingKey: this.key,
      signingAlgorithm: RSA_ALG,
      extensions,
    });
  }

  /** A fresh ECDSA P-256 key and a serving certificate for the given names, valid for a year of wall time. */
  async issueServingCertificate(dnsNames: readonly string[], ipAddresses: readonly string[]): Promise<{ certPem: string; keyPem: string }> {
    const keys = (await subtle.generateKey(EC_ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
    const cert = await this.sign({
      subject: new Name('CN=kube-apiserver').toArrayBuffer(),
      publicKeySpki: await subtle.exportKey('spki', keys.publicKey),
      dnsNames,
      ipAddresses,
      emailAddresses: [],
      uris: [],
      keyUsage: KeyUsageFlags.digitalSignature,
      extKeyUsages: ['1.3.6.1.5.5.7.3.1'],
      notBefore: new Date(Date.now() - HOUR),
      notAfter: new Date(Math.min(Date.now() + YEAR, this.notAfter.getTime())),
    });
    return { certPem: cert.toString('pem') + '\n', keyPem: await exportPkcs8Pem(keys.privateKey) };
  }

  /** A client certificate (CN = user, O = groups), e.g. for tests acting as a node. */
  async issueClientCertificate(
    commonName: string,
    organizations: readonly string[],
    notBefore: Date,
    notAfter: Date,
  ): Promise<{ certPem: string; keyPem: string }> {
    const keys = (await subtle.generateKey(EC_ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
    const subject = new Name([...organizations.map((o) => ({ O: [o] })), { CN: [commonName] }]);
    const cert = await this.sign({
      subject: subject.toArrayBuffer(),
      publicKeySpki: await subtle.exportKey('spki', keys.publicKey),
      dnsNames: [],
      ipAddresses: [],
      emailAddresses: [],
      uris: [],
      keyUsage: KeyUsageFlags.digitalSignature,
      extKeyUsages: ['1.3.6.1.5.5.7.3.2'],
      notBefore,
      notAfter,
    });
    return { certPem: cert.toString('pem') + '\n', keyPem: await exportPkcs8Pem(keys.privateKey) };
  }

  /** Does `der` chain to this CA (signature and issuer), and is it valid at `at` for client auth? */
  async verifyClientCertificate(der: Uint8Array, at: Date): Promise<{ ok: true; cert: X509Certificate } | { ok: false; error: string }> {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(der.slice().buffer as ArrayBuffer);
    } catch (e) {
      return { ok: false, error: `x509: malformed certificate: ${(e as Error).message}` };
    }
    const issuerMatches = Buffer.from(cert.issuerName.toArrayBuffer()).equals(Buffer.from(this.cert.subjectName.toArrayBuffer()));
    const signatureOk = issuerMatches && (await cert.verify({ publicKey: this.cert.publicKey, signatureOnly: true }).catch(() => false));
    if (!signatureOk) return { ok: false, error: 'x509: certificate signed by unknown authority' };
    if (at < cert.notBefore || at > cert.notAfter) {
      return { ok: false, error: `x509: certificate has expired or is not yet valid: current time ${at.toISOString()}` };
    }
    const eku = cert.getExtension(ExtendedKeyUsageExtension);
    if (eku && !eku.usages.some((u) => u === '1.3.6.1.5.5.7.3.2' || u === '2.5.29.37.0')) {
      return { ok: false, error: 'x509: certificate specifies an incompatible key usage' };
    }
    return { ok: true, cert };
  }
}
