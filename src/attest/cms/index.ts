/**
 * CMS / PKCS#7 SignedData verification for identity documents (AWS `rsa2048`, Azure attested
 * data): parse (`parseSignedData`), then verify one RSA SignerInfo (`verifySignedData`) against
 * caller-chosen keys or the embedded signer certificate. Pure except for `crypto.subtle`.
 */
export { ALL_DIGESTS, OID_DATA, OID_SIGNED_DATA, signatureFamily, type DigestName, type SignatureFamily } from './algorithms.js';
export { checkBerStructure, DEFAULT_BER_LIMITS, type BerGuardResult, type BerLimits } from './ber-guard.js';
export {
  matchesSignerIdentifier,
  parseCertificate,
  parseCertificatesPem,
  type SignerCertificate,
  type SignerIdentifier,
  type TrustedPublicKey,
  type TrustedSigner,
} from './certificate.js';
export { decodeBase64, decodePem, decodePemCertificates, equalBytes } from './encoding.js';
export { RsaKeyCache } from './key-cache.js';
export { ATTEST_REASON_FOR_CMS, type CmsFailure, type CmsFailureCode, type CmsResult } from './result.js';
export { verifyRsaPkcs1, type RsaVerifyOutcome } from './rsa.js';
export { parseSignedData, type CmsAttribute, type ParsedSignedData, type ParsedSignerInfo, type SignedAttributes } from './signed-data.js';
export { verifySignedData, type SignerSource, type VerifiedSignedData, type VerifySignedDataOptions } from './verify.js';
