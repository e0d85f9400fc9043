/**
 * Verify an Azure IMDS attested document and say which VM it proves. Pure: no fetch, no clock
 * (`now` is passed in), no randomness, no globals; `crypto.subtle` only. Never throws for any body.
 *
 * Steps, each a trust decision:
 *  1. the body is exactly IMDS's `{"encoding":"pkcs7","signature":"<base64>"}`
 *     (`malformed_document` otherwise);
 *  2. the PKCS7 parses as a SignedData with id-data content (`malformed_document` /
 *     `unsupported_document`);
 *  3. its one SignerInfo verifies (RSA PKCS#1 v1.5, SHA-256/384/512) under the embedded
 *     certificate the SignerInfo names; Azure writes sha256WithRSAEncryption as the
 *     digestAlgorithm, which the CMS layer reads as SHA-256 (`invalid_signature`);
 *  4. that certificate is an Azure IMDS signer by name — a subjectAltName (else commonName) under
 *     `metadata.azure.com`, `.us` or `.cn` (signer-name.ts; `unknown_signer`) — and chains at
 *     `now` to a root of the trust store through its intermediates (chain.ts): no path at all is
 *     `unknown_signer`, a path that fails a check (expired, bad signature, not a CA…) is
 *     `invalid_signature`. An embedded certificate proves nothing by itself: a self-made CA can
 *     issue `metadata.azure.com` as easily as Microsoft;
 *  5. claims are read only from the verified content (`invalid_claims` when malformed);
 *  6. `timeStamp.expiresOn` before `now` is `stale_document` (IMDS documents live about 6 h;
 *     the pipeline also holds `createdOn` to the pool's freshness window);
 *  7. with `expectedNonce`, the signed nonce must equal it (`invalid_nonce`). The broker instead
 *     consumes the returned `nonce` in its single-use store (src/nonce/), after this succeeds.
 *
 * The identity: account = subscriptionId, instanceId = vmId (both lower-case GUIDs), issuedAt =
 * createdOn. Attested data carries no location, VM name or address, so region and zone are
 * absent (a rule naming regions never matches an Azure VM), addresses are empty, and the default
 * node name is `azure-<vmId>` — Azure's default hostname is the VM name, which is not attested
 * and so cannot be trusted for a Node name. Policy can match `sku`, `licenseType` and
 * `planName`/`planProduct`/`planPublisher` as attributes.
 */
import { ATTEST_REASON_FOR_CMS, OID_DATA, parseSignedData, verifySignedData, type DigestName } from '../cms/index.js';
import { attestFailure, type AttestFailure, type NodeIdentity } from '../identity.js';
import { certificateDigest, validateSignerChain } from './chain.js';
import { parseAzureBody, parseAzureContent, type AzureAttestedContent } from './document.js';
import { azureSignerNames } from './signer-name.js';
import type { AzureTrustStore } from './trust-store.js';
import { parseX509Certificate, type X509Certificate } from './x509.js';

/** IMDS signs with SHA-256; SHA-1 is refused even from a valid signer. */
const ATTESTED_DIGESTS: readonly DigestName[] = ['SHA-256', 'SHA-384', 'SHA-512'];

export interface AzureVerifyOptions {
  readonly now: Date;
  readonly trust: AzureTrustStore;
  /** When set, the signed nonce must equal it exactly (offline checks). */
  readonly expectedNonce?: string;
  /** Further intermediate certificates to consider (fetched by the caller); never anchors. */
  readonly untrustedIntermediates?: readonly X509Certificate[];
}

export type AzureAttestResult =
  | {
      readonly ok: true;
      readonly identity: NodeIdentity;
      /** The signed nonce: the broker consumes it in its single-use store. */
      readonly nonce: string;
      readonly content: AzureAttestedContent;
      /** Names on the validated path, signer first, for the audit log. */
      readonly signerPath: readonly string[];
    }
  | { readonly ok: false; readonly error: AttestFailure };

const refuse = (reason: AttestFailure['reason'], detail: string): AzureAttestResult => attestFailure(reason, detail) as AzureAttestResult;

/** The node name used when the pool's template is `{{defaultNodeName}}`: `azure-<vmId>`. */
export const azureDefaultNodeName = (vmId: string): string => `azure-${vmId.toLowerCase()}`;

export async function verifyAzureAttestedDocument(input: Uint8Array | string, options: AzureVerifyOptions): Promise<AzureAttestResult> {
  const { now, trust } = options;
  const body = parseAzureBody(input);
  if (!body.ok) return { ok: false, error: body.error };

  const parsed = parseSignedData(body.pkcs7);
  if (!parsed.ok) return refuse(ATTEST_REASON_FOR_CMS[parsed.error.code], `pkcs7: ${parsed.error.detail}`);
  if (parsed.value.contentType !== OID_DATA) return refuse('unsupported_document', `pkcs7 content type ${parsed.value.contentType} is not id-data`);

  const verified = await verifySignedData(parsed.value, { signers: { kind: 'embedded' }, digests: ATTESTED_DIGESTS, keyCache: trust.keyCache });
  if (!verified.ok) return refuse(ATTEST_REASON_FOR_CMS[verified.error.code], `pkcs7: ${verified.error.detail}`);
  const { signer, content: signedBytes } = verified.value;
  if (signer.kind !== 'certificate') return refuse('invalid_signature', 'pkcs7: the signer is not a certificate');

  const signerDigest = await certificateDigest(signer.der);
  let leaf = trust.decodedSigners.get(signerDigest);
  if (leaf === undefined) {
    const parsedLeaf = parseX509Certificate(signer.der);
    if (!parsedLeaf.ok) return refuse('invalid_signature', `signer ${parsedLeaf.detail}`);
    leaf = parsedLeaf.certificate;
    trust.decodedSigners.set(signerDigest, leaf);
  }
  const names = azureSignerNames(leaf);
  if (!names.matches) {
    return refuse('unknown_signer', `the signer certificate names ${JSON.stringify(names.names.slice(0, 4))}, none under metadata.azure.com/.us/.cn`);
  }
  const chain = await validateSignerChain(leaf, {
    trust,
    now,
    signerDigest,
    ...(options.untrustedIntermediates === undefined ? {} : { untrusted: options.untrustedIntermediates }),
  });
  if (!chain.ok) return refuse(chain.kind === 'untrusted' ? 'unknown_signer' : 'invalid_signature', `signer chain: ${chain.detail}`);

  const read = parseAzureContent(signedBytes);
  if (!read.ok) return { ok: false, error: read.error };
  const content = read.content;
  if (content.expiresOn.getTime() < now.getTime()) {
    return refuse('stale_document', `the document expired at ${content.expiresOn.toISOString()} (timeStamp.expiresOn)`);
  }
  if (options.expectedNonce !== undefined && content.nonce !== options.expectedNonce) return refuse('invalid_nonce', 'the signed nonce is not the expected one');

  const attributes: Record<string, string> = {};
  if (content.sku !== undefined && content.sku !== '') attributes['sku'] = content.sku;
  if (content.licenseType !== undefined && content.licenseType !== '') attributes['licenseType'] = content.licenseType;
  if (content.plan !== undefined) {
    if (content.plan.name !== '') attributes['planName'] = content.plan.name;
    if (content.plan.product !== '') attributes['planProduct'] = content.plan.product;
    if (content.plan.publisher !== '') attributes['planPublisher'] = content.plan.publisher;
  }
  const identity: NodeIdentity = {
    provider: 'azure',
    account: content.subscriptionId,
    instanceId: content.vmId,
    issuedAt: content.createdOn,
    attributes: Object.freeze(attributes),
    addresses: { ips: [], dnsNames: [] },
    defaultNodeName: azureDefaultNodeName(content.vmId),
  };
  return { ok: true, identity, nonce: content.nonce, content, signerPath: chain.path };
}
