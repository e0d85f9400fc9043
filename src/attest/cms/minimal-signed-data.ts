/**
 * The fields of a SignedData that `parseSignedData` takes from @peculiar/asn1-cms, read without
 * it for the one shape every AWS rsa2048 document has — and only when asn1-cms would read exactly
 * the same. No I/O, no clock, no crypto; never throws.
 *
 * Why: asn1-cms (asn1js + asn1-schema) builds a typed object tree of the whole SignedData, about
 * 0.4 ms of a warm join's CPU in workerd and 0.85 ms of a single join (most of an AWS join,
 * bench/README.md), while `parseSignedData` compares only a handful of its fields with what its
 * TLV reader found and otherwise relies on it for one thing: refusing input asn1-cms refuses.
 *
 * The contract: `readMinimalSignedData` returns fields only for a SignedData of the minimal shape
 * below built solely from element kinds whose asn1js decoding cannot fail; asn1-cms parses every
 * such input and yields the same values (test/attest/cms/minimal-signed-data.test.ts checks this
 * against asn1-cms over real documents and their mutations). For anything else — certificates,
 * CRLs, several signers, unsigned attributes, an unusual element anywhere — it returns
 * `undefined`, and the caller parses with asn1-cms as before. So what is accepted or refused,
 * and with which code, does not change; only the cost of the common case does.
 *
 * The shape: SignedData ::= SEQUENCE { version INTEGER, digestAlgorithms SET OF
 * AlgorithmIdentifier, encapContentInfo SEQUENCE { eContentType OID, [0] { OCTET STRING } },
 * signerInfos SET { one SignerInfo { version, sid (issuerAndSerialNumber with a plain Name, or
 * [0] subjectKeyIdentifier), digestAlgorithm, [0] signedAttrs?, signatureAlgorithm, signature
 * OCTET STRING } } }, every AlgorithmIdentifier with NULL or absent parameters, versions one
 * octet.
 */
import { childrenOf, isContext, isUniversal, oidOf, TAG_CLASS_CONTEXT, TAG_CLASS_UNIVERSAL, UNIVERSAL, type Tlv } from './tlv.js';

/** The fields of asn1-cms's `SignedData` that `parseSignedData` compares with its TLV reading. */
export interface TypedSignedDataFields {
  readonly version: number;
  readonly encapContentInfo: { readonly eContentType: string };
  readonly digestAlgorithms: readonly { readonly algorithm: string }[];
  readonly signerInfos: readonly {
    readonly version: number;
    readonly digestAlgorithm: { readonly algorithm: string };
    readonly signatureAlgorithm: { readonly algorithm: string };
  }[];
}

const NULL = 5;
const UTF8_STRING = 12;
const PRINTABLE_STRING = 19;
const IA5_STRING = 22;
const UTC_TIME = 23;
const UTC_TIME_TEXT = /^\d{12}Z$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const isUtf8 = (bytes: Uint8Array): boolean => {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
};

/** Octets of a definite length in its shortest form (X.690 §8.1.3). */
const lengthOctets = (length: number): number => (length < 0x80 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : length < 0x1000000 ? 4 : 5);

/**
 * Whether every element inside `tlv` (itself included) is of a kind asn1js decodes without an
 * error: SEQUENCE and SET (constructed), INTEGER and OBJECT IDENTIFIER (primitive, non-empty, the
 * OID's last octet ending its arc), NULL (empty), OCTET STRING (primitive, or constructed of OCTET
 * STRINGs), PrintableString, IA5String, UTF8String (valid UTF-8), UTCTime (YYMMDDhhmmssZ), and
 * context-specific elements,
 * each with a one-octet identifier and a shortest-form (or indefinite) length. Anything else —
 * other universal types, a wrong constructed bit, a long-form tag — answers false: not
 * "invalid", only "left to asn1-cms".
 */
function decodesPlainly(bytes: Uint8Array, tlv: Tlv, depth = 0): boolean {
  if (depth > 64) return false;
  const length = tlv.contentEnd - tlv.contentStart;
  // One identifier octet, and the length in the fewest octets (or indefinite): no encoding
  // variant whose handling could differ between decoders.
  if (((bytes[tlv.start] as number) & 0x1f) === 0x1f) return false;
  if (tlv.contentStart - tlv.start !== (tlv.indefinite ? 2 : 1 + lengthOctets(length))) return false;
  if (tlv.tagClass === TAG_CLASS_CONTEXT) {
    if (!tlv.constructed) return true;
  } else if (tlv.tagClass !== TAG_CLASS_UNIVERSAL) {
    return false;
  } else if (tlv.tagNumber === UNIVERSAL.sequence || tlv.tagNumber === UNIVERSAL.set) {
    if (!tlv.constructed) return false;
  } else if (tlv.tagNumber === UNIVERSAL.octetString) {
    if (!tlv.constructed) return true;
    return (childrenOf(bytes, tlv) ?? [undefined]).every((child) => isUniversal(child, UNIVERSAL.octetString) && decodesPlainly(bytes, child, depth + 1));
  } else {
    if (tlv.constructed || tlv.indefinite) return false;
    switch (tlv.tagNumber) {
      case UNIVERSAL.integer:
        return length > 0;
      case UNIVERSAL.objectIdentifier:
        return length > 0 && ((bytes[tlv.contentEnd - 1] as number) & 0x80) === 0;
      case NULL:
        return length === 0;
      case PRINTABLE_STRING:
      case IA5_STRING:
        return true;
      case UTF8_STRING:
        return isUtf8(bytes.subarray(tlv.contentStart, tlv.contentEnd));
      case UTC_TIME:
        return UTC_TIME_TEXT.test(String.fromCharCode(...bytes.subarray(tlv.contentStart, tlv.contentEnd)));
      default:
        return false;
    }
  }
  const children = childrenOf(bytes, tlv);
  return children !== undefined && children.every((child) => decodesPlainly(bytes, child, depth + 1));
}

/** A one-octet INTEGER 0..127, as asn1js decodes it; else undefined. */
function smallInteger(bytes: Uint8Array, tlv: Tlv | undefined): number | undefined {
  if (!isUniversal(tlv, UNIVERSAL.integer) || tlv.constructed || tlv.contentEnd - tlv.contentStart !== 1) return undefined;
  const value = bytes[tlv.contentStart] as number;
  return value < 0x80 ? value : undefined;
}

/** AlgorithmIdentifier with NULL or absent parameters: its OID; else undefined. */
function plainAlgorithm(bytes: Uint8Array, tlv: Tlv | undefined): string | undefined {
  if (!isUniversal(tlv, UNIVERSAL.sequence)) return undefined;
  const parts = childrenOf(bytes, tlv);
  if (parts === undefined || parts.length < 1 || parts.length > 2) return undefined;
  const parameters = parts[1];
  if (parameters !== undefined && !(isUniversal(parameters, NULL) && !parameters.constructed && parameters.contentEnd === parameters.contentStart)) return undefined;
  return oidOf(bytes, parts[0]);
}

/** Name ::= SEQUENCE OF SET OF SEQUENCE { type OID, value }, none of them empty. */
function plainName(bytes: Uint8Array, tlv: Tlv | undefined): boolean {
  if (!isUniversal(tlv, UNIVERSAL.sequence)) return false;
  const rdns = childrenOf(bytes, tlv);
  if (rdns === undefined || rdns.length === 0) return false;
  return rdns.every((rdn) => {
    const pairs = isUniversal(rdn, UNIVERSAL.set) ? childrenOf(bytes, rdn) : undefined;
    return (
      pairs !== undefined &&
      pairs.length > 0 &&
      pairs.every((pair) => {
        const parts = isUniversal(pair, UNIVERSAL.sequence) ? childrenOf(bytes, pair) : undefined;
        return parts?.length === 2 && oidOf(bytes, parts[0]) !== undefined;
      })
    );
  });
}

/**
 * SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm, signedAttrs [0] IMPLICIT OPTIONAL,
 * signatureAlgorithm, signature OCTET STRING, unsignedAttrs [1] IMPLICIT OPTIONAL }, by position.
 */
function signerInfoFields(bytes: Uint8Array, tlv: Tlv) {
  const fields = isUniversal(tlv, UNIVERSAL.sequence) ? childrenOf(bytes, tlv) : undefined;
  if (fields === undefined || fields.length < 5 || fields.length > 7) return undefined;
  const signedAttrs = isContext(fields[3], 0) ? fields[3] : undefined;
  const rest = fields.slice(signedAttrs === undefined ? 3 : 4);
  const [signatureAlgorithm, signature, unsignedAttrs, ...more] = rest;
  if (more.length > 0 || signatureAlgorithm === undefined || !isUniversal(signature, UNIVERSAL.octetString)) return undefined;
  return { version: fields[0], sid: fields[1] as Tlv, digestAlgorithm: fields[2], signedAttrs, signatureAlgorithm, signature, unsignedAttrs };
}

/**
 * The fields asn1-cms would decode from the SignedData at `sd` (a SEQUENCE inside `bytes`), when
 * the SignedData has the minimal shape of this module's header and decodes plainly; otherwise
 * undefined (the caller parses with asn1-cms).
 */
export function readMinimalSignedData(bytes: Uint8Array, sd: Tlv): TypedSignedDataFields | undefined {
  if (!decodesPlainly(bytes, sd)) return undefined;
  const fields = childrenOf(bytes, sd);
  if (fields?.length !== 4) return undefined;
  const [versionTlv, digestAlgorithmsTlv, encapTlv, signerInfosTlv] = fields as [Tlv, Tlv, Tlv, Tlv];
  const version = smallInteger(bytes, versionTlv);
  if (version === undefined || !isUniversal(digestAlgorithmsTlv, UNIVERSAL.set) || !isUniversal(signerInfosTlv, UNIVERSAL.set)) return undefined;

  const digestAlgorithms: { algorithm: string }[] = [];
  for (const algorithm of childrenOf(bytes, digestAlgorithmsTlv) ?? []) {
    const oid = plainAlgorithm(bytes, algorithm);
    if (oid === undefined) return undefined;
    digestAlgorithms.push({ algorithm: oid });
  }

  const encap = isUniversal(encapTlv, UNIVERSAL.sequence) ? childrenOf(bytes, encapTlv) : undefined;
  const eContentType = oidOf(bytes, encap?.[0]);
  const eContent = encap?.length === 2 && isContext(encap[1], 0) && encap[1].constructed ? childrenOf(bytes, encap[1]) : undefined;
  if (eContentType === undefined || eContent?.length !== 1 || !isUniversal(eContent[0], UNIVERSAL.octetString)) return undefined;

  const signers = childrenOf(bytes, signerInfosTlv);
  if (signers?.length !== 1) return undefined;
  const signer = signerInfoFields(bytes, signers[0] as Tlv);
  if (signer === undefined || signer.unsignedAttrs !== undefined || signer.signature.constructed) return undefined;
  const signerVersion = smallInteger(bytes, signer.version);
  const digestAlgorithm = plainAlgorithm(bytes, signer.digestAlgorithm);
  const signatureAlgorithm = plainAlgorithm(bytes, signer.signatureAlgorithm);
  if (signerVersion === undefined || digestAlgorithm === undefined || signatureAlgorithm === undefined) return undefined;
  const { sid } = signer;
  if (isContext(sid, 0)) {
    if (sid.constructed) return undefined;
  } else {
    const parts = isUniversal(sid, UNIVERSAL.sequence) ? childrenOf(bytes, sid) : undefined;
    if (parts?.length !== 2 || !plainName(bytes, parts[0]) || !isUniversal(parts[1], UNIVERSAL.integer)) return undefined;
  }
  if (signer.signedAttrs !== undefined) {
    // SignedAttributes ::= SET OF Attribute; Attribute ::= SEQUENCE { OID, SET OF value }, definite.
    if (signer.signedAttrs.indefinite || !signer.signedAttrs.constructed) return undefined;
    const attributes = childrenOf(bytes, signer.signedAttrs);
    if (attributes === undefined || attributes.length === 0) return undefined;
    for (const attribute of attributes) {
      const parts = isUniversal(attribute, UNIVERSAL.sequence) ? childrenOf(bytes, attribute) : undefined;
      if (parts?.length !== 2 || oidOf(bytes, parts[0]) === undefined || !isUniversal(parts[1], UNIVERSAL.set)) return undefined;
    }
  }

  return {
    version,
    encapContentInfo: { eContentType },
    digestAlgorithms,
    signerInfos: [{ version: signerVersion, digestAlgorithm: { algorithm: digestAlgorithm }, signatureAlgorithm: { algorithm: signatureAlgorithm } }],
  };
}
