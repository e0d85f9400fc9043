/**
 * Parse a DER/BER CMS ContentInfo carrying SignedData (RFC 5652 §3, §5) into the fields a
 * verifier needs. No I/O, no clock, no crypto; never throws: every parser exception becomes
 * a `malformed` failure here, at the boundary.
 *
 * Structure and algorithm identifiers come from @peculiar/asn1-cms (or, for the minimal shape
 * of every AWS document, from minimal-signed-data.ts, which answers only where asn1-cms would
 * answer the same). The byte-exact parts — the encapsulated content, the signed attributes the
 * signature covers, the signer's issuer name — are located with the TLV reader on the same
 * input, because asn1-schema 2.11.1 does not keep the signed attributes' raw bytes and does not
 * reassemble a constructed (BER) OCTET STRING eContent, which is how AWS encodes it.
 */
import { OID_DATA, OID_SIGNED_DATA } from './algorithms.js';
import { asn1 } from './asn1-libraries.js';
import { asn1ParseOptions, checkBerStructure, DEFAULT_BER_LIMITS, type BerLimits } from './ber-guard.js';
import type { SignerIdentifier } from './certificate.js';
import { readMinimalSignedData, type TypedSignedDataFields } from './minimal-signed-data.js';
import { cmsFailure, cmsOk, describeError, type CmsResult } from './result.js';
import {
  childrenOf,
  contentBytes,
  elementBytes,
  isContext,
  isUniversal,
  octetStringValue,
  oidOf,
  readAlgorithmIdentifier,
  readTlv,
  TAG_CLASS_CONTEXT,
  TAG_CLASS_UNIVERSAL,
  UNIVERSAL,
  type Tlv,
} from './tlv.js';

export interface CmsAttribute {
  readonly type: string;
  /** DER of each value in the attribute's SET, in order. */
  readonly values: readonly Uint8Array[];
}

export interface SignedAttributes {
  readonly attributes: readonly CmsAttribute[];
  /**
   * What the signature covers (RFC 5652 §5.4): the signedAttrs field with its IMPLICIT [0] tag
   * replaced by the SET OF tag 0x31, byte for byte as received otherwise.
   */
  readonly signedBytes: Uint8Array;
}

export interface ParsedSignerInfo {
  readonly sid: SignerIdentifier;
  readonly digestAlgorithm: string;
  /** DER of the AlgorithmIdentifier parameters; `null` for NULL, `undefined` when absent. */
  readonly digestParameters: Uint8Array | null | undefined;
  readonly signatureAlgorithm: string;
  readonly signatureParameters: Uint8Array | null | undefined;
  readonly signedAttributes?: SignedAttributes;
  readonly signature: Uint8Array;
}

export interface ParsedSignedData {
  /** eContentType. */
  readonly contentType: string;
  /** The encapsulated content (eContent), segments of a constructed OCTET STRING joined. */
  readonly content: Uint8Array;
  /** The one SignerInfo. */
  readonly signer: ParsedSignerInfo;
  /** DER of each embedded certificate (the `certificates` field), unverified. */
  readonly certificates: readonly Uint8Array[];
}

export function parseSignedData(der: Uint8Array, limits: BerLimits = DEFAULT_BER_LIMITS): CmsResult<ParsedSignedData> {
  const guard = checkBerStructure(der, limits);
  if (!guard.ok) return cmsFailure('malformed', guard.detail);
  try {
    return parseGuarded(der.slice(), limits);
  } catch (error) {
    return cmsFailure('malformed', `SignedData: ${describeError(error)}`);
  }
}

function parseGuarded(bytes: Uint8Array, limits: BerLimits): CmsResult<ParsedSignedData> {
  const malformed = (detail: string) => cmsFailure<ParsedSignedData>('malformed', detail);

  // ContentInfo ::= SEQUENCE { contentType OBJECT IDENTIFIER, content [0] EXPLICIT ANY }
  const root = readTlv(bytes, 0);
  const outer = isUniversal(root, UNIVERSAL.sequence) ? childrenOf(bytes, root) : undefined;
  if (outer === undefined || outer.length !== 2) return malformed('not a CMS ContentInfo');
  const contentType = oidOf(bytes, outer[0]);
  if (contentType === undefined || !isContext(outer[1], 0)) return malformed('not a CMS ContentInfo');
  if (contentType !== OID_SIGNED_DATA) return cmsFailure('unsupported', `ContentInfo type ${contentType} is not SignedData`);
  const wrapped = childrenOf(bytes, outer[1]);
  const sdTlv = wrapped?.length === 1 ? wrapped[0] : undefined;
  if (!isUniversal(sdTlv, UNIVERSAL.sequence)) return malformed('ContentInfo content is not a SignedData');

  // asn1-cms decodes the structure and the fields compared below; for the minimal shape of every
  // AWS document the same fields are read directly, exactly when asn1-cms would read the same
  // (minimal-signed-data.ts), at a fraction of the cost.
  const typed: TypedSignedDataFields = readMinimalSignedData(bytes, sdTlv) ?? asn1().AsnParser.parse(elementBytes(bytes, sdTlv), asn1().SignedData, asn1ParseOptions(limits));

  // SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo,
  //   certificates [0] IMPLICIT OPTIONAL, crls [1] IMPLICIT OPTIONAL, signerInfos SET }
  const fields = childrenOf(bytes, sdTlv);
  if (fields === undefined || fields.length < 4 || fields.length > 6) return malformed('SignedData has an unexpected layout');
  const [version, digestAlgorithms, encap] = fields;
  const signerInfos = fields[fields.length - 1];
  const optional = fields.slice(3, -1);
  const certificatesTlv = optional.find((f) => isContext(f, 0));
  const layoutOk =
    isUniversal(version, UNIVERSAL.integer) &&
    isUniversal(digestAlgorithms, UNIVERSAL.set) &&
    isUniversal(encap, UNIVERSAL.sequence) &&
    isUniversal(signerInfos, UNIVERSAL.set) &&
    optional.every((f, i) => f.constructed && ((isContext(f, 0) && i === 0) || (isContext(f, 1) && i === optional.length - 1)));
  if (!layoutOk) return malformed('SignedData has an unexpected layout');

  // EncapsulatedContentInfo ::= SEQUENCE { eContentType, eContent [0] EXPLICIT OCTET STRING OPTIONAL }
  const encapFields = childrenOf(bytes, encap as Tlv);
  const eContentType = oidOf(bytes, encapFields?.[0]);
  if (encapFields === undefined || encapFields.length > 2 || eContentType === undefined) {
    return malformed('EncapsulatedContentInfo has an unexpected layout');
  }
  if (eContentType !== typed.encapContentInfo.eContentType) return malformed('eContentType decoded inconsistently');
  const eContentTlv = encapFields[1];
  if (eContentTlv === undefined) return cmsFailure('unsupported', 'detached content (no eContent) is not supported');
  const eContentInner = isContext(eContentTlv, 0) ? childrenOf(bytes, eContentTlv) : undefined;
  const content = eContentInner?.length === 1 ? octetStringValue(bytes, eContentInner[0] as Tlv) : undefined;
  if (content === undefined) return malformed('eContent is not an OCTET STRING');

  const signerTlvs = childrenOf(bytes, signerInfos as Tlv) ?? [];
  if (signerTlvs.length !== typed.signerInfos.length) return malformed('signerInfos decoded inconsistently');
  if (signerTlvs.length !== 1) {
    return signerTlvs.length === 0
      ? malformed('SignedData has no SignerInfo')
      : cmsFailure('unsupported', `SignedData has ${signerTlvs.length} SignerInfos; exactly one is supported`);
  }
  const typedSigner = typed.signerInfos[0];
  const signer = typedSigner === undefined ? undefined : readSignerInfo(bytes, signerTlvs[0] as Tlv);
  if (typedSigner === undefined || signer === undefined) return malformed('SignerInfo has an unexpected layout');
  if (!signer.ok) return signer;

  const certificates: Uint8Array[] = [];
  if (certificatesTlv !== undefined) {
    // CertificateChoices: only plain certificates (SEQUENCE) are kept; attribute and other
    // certificate formats cannot sign and are ignored.
    for (const choice of childrenOf(bytes, certificatesTlv) ?? []) {
      if (isUniversal(choice, UNIVERSAL.sequence)) certificates.push(elementBytes(bytes, choice));
    }
  }

  // The SignedData fields outside the signed attributes are not covered by the signature.
  // Holding them to RFC 5652's MUSTs leaves an attacker no way to alter a valid document's
  // bytes and still have it accepted (tested by mutating real vectors).
  const signerVersion = signer.value.sid.kind === 'subjectKeyIdentifier' ? 3 : 1; // §5.3
  if (typedSigner.version !== signerVersion) {
    return malformed(`SignerInfo version ${typedSigner.version} does not match its ${signer.value.sid.kind} sid`);
  }
  const certificateKinds = certificatesTlv === undefined ? [] : (childrenOf(bytes, certificatesTlv) ?? []).map(choiceKind);
  const crlKinds = optional.filter((f) => isContext(f, 1)).flatMap((f) => (childrenOf(bytes, f) ?? []).map(choiceKind));
  const expectedVersion = signedDataVersion(certificateKinds, crlKinds, signerVersion, eContentType);
  if (typed.version !== expectedVersion) return malformed(`SignedData version ${typed.version}, RFC 5652 §5.1 requires ${expectedVersion}`);
  const digestSet = (childrenOf(bytes, digestAlgorithms as Tlv) ?? []).map((t) => readAlgorithmIdentifier(bytes, t));
  if (digestSet.length !== typed.digestAlgorithms.length || digestSet.some((a, i) => a?.oid !== typed.digestAlgorithms[i]?.algorithm)) {
    return malformed('digestAlgorithms decoded inconsistently');
  }
  if (!digestSet.some((a) => a?.oid === signer.value.digestAlgorithm)) return malformed('signer digestAlgorithm missing from digestAlgorithms');
  if (!digestSet.every((a) => a?.parameters === null || a?.parameters === undefined)) return malformed('digestAlgorithms with parameters');
  if (typedSigner.digestAlgorithm.algorithm !== signer.value.digestAlgorithm || typedSigner.signatureAlgorithm.algorithm !== signer.value.signatureAlgorithm) {
    return malformed('SignerInfo algorithms decoded inconsistently');
  }

  return cmsOk({ contentType: eContentType, content, signer: signer.value, certificates });
}

/** A CertificateChoices / RevocationInfoChoice alternative: 'plain' (a SEQUENCE) or its context tag. */
const choiceKind = (tlv: Tlv): 'plain' | number =>
  tlv.tagClass === TAG_CLASS_UNIVERSAL && tlv.tagNumber === UNIVERSAL.sequence ? 'plain' : tlv.tagClass === TAG_CLASS_CONTEXT ? tlv.tagNumber : -1;

/** RFC 5652 §5.1, the version a SignedData MUST have. */
function signedDataVersion(certificates: ReadonlyArray<'plain' | number>, crls: ReadonlyArray<'plain' | number>, signerVersion: number, eContentType: string): number {
  if (certificates.includes(3) || crls.includes(1)) return 5; // other certificate / revocation formats
  if (certificates.includes(2)) return 4; // v2 attribute certificates
  if (certificates.includes(1) || signerVersion === 3 || eContentType !== OID_DATA) return 3;
  return 1;
}

/**
 * SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm, signedAttrs [0] IMPLICIT OPTIONAL,
 *   signatureAlgorithm, signature OCTET STRING, unsignedAttrs [1] IMPLICIT OPTIONAL }
 * Strict layout: anything else is malformed, so this reader and asn1-cms cannot disagree about
 * which element is which.
 */
function readSignerInfo(bytes: Uint8Array, tlv: Tlv): CmsResult<ParsedSignerInfo> | undefined {
  if (!isUniversal(tlv, UNIVERSAL.sequence)) return undefined;
  const fields = childrenOf(bytes, tlv);
  if (fields === undefined || fields.length < 5 || fields.length > 7) return undefined;
  const signedAttrsTlv = isContext(fields[3], 0) ? fields[3] : undefined;
  const rest = fields.slice(signedAttrsTlv === undefined ? 3 : 4);
  const [sidTlv, digestTlv] = [fields[1], fields[2]];
  const [signatureAlgorithmTlv, signatureTlv, unsignedTlv] = rest;
  if (
    !isUniversal(fields[0], UNIVERSAL.integer) ||
    !isUniversal(digestTlv, UNIVERSAL.sequence) ||
    !isUniversal(signatureAlgorithmTlv, UNIVERSAL.sequence) ||
    !isUniversal(signatureTlv, UNIVERSAL.octetString) ||
    rest.length > 3 ||
    (unsignedTlv !== undefined && !isContext(unsignedTlv, 1))
  ) {
    return undefined;
  }

  const sid = readSignerIdentifier(bytes, sidTlv);
  if (sid === undefined) return cmsFailure('malformed', 'unreadable SignerInfo sid');
  const digest = readAlgorithmIdentifier(bytes, digestTlv);
  const signatureAlgorithm = readAlgorithmIdentifier(bytes, signatureAlgorithmTlv);
  if (digest === undefined || signatureAlgorithm === undefined) return cmsFailure('malformed', 'unreadable SignerInfo algorithm');
  const algorithms = {
    digestAlgorithm: digest.oid,
    digestParameters: digest.parameters,
    signatureAlgorithm: signatureAlgorithm.oid,
    signatureParameters: signatureAlgorithm.parameters,
  };
  const signature = octetStringValue(bytes, signatureTlv);
  if (signature === undefined || signature.length === 0) return cmsFailure('malformed', 'empty SignerInfo signature');

  if (signedAttrsTlv === undefined) return cmsOk({ sid, ...algorithms, signature });
  const signedAttributes = readSignedAttributes(bytes, signedAttrsTlv);
  if (!signedAttributes.ok) return signedAttributes;
  return cmsOk({ sid, ...algorithms, signature, signedAttributes: signedAttributes.value });
}

function readSignerIdentifier(bytes: Uint8Array, tlv: Tlv | undefined): SignerIdentifier | undefined {
  // SignerIdentifier ::= CHOICE { issuerAndSerialNumber, subjectKeyIdentifier [0] IMPLICIT OCTET STRING }
  if (isContext(tlv, 0) && !tlv.constructed) {
    return { kind: 'subjectKeyIdentifier', keyIdentifier: contentBytes(bytes, tlv) };
  }
  if (!isUniversal(tlv, UNIVERSAL.sequence)) return undefined;
  const parts = childrenOf(bytes, tlv);
  const [issuer, serial] = parts ?? [];
  if (parts?.length !== 2 || !isUniversal(issuer, UNIVERSAL.sequence) || !isUniversal(serial, UNIVERSAL.integer) || serial.constructed) {
    return undefined;
  }
  return { kind: 'issuerAndSerialNumber', issuer: elementBytes(bytes, issuer), serialNumber: contentBytes(bytes, serial) };
}

/**
 * SignedAttributes ::= SET SIZE (1..MAX) OF Attribute; Attribute ::= SEQUENCE { attrType, attrValues SET OF }.
 * The attributes are read from the same bytes the signature will be checked over, so what the
 * verifier interprets is exactly what was signed (no re-encoding that could drop or normalise).
 */
function readSignedAttributes(bytes: Uint8Array, tlv: Tlv): CmsResult<SignedAttributes> {
  const malformed = (detail: string) => cmsFailure<SignedAttributes>('malformed', `signed attributes: ${detail}`);
  // RFC 5652 §5.4: the signature is over the DER encoding; an indefinite length is not DER.
  if (tlv.indefinite || !tlv.constructed) return malformed('not DER');
  const items = childrenOf(bytes, tlv);
  if (items === undefined || items.length === 0) return malformed('empty');
  const attributes: CmsAttribute[] = [];
  for (const item of items) {
    const parts = isUniversal(item, UNIVERSAL.sequence) ? childrenOf(bytes, item) : undefined;
    const type = oidOf(bytes, parts?.[0]);
    const valuesTlv = parts?.[1];
    if (parts?.length !== 2 || type === undefined || !isUniversal(valuesTlv, UNIVERSAL.set)) return malformed('bad Attribute');
    const values = childrenOf(bytes, valuesTlv);
    if (values === undefined || values.length === 0) return malformed(`attribute ${type} has no value`);
    attributes.push({ type, values: values.map((v) => elementBytes(bytes, v)) });
  }
  const signedBytes = elementBytes(bytes, tlv).slice();
  signedBytes[0] = 0x31;
  return cmsOk({ attributes, signedBytes });
}
