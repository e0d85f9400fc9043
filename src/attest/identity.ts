/**
 * What an identity document proves about a machine, after its signature, freshness and
 * (where the provider has one) nonce have been verified. Every field comes from signed bytes.
 */
export type Provider = 'aws' | 'gcp' | 'azure' | 'oidc';

export interface NodeIdentity {
  readonly provider: Provider;
  /** AWS account ID, GCP project ID, Azure subscription ID, OIDC issuer URL. */
  readonly account: string;
  /** AWS region, GCP region (derived from the zone), Azure location; absent for OIDC. */
  readonly region?: string;
  /** AWS availability zone, GCP zone. */
  readonly zone?: string;
  /** AWS instance ID, GCP numeric instance ID, Azure vmId, OIDC identity claim. The ledger key. */
  readonly instanceId: string;
  /**
   * When the document says the machine (re)started or the token was issued: AWS `pendingTime`,
   * JWT `iat`, Azure `timeStamp.createdOn`. Used for freshness and the `after-relaunch` rejoin rule.
   */
  readonly issuedAt: Date;
  /** Further signed claims policy may match: instanceType, imageId, projectNumber, instanceName, … */
  readonly attributes: Readonly<Record<string, string>>;
  /** Addresses and names the document attests, for kubelet serving-certificate SANs. */
  readonly addresses: { readonly ips: readonly string[]; readonly dnsNames: readonly string[] };
  /** The provider's default node name for this machine (e.g. the EC2 private DNS hostname). */
  readonly defaultNodeName: string;
}

/**
 * Why a verifier refused a document. The `reason` is stable and maps to a wire code in
 * src/http/problem.ts; `detail` is for the audit log only and is never sent to the caller.
 */
export type AttestFailureReason =
  | 'malformed_document' // not parseable as the expected format
  | 'unsupported_document' // a valid format the broker does not accept (e.g. AWS DSA pkcs7)
  | 'invalid_signature' // signature, digest, key or certificate chain does not verify
  | 'unknown_signer' // no trusted key/certificate for this document (unknown region, kid, issuer)
  | 'document_mismatch' // a separately supplied document differs from the signed content
  | 'stale_document' // older than the freshness window, expired, or not yet valid
  | 'invalid_claims' // signed, but a required claim is missing or has the wrong value (aud, iss…)
  | 'invalid_nonce' // Azure: the signed nonce is not a live, unused broker nonce (get a new one and retry)
  | 'upstream_unavailable'; // a key set could not be fetched; never treated as an accept

export interface AttestFailure {
  readonly reason: AttestFailureReason;
  /** Human-readable detail for the audit log. Never contains secrets; never sent on the wire. */
  readonly detail: string;
}

export type AttestResult =
  | { readonly ok: true; readonly identity: NodeIdentity }
  | { readonly ok: false; readonly error: AttestFailure };

export const attestFailure = (reason: AttestFailureReason, detail: string): AttestResult => ({
  ok: false,
  error: { reason, detail },
});
