/**
 * The algorithms the CMS verifier understands, as lookup tables keyed by OID, so nothing below
 * switches on strings. Only RSA PKCS#1 v1.5 verifies; DSA, ECDSA and RSA-PSS are recognised so
 * callers can say precisely what they refuse.
 */
export type DigestName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

export const ALL_DIGESTS: readonly DigestName[] = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'];

/** RFC 5754 §2 (SHA-2), RFC 3370 §2.1 (SHA-1). */
export const DIGEST_ALGORITHMS: Readonly<Record<string, DigestName>> = {
  '1.3.14.3.2.26': 'SHA-1',
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};

export type SignatureFamily = 'rsa-pkcs1' | 'dsa' | 'ecdsa' | 'rsa-pss';

export interface SignatureAlgorithm {
  readonly family: SignatureFamily;
  /** The hash the OID names, if it names one; it must then equal the SignerInfo's digestAlgorithm. */
  readonly hash?: DigestName;
}

/**
 * SignerInfo `signatureAlgorithm` values (RFC 5652 §10.1.2). `rsaEncryption` names no hash:
 * openssl writes it (TOOLCHAIN gotcha 2) and RFC 3370 §3.2 lets the hash come from digestAlgorithm.
 */
export const SIGNATURE_ALGORITHMS: Readonly<Record<string, SignatureAlgorithm>> = {
  '1.2.840.113549.1.1.1': { family: 'rsa-pkcs1' },
  '1.2.840.113549.1.1.5': { family: 'rsa-pkcs1', hash: 'SHA-1' },
  '1.2.840.113549.1.1.11': { family: 'rsa-pkcs1', hash: 'SHA-256' },
  '1.2.840.113549.1.1.12': { family: 'rsa-pkcs1', hash: 'SHA-384' },
  '1.2.840.113549.1.1.13': { family: 'rsa-pkcs1', hash: 'SHA-512' },
  '1.2.840.113549.1.1.10': { family: 'rsa-pss' },
  '1.2.840.10040.4.1': { family: 'dsa' },
  '1.2.840.10040.4.3': { family: 'dsa', hash: 'SHA-1' },
  '2.16.840.1.101.3.4.3.1': { family: 'dsa' },
  '2.16.840.1.101.3.4.3.2': { family: 'dsa', hash: 'SHA-256' },
  '1.2.840.10045.2.1': { family: 'ecdsa' },
  '1.2.840.10045.4.1': { family: 'ecdsa', hash: 'SHA-1' },
  '1.2.840.10045.4.3.2': { family: 'ecdsa', hash: 'SHA-256' },
  '1.2.840.10045.4.3.3': { family: 'ecdsa', hash: 'SHA-384' },
  '1.2.840.10045.4.3.4': { family: 'ecdsa', hash: 'SHA-512' },
};

export const signatureFamily = (oid: string): SignatureFamily | undefined =>
  Object.hasOwn(SIGNATURE_ALGORITHMS, oid) ? SIGNATURE_ALGORITHMS[oid]?.family : undefined;

/**
 * The hash a SignerInfo `digestAlgorithm` names. Besides the digest OIDs this accepts
 * sha*WithRSAEncryption, which some producers write there (Azure IMDS attested data:
 * digestAlgorithm sha256WithRSAEncryption, signatureAlgorithm rsaEncryption); OpenSSL accepts
 * it by mapping the signature OID to its digest, and so do we, for RSA OIDs only.
 */
export function digestName(oid: string): DigestName | undefined {
  if (Object.hasOwn(DIGEST_ALGORITHMS, oid)) return DIGEST_ALGORITHMS[oid];
  const signature = Object.hasOwn(SIGNATURE_ALGORITHMS, oid) ? SIGNATURE_ALGORITHMS[oid] : undefined;
  return signature?.family === 'rsa-pkcs1' ? signature.hash : undefined;
}

export const OID_RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
export const OID_DATA = '1.2.840.113549.1.7.1';
export const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
export const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
export const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
export const OID_SIGNING_TIME = '1.2.840.113549.1.9.5';
export const OID_CMS_ALGORITHM_PROTECTION = '1.2.840.113549.1.9.52';
export const OID_SUBJECT_KEY_IDENTIFIER = '2.5.29.14';
