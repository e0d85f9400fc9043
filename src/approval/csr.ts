/**
 * PKCS#10 certificate signing requests (RFC 2986) as the CSR approver reads them. No I/O, no
 * clock. Parsing never throws: a request this cannot read fully is a failure value, and the
 * approver denies it rather than judging half of it.
 *
 * Why not @peculiar/x509 (the issue names it): it pulls tsyringe and reflect-metadata into the
 * Worker; measured, a CSR-parsing entry is 59.7 KiB gzip with it and 30.9 KiB with
 * @peculiar/asn1-csr, whose asn1-schema/asn1-x509 stack the bundle already carries: about 29 KiB
 * more, with the Worker at 196.7 of its 200 KiB budget (README "Node-bound certificates"). The byte-exact parts — the CertificationRequestInfo the self-signature covers,
 * the SubjectPublicKeyInfo, the subjectAltName entries — are read with the CMS layer's TLV reader
 * behind the same BER guard, so what is checked is exactly what was signed.
 *
 * Reading rules, chosen to be at least as strict as what the API server and the csrsigner act on
 * (Go's crypto/x509 `ParseCertificateRequest`, pkg/apis/certificates/helpers.go):
 * - exactly one `CERTIFICATE REQUEST` PEM block (Go reads only the first: anything after it is
 *   refused here so that nobody can hide a second request);
 * - subject commonName and organization values must be PrintableString or UTF8String; every
 *   other subject attribute is reported by OID;
 * - the extensionRequest attribute (1.2.840.113549.1.9.14) at most once, with one value; a
 *   subjectAltName extension at most once; its entries are split into DNS names, IP addresses
 *   (canonical text), email addresses, URIs and `otherForms` (otherName, x400Address,
 *   directoryName, ediPartyName, registeredID: Go ignores them, the approver refuses them).
 */
import { asn1 } from '../attest/cms/asn1-libraries.js';
import { asn1ParseOptions, checkBerStructure, type BerLimits } from '../attest/cms/ber-guard.js';
import { decodePem } from '../attest/cms/encoding.js';
import { describeError } from '../attest/cms/result.js';
import { childrenOf, contentBytes, elementBytes, isContext, isUniversal, oidOf, readAlgorithmIdentifier, readTlv, TAG_CLASS_CONTEXT, TAG_CLASS_UNIVERSAL, UNIVERSAL, type Tlv } from '../attest/cms/tlv.js';
import { ipAddressText } from './ip.js';

const OID_COMMON_NAME = '2.5.4.3';
const OID_ORGANIZATION = '2.5.4.10';
const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const BIT_STRING = 3;
const BOOLEAN = 1;

/** A kubelet CSR is well under 4 KiB; the API server caps a whole object far higher. */
export const CSR_BER_LIMITS: BerLimits = { maxBytes: 16 * 1024, maxDepth: 16, maxElements: 1024 };

/** The subjectAltName entries of a request, by form. */
export interface SubjectAltNames {
  readonly dnsNames: readonly string[];
  /** Canonical text: dotted quad for 4 bytes, RFC 5952 for 16. */
  readonly ipAddresses: readonly string[];
  readonly emailAddresses: readonly string[];
  readonly uris: readonly string[];
  /** Entries of any other GeneralName form (counted, not decoded). */
  readonly otherForms: number;
}

/** A parsed request. Byte fields are views of `der`. */
export interface CertificateRequest {
  readonly der: Uint8Array;
  /** The DER CertificationRequestInfo: what the self-signature covers. */
  readonly info: Uint8Array;
  readonly signatureAlgorithm: string;
  /** DER of the signature algorithm's parameters; `null` for NULL, `undefined` when absent. */
  readonly signatureParameters: Uint8Array | null | undefined;
  /** The signature BIT STRING's bytes (no unused bits). */
  readonly signature: Uint8Array;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  readonly publicKeyAlgorithm: string;
  /** For EC keys: the named curve's OID. */
  readonly publicKeyCurve?: string;
  /** Subject commonName values, in order (Go uses the last; the approver requires exactly one). */
  readonly commonNames: readonly string[];
  /** Subject organization values, in order. */
  readonly organizations: readonly string[];
  /** OIDs of subject attributes other than commonName and organization. */
  readonly otherSubjectAttributes: readonly string[];
  readonly subjectAltNames: SubjectAltNames;
}

export type CsrParse = { readonly ok: true; readonly request: CertificateRequest } | { readonly ok: false; readonly detail: string };

const fail = (detail: string): CsrParse => ({ ok: false, detail: `certificate request: ${detail}` });

const NO_NAMES: SubjectAltNames = { dnsNames: [], ipAddresses: [], emailAddresses: [], uris: [], otherForms: 0 };

/** `spec.request` of a CertificateSigningRequest: the PEM text (the API's bytes, base64-decoded). */
export function parseCertificateRequestPem(pem: string): CsrParse {
  const block = decodePem(pem, ['CERTIFICATE REQUEST']);
  if (block === undefined) return fail('not exactly one PEM "CERTIFICATE REQUEST" block');
  return parseCertificateRequest(block.der);
}

/** IA5String text (7-bit only), or undefined. */
function ia5(bytes: Uint8Array): string | undefined {
  let text = '';
  for (const b of bytes) {
    if (b > 0x7f) return undefined;
    text += String.fromCharCode(b);
  }
  return text;
}

/**
 * GeneralNames ::= SEQUENCE OF GeneralName (RFC 5280 §4.2.1.6), IMPLICIT tags:
 * [1] rfc822Name, [2] dNSName, [6] uniformResourceIdentifier (IA5String), [7] iPAddress (OCTET STRING).
 */
function readSubjectAltNames(value: Uint8Array): SubjectAltNames | undefined {
  const root = readTlv(value, 0);
  if (!isUniversal(root, UNIVERSAL.sequence) || root.end !== value.length) return undefined;
  const entries = childrenOf(value, root);
  if (entries === undefined) return undefined;
  const names = { dnsNames: [] as string[], ipAddresses: [] as string[], emailAddresses: [] as string[], uris: [] as string[], otherForms: 0 };
  for (const entry of entries) {
    if (entry.tagClass !== TAG_CLASS_CONTEXT) return undefined;
    const isText = entry.tagNumber === 1 || entry.tagNumber === 2 || entry.tagNumber === 6;
    if (isText || entry.tagNumber === 7) {
      if (entry.constructed) return undefined;
      const content = contentBytes(value, entry);
      if (entry.tagNumber === 7) {
        const ip = ipAddressText(content);
        if (ip === undefined) return undefined;
        names.ipAddresses.push(ip);
        continue;
      }
      const text = ia5(content);
      if (text === undefined) return undefined;
      (entry.tagNumber === 1 ? names.emailAddresses : entry.tagNumber === 2 ? names.dnsNames : names.uris).push(text);
    } else if (entry.tagNumber <= 8) {
      names.otherForms++;
    } else {
      return undefined;
    }
  }
  return names;
}

/**
 * Attributes ::= [0] IMPLICIT SET OF Attribute; Attribute ::= SEQUENCE { type, values SET OF ANY }.
 * Returns the subjectAltName entries of the extensionRequest, or why the attributes are refused.
 */
function readRequestedNames(bytes: Uint8Array, attributes: Tlv | undefined): SubjectAltNames | string {
  if (attributes === undefined) return NO_NAMES;
  if (!isContext(attributes, 0)) return 'attributes are not [0]';
  const list = childrenOf(bytes, attributes);
  if (list === undefined) return 'unreadable attributes';
  let names: SubjectAltNames | undefined;
  let extensionRequests = 0;
  for (const attribute of list) {
    const parts = isUniversal(attribute, UNIVERSAL.sequence) ? childrenOf(bytes, attribute) : undefined;
    const type = oidOf(bytes, parts?.[0]);
    if (parts === undefined || parts.length !== 2 || type === undefined || !isUniversal(parts[1], UNIVERSAL.set)) return 'unreadable attribute';
    if (type !== OID_EXTENSION_REQUEST) continue;
    if (++extensionRequests > 1) return 'extensionRequest appears twice';
    const values = childrenOf(bytes, parts[1] as Tlv);
    if (values?.length !== 1 || !isUniversal(values[0], UNIVERSAL.sequence)) return 'extensionRequest must hold one Extensions value';
    const extensions = childrenOf(bytes, values[0] as Tlv);
    if (extensions === undefined) return 'unreadable extensionRequest';
    const seen = new Set<string>();
    for (const extension of extensions) {
      const fields = isUniversal(extension, UNIVERSAL.sequence) ? childrenOf(bytes, extension) : undefined;
      if (fields === undefined || fields.length < 2 || fields.length > 3) return 'unreadable extension';
      const id = oidOf(bytes, fields[0]);
      const flag = fields.length === 3 ? fields[1] : undefined;
      const valueTlv = fields[fields.length - 1];
      if (id === undefined || !isUniversal(valueTlv, UNIVERSAL.octetString) || valueTlv.constructed) return 'unreadable extension';
      if (flag !== undefined && (!isUniversal(flag, BOOLEAN) || flag.constructed || flag.contentEnd - flag.contentStart !== 1)) return 'unreadable extension criticality';
      if (seen.has(id)) return `extension ${id} appears twice`;
      seen.add(id);
      if (id !== OID_SUBJECT_ALT_NAME) continue;
      names = readSubjectAltNames(contentBytes(bytes, valueTlv));
      if (names === undefined) return 'unreadable subjectAltName';
    }
  }
  return names ?? NO_NAMES;
}

/** The EC named curve in an id-ecPublicKey SubjectPublicKeyInfo's algorithm parameters. */
function curveOf(bytes: Uint8Array, spki: Tlv): string | undefined {
  const algorithm = readAlgorithmIdentifier(bytes, childrenOf(bytes, spki)?.[0]);
  if (algorithm?.parameters === null || algorithm?.parameters === undefined) return undefined;
  const parameters = algorithm.parameters;
  return oidOf(parameters, readTlv(parameters, 0));
}

/**
 * Decodes one DER CertificationRequest. Refused: anything the BER guard refuses, a layout other
 * than RFC 2986's, a version other than v1 (0), a signature with unused bits, unreadable subject
 * names or extensions (see the module header).
 */
export function parseCertificateRequest(der: Uint8Array): CsrParse {
  const guard = checkBerStructure(der, CSR_BER_LIMITS);
  if (!guard.ok) return fail(guard.detail);
  try {
    const bytes = der.slice();
    const typed = asn1().AsnParser.parse(bytes, asn1().CertificationRequest, asn1ParseOptions(CSR_BER_LIMITS));
    const info = typed.certificationRequestInfo;
    if (info.version !== 0) return fail(`version ${info.version}, expected v1 (0)`);

    const root = readTlv(bytes, 0);
    const top = isUniversal(root, UNIVERSAL.sequence) ? childrenOf(bytes, root) : undefined;
    if (top === undefined || top.length !== 3) return fail('not a CertificationRequest SEQUENCE of three');
    const [infoTlv, algorithmTlv, signatureTlv] = top as [Tlv, Tlv, Tlv];
    const fields = isUniversal(infoTlv, UNIVERSAL.sequence) ? childrenOf(bytes, infoTlv) : undefined;
    if (fields === undefined || fields.length < 3 || fields.length > 4) return fail('unexpected CertificationRequestInfo layout');
    const [version, subject, spki, attributes] = fields as [Tlv, Tlv, Tlv, Tlv | undefined];
    if (!isUniversal(version, UNIVERSAL.integer) || !isUniversal(subject, UNIVERSAL.sequence) || !isUniversal(spki, UNIVERSAL.sequence)) {
      return fail('unexpected CertificationRequestInfo layout');
    }
    const algorithm = readAlgorithmIdentifier(bytes, algorithmTlv);
    if (algorithm === undefined) return fail('unreadable signatureAlgorithm');
    if (signatureTlv.tagClass !== TAG_CLASS_UNIVERSAL || signatureTlv.tagNumber !== BIT_STRING || signatureTlv.constructed) {
      return fail('signature is not a primitive BIT STRING');
    }
    const signatureContent = contentBytes(bytes, signatureTlv);
    if (signatureContent.length < 2 || signatureContent[0] !== 0) return fail('signature has unused bits');

    const names = readRequestedNames(bytes, attributes);
    if (typeof names === 'string') return fail(names);

    const commonNames: string[] = [];
    const organizations: string[] = [];
    const otherSubjectAttributes: string[] = [];
    for (const rdn of info.subject) {
      for (const attribute of rdn) {
        const target = attribute.type === OID_COMMON_NAME ? commonNames : attribute.type === OID_ORGANIZATION ? organizations : undefined;
        if (target === undefined) {
          otherSubjectAttributes.push(attribute.type);
          continue;
        }
        const text = attribute.value.printableString ?? attribute.value.utf8String;
        if (typeof text !== 'string') return fail(`subject ${attribute.type} is neither PrintableString nor UTF8String`);
        target.push(text);
      }
    }

    const publicKeyAlgorithm = info.subjectPKInfo.algorithm.algorithm;
    const curve = curveOf(bytes, spki);
    return {
      ok: true,
      request: {
        der: bytes,
        info: elementBytes(bytes, infoTlv),
        signatureAlgorithm: algorithm.oid,
        signatureParameters: algorithm.parameters,
        signature: signatureContent.subarray(1),
        spki: elementBytes(bytes, spki),
        publicKeyAlgorithm,
        ...(curve === undefined ? {} : { publicKeyCurve: curve }),
        commonNames,
        organizations,
        otherSubjectAttributes,
        subjectAltNames: names,
      },
    };
  } catch (error) {
    return fail(describeError(error));
  }
}
