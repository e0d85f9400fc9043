/**
 * AWS EC2 instance identity documents: body parsing, the regional trust store and the verifier.
 * Pure except for `crypto.subtle`; see verify.ts for the steps.
 */
export { AWS_MAX_BODY_BYTES, decodePkcs7Text, parseAwsJoinBody, type AwsBodyResult, type AwsEvidence } from './body.js';
export {
  AWS_CERTIFICATE_ISSUERS,
  AWS_PUBLIC_KEYS,
  AWS_RSA2048_CERTIFICATES,
  AWS_SIGNATURE_CERTIFICATES,
  type AwsCertificateFacts,
  type AwsPkcs7CertificateFacts,
} from './certificates.generated.js';
export { awsDefaultHostname, documentRegion, parseDocumentJson, parseRfc3339, readAwsDocument, type AwsDocumentResult } from './document.js';
export {
  AWS_SIGNATURE_FORMS,
  AwsTrustConfigError,
  createAwsTrustStore,
  isNamedBy,
  type AwsPublishedKey,
  type AwsSigner,
  type AwsSignerNames,
  type AwsSignatureForm,
  type AwsTrustedCertificate,
  type AwsTrustedEntry,
  type AwsTrustStore,
  type AwsTrustStoreOptions,
} from './trust-store.js';
export { DSA_DETAIL, verifyAwsIdentityDocument } from './verify.js';
