/**
 * Verify an AWS EC2 instance identity document and say which node it proves. Pure: no clock
 * (`now` is taken for symmetry with the other providers; signatures do not depend on it, and
 * freshness is `checkFreshness`, applied by the pipeline with the pool's window), no fetch,
 * no randomness, no globals; `crypto.subtle` only.
 *
 * Steps, each a trust decision:
 *  1. parse the body (`parseAwsJoinBody`): malformed → `malformed_document`;
 *  2. PKCS7: parse the SignedData; a DSA signer (the legacy `pkcs7` document) →
 *     `unsupported_document`, since WebCrypto has no DSA;
 *  3. read the claimed region from the signed content, only to choose the regional certificate;
 *     no certificate for it → `unknown_signer`;
 *  4. verify the signature with that region's keys, keeping for a PKCS7 only those its SignerInfo
 *     names (`isNamedBy`); a PKCS7 signed by another region's key or naming another certificate,
 *     altered content, a digest or attribute mismatch → `invalid_signature`;
 *  5. a document supplied next to the PKCS7 must equal the signed content byte for byte
 *     (`document_mismatch`): the document-substitution attack SPIRE's awsiid fixed, where the
 *     claims were read from the unsigned copy;
 *  6. claims are read only from the verified bytes (`invalid_claims` when malformed).
 */
import {
  ATTEST_REASON_FOR_CMS,
  equalBytes,
  OID_DATA,
  parseSignedData,
  signatureFamily,
  verifyRsaPkcs1,
  verifySignedData,
  type DigestName,
} from '../cms/index.js';
import { attestFailure, type AttestResult } from '../identity.js';
import { parseAwsJoinBody, type AwsEvidence } from './body.js';
import { documentRegion, parseDocumentJson, readAwsDocument } from './document.js';
import { isNamedBy, type AwsTrustStore } from './trust-store.js';

/** AWS signs the rsa2048 PKCS7 with SHA-256; SHA-1 is refused even from a trusted key. */
const PKCS7_DIGESTS: readonly DigestName[] = ['SHA-256', 'SHA-384', 'SHA-512'];

export const DSA_DETAIL =
  'the DSA-signed pkcs7 identity document is not supported; post /latest/dynamic/instance-identity/rsa2048 instead';

export async function verifyAwsIdentityDocument(input: Uint8Array | string, trust: AwsTrustStore, _now: Date): Promise<AttestResult> {
  const body = parseAwsJoinBody(input);
  if (!body.ok) return { ok: false, error: body.error };
  return body.evidence.kind === 'pkcs7' ? verifyPkcs7(body.evidence, trust) : verifySignatureForm(body.evidence, trust);
}

async function verifyPkcs7(evidence: Extract<AwsEvidence, { kind: 'pkcs7' }>, trust: AwsTrustStore): Promise<AttestResult> {
  const parsed = parseSignedData(evidence.pkcs7);
  if (!parsed.ok) return attestFailure(ATTEST_REASON_FOR_CMS[parsed.error.code], `pkcs7: ${parsed.error.detail}`);
  const signed = parsed.value;
  // The legacy `pkcs7` document is DSA (dsa-with-sha1): WebCrypto, workerd and pkijs have no DSA,
  // so it cannot be verified here; refuse it as unsupported rather than as a bad signature.
  const { digestAlgorithm, signatureAlgorithm } = signed.signer;
  if (signatureFamily(signatureAlgorithm) === 'dsa' || signatureFamily(digestAlgorithm) === 'dsa') {
    return attestFailure('unsupported_document', DSA_DETAIL);
  }
  if (signed.contentType !== OID_DATA) return attestFailure('unsupported_document', `pkcs7 content type ${signed.contentType} is not id-data`);

  const json = parseDocumentJson(signed.content);
  if (!json.ok) return { ok: false, error: json.error };
  const region = documentRegion(json.json);
  if (region === undefined) return attestFailure('invalid_claims', 'document region is missing or malformed');
  const signers = trust.signersFor(region, 'rsa2048');
  if (signers.length === 0) return attestFailure('unknown_signer', `no trusted rsa2048 certificate for region ${region}`);

  // AWS's keys reach the CMS layer as bare keys, which it would try under any signer identifier;
  // the SignerInfo is matched to the candidates' certificates here, before it.
  const named = signers.filter((signer) => isNamedBy(signer, signed.signer.sid));
  const verified = await verifySignedData(signed, {
    signers: { kind: 'trusted', signers: named },
    digests: PKCS7_DIGESTS,
    keyCache: trust.keyCache,
  });
  if (!verified.ok) {
    const detail =
      verified.error.code === 'signer_not_found' ? `no trusted certificate matches the signer (${signers.length} candidate(s))` : verified.error.detail;
    return attestFailure(ATTEST_REASON_FOR_CMS[verified.error.code], `pkcs7 (${region}): ${detail}`);
  }

  if (evidence.document !== undefined && !equalBytes(evidence.document, verified.value.content)) {
    return attestFailure('document_mismatch', 'the supplied document differs from the PKCS7 signed content');
  }
  return readAwsDocument(json.json);
}

async function verifySignatureForm(evidence: Extract<AwsEvidence, { kind: 'signature' }>, trust: AwsTrustStore): Promise<AttestResult> {
  const json = parseDocumentJson(evidence.document);
  if (!json.ok) return { ok: false, error: json.error };
  const region = documentRegion(json.json);
  if (region === undefined) return attestFailure('invalid_claims', 'document region is missing or malformed');
  const signers = trust.signersFor(region, 'signature');
  if (signers.length === 0) return attestFailure('unknown_signer', `no trusted signature certificate for region ${region}`);

  // The signature covers the document bytes exactly as posted; claims are read from those bytes.
  const outcome = await verifyRsaPkcs1(evidence.document, evidence.signature, 'SHA-256', signers, trust.keyCache);
  if (!outcome.verified) return attestFailure('invalid_signature', `signature (${region}): ${outcome.detail}`);
  return readAwsDocument(json.json);
}
