/**
 * X.509 certificates as signer keys: parsed once, matched against a SignerInfo's signer
 * identifier, their public key handed to WebCrypto. No I/O, no clock: validity dates are
 * reported, never enforced here (a caller that needs chain or validity checks does them).
 */
import { asn1 } from './asn1-libraries.js';
import { asn1ParseOptions, checkBerStructure, DEFAULT_BER_LIMITS, type BerLimits } from './ber-guard.js';
import { OID_SUBJECT_KEY_IDENTIFIER } from './algorithms.js';
import { decodePemCertificates, equalBytes } from './encoding.js';
import { cmsFailure, cmsOk, describeError, type CmsResult } from './result.js';
import { childrenOf, contentBytes, elementBytes, isContext, isUniversal, readTlv, UNIVERSAL } from './tlv.js';

/** A parsed certificate whose key may verify a SignerInfo. */
export interface SignerCertificate {
  readonly kind: 'certificate';
  readonly der: Uint8Array;
  /** DER of the issuer Name, as encoded in the certificate. */
  readonly issuer: Uint8Array;
  /** Contents octets of the serialNumber INTEGER. */
  readonly serialNumber: Uint8Array;
  readonly subjectKeyIdentifier?: Uint8Array;
  /** DER SubjectPublicKeyInfo, as encoded in the certificate. */
  readonly spki: Uint8Array;
  readonly publicKeyAlgorithm: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** A bare public key: tried for any signer identifier, since it carries none. */
export interface TrustedPublicKey {
  readonly kind: 'key';
  readonly spki: Uint8Array;
  /** Names the key in audit details. */
  readonly label: string;
}

export type TrustedSigner = SignerCertificate | TrustedPublicKey;

/** The SignerInfo `sid` (RFC 5652 §5.3). */
export type SignerIdentifier =
  | { readonly kind: 'issuerAndSerialNumber'; readonly issuer: Uint8Array; readonly serialNumber: Uint8Array }
  | { readonly kind: 'subjectKeyIdentifier'; readonly keyIdentifier: Uint8Array };

export function parseCertificate(der: Uint8Array, limits: BerLimits = DEFAULT_BER_LIMITS): CmsResult<SignerCertificate> {
  const guard = checkBerStructure(der, limits);
  if (!guard.ok) return cmsFailure('malformed', `certificate: ${guard.detail}`);
  try {
    const certificate = asn1().AsnParser.parse(der, asn1().Certificate, asn1ParseOptions(limits));
    const tbs = certificate.tbsCertificate;

    const root = readTlv(der, 0);
    const tbsTlv = root === undefined ? undefined : childrenOf(der, root)?.[0];
    const fields = tbsTlv === undefined ? undefined : childrenOf(der, tbsTlv);
    if (fields === undefined) return cmsFailure('malformed', 'certificate: unreadable TBSCertificate');
    const at = isContext(fields[0], 0) ? 1 : 0; // [0] EXPLICIT version is optional (v1 certificates)
    const serial = fields[at];
    const issuer = fields[at + 2];
    const spki = fields[at + 5];
    if (!isUniversal(serial, UNIVERSAL.integer) || !isUniversal(issuer, UNIVERSAL.sequence) || !isUniversal(spki, UNIVERSAL.sequence)) {
      return cmsFailure('malformed', 'certificate: unexpected TBSCertificate layout');
    }

    let subjectKeyIdentifier: Uint8Array | undefined;
    for (const extension of tbs.extensions ?? []) {
      if (extension.extnID !== OID_SUBJECT_KEY_IDENTIFIER) continue;
      if (subjectKeyIdentifier !== undefined) return cmsFailure('malformed', 'certificate: duplicate subjectKeyIdentifier');
      const value = new Uint8Array(extension.extnValue.buffer);
      const inner = readTlv(value, 0);
      if (!isUniversal(inner, UNIVERSAL.octetString) || inner.constructed || inner.end !== value.length) {
        return cmsFailure('malformed', 'certificate: bad subjectKeyIdentifier');
      }
      subjectKeyIdentifier = contentBytes(value, inner).slice();
    }

    const copy = der.slice();
    return cmsOk({
      kind: 'certificate',
      der: copy,
      issuer: elementBytes(copy, issuer),
      serialNumber: contentBytes(copy, serial),
      ...(subjectKeyIdentifier === undefined ? {} : { subjectKeyIdentifier }),
      spki: elementBytes(copy, spki),
      publicKeyAlgorithm: tbs.subjectPublicKeyInfo.algorithm.algorithm,
      notBefore: tbs.validity.notBefore.getTime(),
      notAfter: tbs.validity.notAfter.getTime(),
    });
  } catch (error) {
    return cmsFailure('malformed', `certificate: ${describeError(error)}`);
  }
}

/** Every certificate of a PEM bundle; fails if the text is not only CERTIFICATE blocks or one does not parse. */
export function parseCertificatesPem(pem: string): CmsResult<SignerCertificate[]> {
  const ders = decodePemCertificates(pem);
  if (ders === undefined) return cmsFailure('malformed', 'not a PEM certificate bundle');
  const certificates: SignerCertificate[] = [];
  for (const der of ders) {
    const parsed = parseCertificate(der);
    if (!parsed.ok) return parsed;
    certificates.push(parsed.value);
  }
  return cmsOk(certificates);
}

/**
 * Whether `signer` is the certificate the SignerInfo names. This only *selects* a candidate:
 * the identifier is attacker-supplied, so a match proves nothing until the signature verifies
 * under that certificate's key. A bare key matches any identifier for the same reason.
 */
export function matchesSignerIdentifier(signer: TrustedSigner, sid: SignerIdentifier): boolean {
  if (signer.kind === 'key') return true;
  if (sid.kind === 'subjectKeyIdentifier') {
    return signer.subjectKeyIdentifier !== undefined && equalBytes(signer.subjectKeyIdentifier, sid.keyIdentifier);
  }
  return equalBytes(signer.serialNumber, sid.serialNumber) && equalBytes(signer.issuer, sid.issuer);
}
