/**
 * Azure IMDS attested documents: body and content parsing, the signer's name, certification
 * path validation to the shipped (or policy-added) CAs, and the verifier. Pure except for
 * `crypto.subtle`; see verify.ts for the steps.
 */
// The historic (expired) CAs are deliberately not re-exported: import them from
// './historic-certificates.generated.js' where old documents are verified, never in the Worker.
export { AZURE_INTERMEDIATE_CERTIFICATES, AZURE_ROOT_CERTIFICATES, type AzureCaCertificate, type AzureCaTable } from './certificates.generated.js';
export { certificateDigest, checkSignerCertificate, MAX_INTERMEDIATES, MAX_SIGNATURE_CHECKS, MIN_RSA_BITS, validateIntermediateChain, validateSignerChain, type ChainFailureKind, type ChainOptions, type ChainResult } from './chain.js';
export {
  AZURE_MAX_BODY_BYTES,
  AZURE_MAX_CONTENT_BYTES,
  parseAzureBody,
  parseAzureContent,
  parseAzureTimestamp,
  type AzureAttestedContent,
  type AzureBodyResult,
  type AzureContentResult,
} from './document.js';
export { AZURE_SIGNER_DOMAINS, azureSignerNames, isAzureSignerName } from './signer-name.js';
export {
  AzureTrustConfigError,
  BoundedMemo,
  createAzureTrustStore,
  type AzureCaRole,
  type AzureStoreCa,
  type AzureTrustStore,
  type AzureTrustStoreOptions,
} from './trust-store.js';
export { azureDefaultNodeName, verifyAzureAttestedDocument, type AzureAttestResult, type AzureVerifyOptions } from './verify.js';
export { parseX509Certificate, UNDERSTOOD_EXTENSIONS, type X509Certificate, type X509Parse } from './x509.js';
