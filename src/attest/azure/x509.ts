/**
 * X.509 certificates as the Azure chain validator reads them (RFC 5280 §4.1). No I/O, no clock,
 * no crypto: this only locates the bytes a signature covers and decodes the fields and
 * extensions path validation decides on. Never throws; a certificate this cannot read fully is
 * refused, never half-used.
 *
 * Structure and extension values come from @peculiar/asn1-x509 (already in the Worker bundle);
 * the byte-exact parts — the TBSCertificate the signature covers, the issuer and subject Names
 * compared for chaining, the SubjectPublicKeyInfo, both AlgorithmIdentifiers — are located with
 * the CMS layer's TLV reader on the same input, behind the same BER guard.
 */
import { asn1 } from '../cms/asn1-libraries.js';
import { asn1ParseOptions, checkBerStructure, DEFAULT_BER_LIMITS } from '../cms/ber-guard.js';
import { describeError } from '../cms/result.js';
import { childrenOf, contentBytes, elementBytes, isContext, isUniversal, oidOf, readAlgorithmIdentifier, readTlv, TAG_CLASS_UNIVERSAL, UNIVERSAL, type Tlv } from '../cms/tlv.js';

const OID_COMMON_NAME = '2.5.4.3';
const BIT_STRING = 3;
const BOOLEAN = 1;

/**
 * Extensions whose meaning this validator implements. RFC 5280 §4.2: "A certificate-using
 * system MUST reject the certificate if it encounters a critical extension it does not
 * recognize"; any other extension marked critical makes the certificate unusable here.
 */
// RFC 5280 §4.2.1 (asn1-x509's id_ce_* values, written out so that this module does not load it).
const id_ce_basicConstraints = '2.5.29.19';
const id_ce_keyUsage = '2.5.29.15';
const id_ce_extKeyUsage = '2.5.29.37';
const id_ce_subjectAltName = '2.5.29.17';
export const UNDERSTOOD_EXTENSIONS: ReadonlySet<string> = new Set([id_ce_basicConstraints, id_ce_keyUsage, id_ce_extKeyUsage, id_ce_subjectAltName]);

/** A certificate, decoded for path validation. Byte fields are views of `der`. */
export interface X509Certificate {
  readonly der: Uint8Array;
  /** The DER TBSCertificate: what the issuer's signature covers. */
  readonly tbs: Uint8Array;
  /** OID of the outer signatureAlgorithm (equal, byte for byte, to the TBSCertificate's `signature`). */
  readonly signatureAlgorithm: string;
  /** DER of the algorithm's parameters; `null` for NULL, `undefined` when absent. */
  readonly signatureParameters: Uint8Array | null | undefined;
  /** The signature BIT STRING's bytes (no unused bits). */
  readonly signature: Uint8Array;
  /** DER Name, as encoded: chaining compares these bytes. */
  readonly issuer: Uint8Array;
  readonly subject: Uint8Array;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  readonly publicKeyAlgorithm: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** basicConstraints; absent means "not a CA" (RFC 5280 §4.2.1.9). */
  readonly basicConstraints?: { readonly ca: boolean; readonly pathLength?: number };
  /** keyUsage bits, when the extension is present (RFC 5280 §4.2.1.3). */
  readonly keyUsage?: { readonly digitalSignature: boolean; readonly keyCertSign: boolean };
  /** dNSName entries of subjectAltName; `undefined` when the extension is absent. */
  readonly dnsNames?: readonly string[];
  /** The subject's commonName values (PrintableString or UTF8String only). */
  readonly commonNames: readonly string[];
  /** OIDs of critical extensions outside UNDERSTOOD_EXTENSIONS. */
  readonly unknownCriticalExtensions: readonly string[];
}

export type X509Parse = { readonly ok: true; readonly certificate: X509Certificate } | { readonly ok: false; readonly detail: string };

const fail = (detail: string): X509Parse => ({ ok: false, detail: `certificate: ${detail}` });

/** KeyUsage ::= BIT STRING, bit 0 the most significant bit of the first octet (X.690 §8.6). */
function readKeyUsage(value: Uint8Array): X509Certificate['keyUsage'] | undefined {
  const tlv = readTlv(value, 0);
  if (tlv === undefined || tlv.tagClass !== TAG_CLASS_UNIVERSAL || tlv.tagNumber !== BIT_STRING || tlv.constructed || tlv.end !== value.length) return undefined;
  const content = contentBytes(value, tlv);
  const unused = content[0];
  if (unused === undefined || unused > 7 || (content.length === 1 && unused !== 0)) return undefined;
  const first = content[1] ?? 0;
  return { digitalSignature: (first & 0x80) !== 0, keyCertSign: (first & 0x04) !== 0 };
}

/**
 * Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }, read
 * from the bytes so the criticality flag is exactly what was signed.
 */
function readExtensions(bytes: Uint8Array, tbsFields: readonly Tlv[]): { id: string; critical: boolean; value: Uint8Array }[] | undefined {
  const wrapper = tbsFields.find((f) => isContext(f, 3));
  if (wrapper === undefined) return [];
  const inner = childrenOf(bytes, wrapper);
  const list = inner?.length === 1 && isUniversal(inner[0], UNIVERSAL.sequence) ? childrenOf(bytes, inner[0] as Tlv) : undefined;
  if (list === undefined || list.length === 0) return undefined;
  const extensions: { id: string; critical: boolean; value: Uint8Array }[] = [];
  for (const entry of list) {
    const parts = isUniversal(entry, UNIVERSAL.sequence) ? childrenOf(bytes, entry) : undefined;
    if (parts === undefined || parts.length < 2 || parts.length > 3) return undefined;
    const id = oidOf(bytes, parts[0]);
    const flag = parts.length === 3 ? parts[1] : undefined;
    const valueTlv = parts[parts.length - 1];
    if (id === undefined || !isUniversal(valueTlv, UNIVERSAL.octetString) || valueTlv.constructed) return undefined;
    let critical = false;
    if (flag !== undefined) {
      // DER: a BOOLEAN is one octet, TRUE is 0xFF, and a DEFAULT value is never encoded (X.690 §11.1, §11.5).
      const octets = contentBytes(bytes, flag);
      if (flag.tagClass !== TAG_CLASS_UNIVERSAL || flag.tagNumber !== BOOLEAN || flag.constructed || octets.length !== 1 || octets[0] !== 0xff) return undefined;
      critical = true;
    }
    extensions.push({ id, critical, value: contentBytes(bytes, valueTlv) });
  }
  return extensions;
}

/**
 * Decodes one DER certificate for path validation. Refused: anything the BER guard refuses, a
 * layout other than RFC 5280's, a version other than v3 when extensions are present, the outer
 * and inner signature algorithms differing (RFC 5280 §4.1.1.2 requires them equal), a signature
 * BIT STRING with unused bits, duplicate extensions (§4.2: "MUST NOT include more than one
 * instance of a particular extension"), and extension values that do not decode.
 */
export function parseX509Certificate(der: Uint8Array): X509Parse {
  const guard = checkBerStructure(der, DEFAULT_BER_LIMITS);
  if (!guard.ok) return fail(guard.detail);
  try {
    const bytes = der.slice();
    const { AsnParser, BasicConstraints, Certificate, SubjectAlternativeName } = asn1();
    const typed = AsnParser.parse(bytes, Certificate, asn1ParseOptions(DEFAULT_BER_LIMITS));
    const tbsTyped = typed.tbsCertificate;

    const root = readTlv(bytes, 0);
    const top = isUniversal(root, UNIVERSAL.sequence) ? childrenOf(bytes, root) : undefined;
    if (top === undefined || top.length !== 3) return fail('not a Certificate SEQUENCE of three');
    const [tbsTlv, outerAlgorithmTlv, signatureTlv] = top as [Tlv, Tlv, Tlv];
    const fields = isUniversal(tbsTlv, UNIVERSAL.sequence) ? childrenOf(bytes, tbsTlv) : undefined;
    if (fields === undefined) return fail('unreadable TBSCertificate');
    const at = isContext(fields[0], 0) ? 1 : 0;
    const [serial, innerAlgorithmTlv, issuer, validity, subject, spki] = fields.slice(at);
    if (
      !isUniversal(serial, UNIVERSAL.integer) ||
      !isUniversal(innerAlgorithmTlv, UNIVERSAL.sequence) ||
      !isUniversal(issuer, UNIVERSAL.sequence) ||
      !isUniversal(validity, UNIVERSAL.sequence) ||
      !isUniversal(subject, UNIVERSAL.sequence) ||
      !isUniversal(spki, UNIVERSAL.sequence)
    ) {
      return fail('unexpected TBSCertificate layout');
    }

    const outer = readAlgorithmIdentifier(bytes, outerAlgorithmTlv);
    const outerBytes = elementBytes(bytes, outerAlgorithmTlv);
    const innerBytes = elementBytes(bytes, innerAlgorithmTlv);
    if (outer === undefined || outerBytes.length !== innerBytes.length || !outerBytes.every((b, i) => b === innerBytes[i])) {
      return fail('signatureAlgorithm differs from the TBSCertificate signature field');
    }
    if (signatureTlv.tagClass !== TAG_CLASS_UNIVERSAL || signatureTlv.tagNumber !== BIT_STRING || signatureTlv.constructed) {
      return fail('signatureValue is not a primitive BIT STRING');
    }
    const signatureContent = contentBytes(bytes, signatureTlv);
    if (signatureContent.length < 2 || signatureContent[0] !== 0) return fail('signatureValue has unused bits');

    const extensions = readExtensions(bytes, fields.slice(at + 6));
    if (extensions === undefined) return fail('unreadable extensions');
    if (extensions.length > 0 && tbsTyped.version !== 2) return fail('extensions in a certificate that is not v3');
    const seen = new Set<string>();
    for (const extension of extensions) {
      if (seen.has(extension.id)) return fail(`extension ${extension.id} appears twice`);
      seen.add(extension.id);
    }

    let basicConstraints: X509Certificate['basicConstraints'];
    let keyUsage: X509Certificate['keyUsage'];
    let dnsNames: string[] | undefined;
    for (const extension of extensions) {
      if (extension.id === id_ce_basicConstraints) {
        const value = AsnParser.parse(extension.value, BasicConstraints);
        const pathLength = value.pathLenConstraint;
        if (pathLength !== undefined && (!Number.isSafeInteger(pathLength) || pathLength < 0)) return fail('bad pathLenConstraint');
        basicConstraints = pathLength === undefined ? { ca: value.cA } : { ca: value.cA, pathLength };
      } else if (extension.id === id_ce_keyUsage) {
        keyUsage = readKeyUsage(extension.value);
        if (keyUsage === undefined) return fail('bad keyUsage');
      } else if (extension.id === id_ce_subjectAltName) {
        dnsNames = AsnParser.parse(extension.value, SubjectAlternativeName)
          .map((name) => name.dNSName)
          .filter((name): name is string => typeof name === 'string');
      }
    }

    const commonNames: string[] = [];
    for (const rdn of tbsTyped.subject) {
      for (const attribute of rdn) {
        if (attribute.type !== OID_COMMON_NAME) continue;
        const text = attribute.value.printableString ?? attribute.value.utf8String;
        if (typeof text === 'string') commonNames.push(text);
      }
    }

    const certificate: X509Certificate = {
      der: bytes,
      tbs: elementBytes(bytes, tbsTlv),
      signatureAlgorithm: outer.oid,
      signatureParameters: outer.parameters,
      signature: signatureContent.subarray(1),
      issuer: elementBytes(bytes, issuer),
      subject: elementBytes(bytes, subject),
      spki: elementBytes(bytes, spki),
      publicKeyAlgorithm: tbsTyped.subjectPublicKeyInfo.algorithm.algorithm,
      notBefore: tbsTyped.validity.notBefore.getTime(),
      notAfter: tbsTyped.validity.notAfter.getTime(),
      ...(basicConstraints === undefined ? {} : { basicConstraints }),
      ...(keyUsage === undefined ? {} : { keyUsage }),
      ...(dnsNames === undefined ? {} : { dnsNames }),
      commonNames,
      unknownCriticalExtensions: extensions.filter((e) => e.critical && !UNDERSTOOD_EXTENSIONS.has(e.id)).map((e) => e.id),
    };
    if (Number.isNaN(certificate.notBefore.getTime()) || Number.isNaN(certificate.notAfter.getTime())) return fail('unreadable validity');
    return { ok: true, certificate };
  } catch (error) {
    return fail(describeError(error));
  }
}
