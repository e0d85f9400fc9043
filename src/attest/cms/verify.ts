/**
 * Verify the one SignerInfo of a parsed SignedData (RFC 5652 §5.4–5.6) with RSA PKCS#1 v1.5.
 * No I/O beyond `crypto.subtle`, no clock, no globals; results are values, never exceptions.
 *
 * Trust is decided here, in this order:
 *  1. algorithms: the hash comes from digestAlgorithm; signatureAlgorithm must be RSA PKCS#1 v1.5,
 *     either rsaEncryption or sha*WithRSAEncryption naming that same hash;
 *  2. signed attributes, when present: exactly one contentType equal to eContentType and exactly
 *     one messageDigest equal to digest(eContent), and a CMSAlgorithmProtection attribute, if
 *     any, naming the same algorithms; without them the content type must be id-data;
 *  3. the key: a caller-supplied certificate or key matching the signer identifier, or the
 *     embedded certificate the identifier names (which the caller must then validate: an
 *     embedded certificate proves nothing by itself);
 *  4. the signature, over the re-tagged signed attributes or else over the content.
 */
import {
  ALL_DIGESTS,
  digestName,
  OID_CMS_ALGORITHM_PROTECTION,
  OID_CONTENT_TYPE,
  OID_DATA,
  OID_MESSAGE_DIGEST,
  SIGNATURE_ALGORITHMS,
  type DigestName,
} from './algorithms.js';
import { matchesSignerIdentifier, parseCertificate, type SignerCertificate, type TrustedSigner } from './certificate.js';
import { equalBytes } from './encoding.js';
import type { RsaKeyCache } from './key-cache.js';
import { cmsFailure, cmsOk, type CmsResult } from './result.js';
import { verifyRsaPkcs1 } from './rsa.js';
import type { CmsAttribute, ParsedSignedData, SignedAttributes } from './signed-data.js';
import { childrenOf, contentBytes, isContext, isUniversal, oidOf, readTlv, UNIVERSAL } from './tlv.js';

/** Where the verification key comes from. */
export type SignerSource =
  /** Only these certificates/keys; certificates embedded in the SignedData are ignored (AWS). */
  | { readonly kind: 'trusted'; readonly signers: readonly TrustedSigner[] }
  /** The embedded certificate the signer identifier names (Azure); the caller validates its chain. */
  | { readonly kind: 'embedded' };

export interface VerifySignedDataOptions {
  readonly signers: SignerSource;
  /** Accepted digest algorithms; default SHA-1, SHA-256, SHA-384 and SHA-512. */
  readonly digests?: readonly DigestName[];
  /** Cache for imported keys; without one every call imports afresh. */
  readonly keyCache?: RsaKeyCache;
}

export interface VerifiedSignedData {
  readonly contentType: string;
  /** The signed content: the only bytes a caller may read claims from. */
  readonly content: Uint8Array;
  /** The certificate or key whose signature verified. */
  readonly signer: TrustedSigner;
  readonly digest: DigestName;
  /** The signed attributes (empty when the signature is directly over the content). */
  readonly signedAttributes: readonly CmsAttribute[];
}

export async function verifySignedData(
  signed: ParsedSignedData,
  options: VerifySignedDataOptions,
): Promise<CmsResult<VerifiedSignedData>> {
  const { signer } = signed;

  const hash = digestName(signer.digestAlgorithm);
  if (hash === undefined || !(options.digests ?? ALL_DIGESTS).includes(hash)) {
    return cmsFailure('unsupported', `digest algorithm ${signer.digestAlgorithm} is not accepted`);
  }
  const signatureAlgorithm = Object.hasOwn(SIGNATURE_ALGORITHMS, signer.signatureAlgorithm)
    ? SIGNATURE_ALGORITHMS[signer.signatureAlgorithm]
    : undefined;
  if (signatureAlgorithm?.family !== 'rsa-pkcs1') {
    return cmsFailure('unsupported', `signature algorithm ${signer.signatureAlgorithm} is not RSA PKCS#1 v1.5`);
  }
  // RFC 3370 §2.1 / RFC 4055 §5: these identifiers take NULL or absent parameters; anything else
  // is unsigned data riding along, refused.
  if (!isNullOrAbsent(signer.digestParameters) || !isNullOrAbsent(signer.signatureParameters)) {
    return cmsFailure('unsupported', 'algorithm identifiers with parameters are not supported');
  }
  // A sha*WithRSAEncryption naming another hash than digestAlgorithm is an algorithm-substitution
  // attempt or a broken signer; either way there is no single hash to verify with.
  if (signatureAlgorithm.hash !== undefined && signatureAlgorithm.hash !== hash) {
    return cmsFailure('unsupported', `signature algorithm ${signer.signatureAlgorithm} disagrees with digest ${hash}`);
  }

  let signedBytes: Uint8Array;
  if (signer.signedAttributes !== undefined) {
    const checked = await checkSignedAttributes(signer.signedAttributes, signed, hash);
    if (!checked.ok) return checked;
    signedBytes = signer.signedAttributes.signedBytes;
  } else {
    // RFC 5652 §5.3: signedAttrs MUST be present when the content type is not id-data; without
    // them nothing binds a different content type to the signature.
    if (signed.contentType !== OID_DATA) {
      return cmsFailure('invalid_signed_attributes', `content type ${signed.contentType} requires signed attributes`);
    }
    signedBytes = signed.content;
  }

  const candidates = selectCandidates(signed, options.signers);
  if (!candidates.ok) return candidates;

  const outcome = await verifyRsaPkcs1(signedBytes, signer.signature, hash, candidates.value, options.keyCache);
  if (!outcome.verified) return cmsFailure('bad_signature', outcome.detail);
  return cmsOk({
    contentType: signed.contentType,
    content: signed.content,
    signer: outcome.signer,
    digest: hash,
    signedAttributes: signer.signedAttributes?.attributes ?? [],
  });
}

const isNullOrAbsent = (parameters: Uint8Array | null | undefined): boolean => parameters === null || parameters === undefined;

function selectCandidates(signed: ParsedSignedData, source: SignerSource): CmsResult<readonly TrustedSigner[]> {
  const { sid } = signed.signer;
  if (source.kind === 'trusted') {
    const matching = source.signers.filter((s) => matchesSignerIdentifier(s, sid));
    if (matching.length === 0) {
      return cmsFailure('signer_not_found', `no trusted certificate matches the signer (${source.signers.length} candidate(s))`);
    }
    return cmsOk(matching);
  }
  const matching: SignerCertificate[] = [];
  for (const der of signed.certificates) {
    const certificate = parseCertificate(der);
    if (!certificate.ok) return certificate;
    if (matchesSignerIdentifier(certificate.value, sid)) matching.push(certificate.value);
  }
  if (matching.length === 0) return cmsFailure('signer_not_found', 'no embedded certificate matches the signer');
  if (matching.length > 1) return cmsFailure('malformed', 'several embedded certificates match the signer');
  return cmsOk(matching);
}

/** The single attribute of `type`; several instances are refused (RFC 5652 §11.1–11.2). */
function single(attributes: readonly CmsAttribute[], type: string): CmsResult<Uint8Array | undefined> {
  const found = attributes.filter((a) => a.type === type);
  if (found.length > 1) return cmsFailure('invalid_signed_attributes', `attribute ${type} appears ${found.length} times`);
  const attribute = found[0];
  if (attribute === undefined) return cmsOk(undefined);
  if (attribute.values.length !== 1) {
    return cmsFailure('invalid_signed_attributes', `attribute ${type} has ${attribute.values.length} values`);
  }
  return cmsOk(attribute.values[0]);
}

async function checkSignedAttributes(
  signedAttributes: SignedAttributes,
  signed: ParsedSignedData,
  hash: DigestName,
): Promise<CmsResult<true>> {
  const invalid = (detail: string) => cmsFailure<true>('invalid_signed_attributes', detail);
  const { attributes } = signedAttributes;

  // Any repeated attribute type is refused, not only the ones RFC 5652 names: a verifier and a
  // later reader of the attributes must never be able to pick different instances.
  const types = new Set(attributes.map((a) => a.type));
  if (types.size !== attributes.length) return invalid('an attribute type appears more than once');

  // contentType (RFC 5652 §11.1) binds the eContentType, which is otherwise unsigned.
  const contentType = single(attributes, OID_CONTENT_TYPE);
  if (!contentType.ok) return contentType;
  if (contentType.value === undefined) return invalid('contentType attribute missing');
  const contentTypeTlv = readTlv(contentType.value, 0);
  const attributeContentType = oidOf(contentType.value, contentTypeTlv);
  if (attributeContentType === undefined || contentTypeTlv?.end !== contentType.value.length) return invalid('contentType is not an OID');
  if (attributeContentType !== signed.contentType) {
    return invalid(`contentType attribute ${attributeContentType} differs from eContentType ${signed.contentType}`);
  }

  // messageDigest (RFC 5652 §11.2) binds the content: the signature covers only the attributes.
  const messageDigest = single(attributes, OID_MESSAGE_DIGEST);
  if (!messageDigest.ok) return messageDigest;
  if (messageDigest.value === undefined) return invalid('messageDigest attribute missing');
  const digestTlv = readTlv(messageDigest.value, 0);
  if (!isUniversal(digestTlv, UNIVERSAL.octetString) || digestTlv.constructed || digestTlv.end !== messageDigest.value.length) {
    return invalid('messageDigest is not an OCTET STRING');
  }
  const expected = new Uint8Array(await crypto.subtle.digest(hash, signed.content as Uint8Array<ArrayBuffer>));
  if (!equalBytes(contentBytes(messageDigest.value, digestTlv), expected)) {
    return cmsFailure('digest_mismatch', `messageDigest is not the ${hash} of the content`);
  }

  // CMSAlgorithmProtection (RFC 6211 §2): when present, "the recipient MUST verify" it names
  // the SignerInfo's algorithms; it defeats swapping the algorithm identifiers after signing.
  const protection = single(attributes, OID_CMS_ALGORITHM_PROTECTION);
  if (!protection.ok) return protection;
  if (protection.value !== undefined) {
    const named = readAlgorithmProtection(protection.value);
    if (named === undefined) return invalid('unreadable CMSAlgorithmProtection');
    if (named.digest !== signed.signer.digestAlgorithm || named.signature !== signed.signer.signatureAlgorithm) {
      return invalid('CMSAlgorithmProtection names other algorithms than the SignerInfo');
    }
  }
  return cmsOk(true);
}

/** CMSAlgorithmProtection ::= SEQUENCE { digestAlgorithm, signatureAlgorithm [1] IMPLICIT OPTIONAL, macAlgorithm [2] IMPLICIT OPTIONAL } */
function readAlgorithmProtection(value: Uint8Array): { digest: string; signature: string } | undefined {
  const root = readTlv(value, 0);
  if (!isUniversal(root, UNIVERSAL.sequence) || root.end !== value.length) return undefined;
  const [digestTlv, signatureTlv, ...rest] = childrenOf(value, root) ?? [];
  if (rest.length > 0 || !isUniversal(digestTlv, UNIVERSAL.sequence) || !isContext(signatureTlv, 1)) return undefined;
  const digest = oidOf(value, childrenOf(value, digestTlv)?.[0]);
  const signature = oidOf(value, childrenOf(value, signatureTlv)?.[0]);
  return digest === undefined || signature === undefined ? undefined : { digest, signature };
}
