/**
 * The SNS signing certificate: parsed from the PEM served at a SigningCertURL into what the
 * verifier needs (the RSA public key, the validity period). No I/O, no clock: validity is
 * reported here and enforced by `verifySnsMessage` against the `now` it is given.
 *
 * Trust in the key comes from where the PEM was fetched (an allowed SNS URL, over HTTPS, see
 * sns-urls.ts), not from a chain: the vectors' certificates were issued by three different
 * public CAs over ten years, and pinning any of them would break on the next rotation. As a
 * second, cheap check that the file is an SNS signing certificate and not some other Amazon
 * certificate, its subject CN or a DNS SAN must be an SNS signing name. The names Amazon uses:
 * `sns.amazonaws.com` (most regions), `sns-signing.<region>.amazonaws.com` (newer opt-in
 * regions), `sns-<region>.amazonaws.com` (GovCloud), `sns-<region>.amazonaws.com.cn` and
 * `sns.amazonaws.com.cn` (China), as listed in the AWS SDK for Java v2's SNS message manager
 * tests (SnsHostProviderTest).
 */
import type { Certificate } from '@peculiar/asn1-x509';
import { asn1 } from '../../attest/cms/asn1-libraries.js';
import { describeError, hookFailure, hookOk, type HookResult } from './result.js';

export type SnsDigest = 'SHA-1' | 'SHA-256';

export interface SnsSigningCertificate {
  /** DER SubjectPublicKeyInfo of the RSA key. */
  readonly spki: Uint8Array<ArrayBuffer>;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Subject CN and DNS SANs, for the log. */
  readonly names: readonly string[];
  /** A WebCrypto key for `hash`, imported once and kept with the certificate. */
  verifyKey(hash: SnsDigest): Promise<CryptoKey>;
}

const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const COMMON_NAME = '2.5.4.3';
/** Smaller keys are refused: every SNS certificate since 2014 has a 2048-bit key. */
export const MIN_RSA_MODULUS_BITS = 2048;
const MAX_PEM_LENGTH = 16 * 1024;

const SNS_SIGNING_NAME = /^(?:sns\.amazonaws\.com(?:\.cn)?|sns-signing\.[a-z]{2,4}(?:-[a-z]+)+-[0-9]{1,2}\.amazonaws\.com(?:\.cn)?|sns-[a-z]{2,4}(?:-[a-z]+)+-[0-9]{1,2}\.amazonaws\.com(?:\.cn)?)$/;

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END CERTIFICATE-----/g;
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The signing certificate in `pem`: the first CERTIFICATE block (a served chain would follow the
 * leaf). The text must hold nothing but CERTIFICATE blocks and whitespace.
 */
export function parseSnsSigningCertificate(pem: string): HookResult<SnsSigningCertificate> {
  if (pem.length > MAX_PEM_LENGTH) return hookFailure('invalid_certificate', `PEM is longer than ${MAX_PEM_LENGTH} characters`);
  const blocks = [...pem.matchAll(PEM_CERTIFICATE)];
  const first = blocks[0]?.[1];
  if (first === undefined || pem.replace(PEM_CERTIFICATE, '').trim() !== '') return hookFailure('invalid_certificate', 'not a PEM certificate');
  const base64 = first.replace(/\r?\n/g, '');
  if (!STRICT_BASE64.test(base64)) return hookFailure('invalid_certificate', 'PEM body is not base64');
  const der = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

  try {
    const { AsnConvert, Certificate } = asn1();
    const certificate = AsnConvert.parse(der, Certificate);
    const tbs = certificate.tbsCertificate;
    if (tbs.subjectPublicKeyInfo.algorithm.algorithm !== RSA_ENCRYPTION) {
      return hookFailure('invalid_certificate', `certificate key is ${tbs.subjectPublicKeyInfo.algorithm.algorithm}, not RSA`);
    }
    const names = certificateNames(certificate);
    if (!names.some((name) => SNS_SIGNING_NAME.test(name))) {
      return hookFailure('invalid_certificate', `certificate is not issued to an SNS signing name (${names.join(', ').slice(0, 200)})`);
    }
    const spki = new Uint8Array(AsnConvert.serialize(tbs.subjectPublicKeyInfo));
    return hookOk(snsSigningCertificate(spki, tbs.validity.notBefore.getTime(), tbs.validity.notAfter.getTime(), names));
  } catch (error) {
    return hookFailure('invalid_certificate', `certificate does not parse: ${describeError(error)}`);
  }
}

function certificateNames(certificate: Certificate): string[] {
  const names: string[] = [];
  for (const rdn of certificate.tbsCertificate.subject) {
    for (const attribute of rdn) if (attribute.type === COMMON_NAME) names.push(attribute.value.toString());
  }
  const { AsnConvert, SubjectAlternativeName, id_ce_subjectAltName } = asn1();
  for (const extension of certificate.tbsCertificate.extensions ?? []) {
    if (extension.extnID !== id_ce_subjectAltName) continue;
    for (const name of AsnConvert.parse(extension.extnValue, SubjectAlternativeName)) if (name.dNSName !== undefined) names.push(name.dNSName);
  }
  return names;
}

function snsSigningCertificate(spki: Uint8Array<ArrayBuffer>, notBefore: Date, notAfter: Date, names: readonly string[]): SnsSigningCertificate {
  // Finished keys only, never a pending import: a Worker request must not await a promise that
  // belongs to another request. Two concurrent first uses each import; the later one wins.
  const keys = new Map<SnsDigest, CryptoKey>();
  return {
    spki,
    notBefore,
    notAfter,
    names,
    async verifyKey(hash) {
      const cached = keys.get(hash);
      if (cached !== undefined) return cached;
      const key = await crypto.subtle.importKey('spki', spki, { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['verify']);
      keys.set(hash, key);
      return key;
    },
  };
}

/** The RSA modulus length of an imported key, if WebCrypto reports it. */
export function modulusBits(key: CryptoKey): number | undefined {
  const bits = (key.algorithm as { modulusLength?: unknown }).modulusLength;
  return typeof bits === 'number' ? bits : undefined;
}
