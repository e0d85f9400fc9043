/**
 * Results of the CMS layer: tagged values, never exceptions. Each failure carries a stable code
 * from a closed union and a detail for the audit log; `attestReasonForCms` is the one mapping
 * from CMS codes to the verifier-wide `AttestFailureReason`.
 */
import type { AttestFailureReason } from '../identity.js';

export type CmsFailureCode =
  /** Not parseable as the expected structure, over a size/depth limit, or internally inconsistent. */
  | 'malformed'
  /** Well-formed but outside what this verifier accepts (algorithm, content type, detached content, several signers). */
  | 'unsupported'
  /** No candidate key or certificate matches the SignerInfo's signer identifier. */
  | 'signer_not_found'
  /** Signed attributes missing, duplicated or inconsistent (contentType, messageDigest, algorithm protection). */
  | 'invalid_signed_attributes'
  /** The messageDigest attribute does not equal the digest of the content. */
  | 'digest_mismatch'
  /** The RSA signature does not verify under any candidate key. */
  | 'bad_signature';

export interface CmsFailure {
  readonly code: CmsFailureCode;
  readonly detail: string;
}

export type CmsResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: CmsFailure };

export const cmsOk = <T>(value: T): CmsResult<T> => ({ ok: true, value });

export const cmsFailure = <T = never>(code: CmsFailureCode, detail: string): CmsResult<T> => ({
  ok: false,
  error: { code, detail },
});

/**
 * How a CMS failure reads to the rest of the broker. `signer_not_found` is an invalid signature,
 * not an unknown signer: the caller chose the candidate keys (e.g. by AWS region), so a document
 * whose signer is none of them was signed by someone else. Providers decide `unknown_signer`
 * themselves, before calling the verifier, when they have no key at all.
 */
export const ATTEST_REASON_FOR_CMS: Readonly<Record<CmsFailureCode, AttestFailureReason>> = {
  malformed: 'malformed_document',
  unsupported: 'unsupported_document',
  signer_not_found: 'invalid_signature',
  invalid_signed_attributes: 'invalid_signature',
  digest_mismatch: 'invalid_signature',
  bad_signature: 'invalid_signature',
};

/** A short, log-safe description of a caught exception (parsers throw on hostile input). */
export const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 200) : 'non-Error exception';
