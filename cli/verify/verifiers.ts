/**
 * One provider's verifier for `verify`, built from the Worker's own modules the way
 * src/join/attestors.ts builds them, except where keys come from: offline by default.
 * - aws: AWS's regional certificate table plus the policy's `aws.extraCertificates`.
 * - gcp: Google's keys from `--jwks <file>`, or fetched from Google's JWKS URI only with
 *   `--fetch-keys`; the audience from `--audience` or the policy's `gcp.audience`.
 * - oidc: the issuers of the policy's `oidc.issuers`; inline `jwks` as configured, a `jwksUri`
 *   replaced by `--jwks <file>` or fetched only with `--fetch-keys`.
 * - azure: the Azure CAs the verifier ships, with the expired historic ones the Worker leaves out
 *   (so `--at` can check an old document at its own time); the nonce only with `--nonce`.
 * Keys that would have to be fetched without `--fetch-keys` make verification end with
 * `upstream_unavailable` and a detail saying how to supply them: never an accept.
 */
import { createAwsTrustStore, verifyAwsIdentityDocument } from '../../src/attest/aws/index.js';
import { AZURE_HISTORIC_CERTIFICATES } from '../../src/attest/azure/historic-certificates.generated.js';
import { createAzureTrustStore, verifyAzureAttestedDocument } from '../../src/attest/azure/index.js';
import { GOOGLE_JWKS_URI, verifyGcpIdentityToken } from '../../src/attest/gcp/index.js';
import type { AttestResult, Provider } from '../../src/attest/identity.js';
import { createJwksKeySource, createStaticKeySource, type JwksFetch, type KeySource } from '../../src/attest/jwks/index.js';
import { verifyOidcTokenFromIssuers, type OidcIssuer } from '../../src/attest/oidc/index.js';
import { jwtText } from '../../src/join/attestors.js';
import type { JoinPolicy } from '../../src/policy/schema.js';
import { UsageError } from '../exit-codes.js';
import type { DocumentVerifier } from './offline.js';

export interface VerifierOptions {
  readonly policy?: JoinPolicy;
  /** `--audience`: the GCP token's expected `aud`. */
  readonly audience?: string;
  /** `--jwks`: a JSON Web Key Set (or one JWK) standing in for the remote key set. */
  readonly jwks?: unknown;
  /** `--fetch-keys`: the fetch to use for remote key sets; absent = offline. */
  readonly fetch?: JwksFetch;
  /** `--nonce`: the nonce the broker issued (Azure). */
  readonly nonce?: string;
}

export interface BuiltVerifier {
  readonly verify: DocumentVerifier;
  /** What this run did not check, said in the output. */
  readonly notes: readonly string[];
}

const notText: AttestResult = { ok: false, error: { reason: 'malformed_document', detail: 'document is not UTF-8 text' } };

/** A key source for keys this run may not fetch: every lookup says how to supply them. */
function offlineKeys(uri: string): KeySource {
  return {
    resolveKey: async () => ({
      ok: false,
      error: { reason: 'upstream_unavailable', detail: `offline: the keys at ${uri} were not fetched; pass --jwks <file> with a copy of them, or --fetch-keys` },
    }),
  };
}

/** `--jwks` accepts a JWK Set or a single JWK. */
function staticKeys(jwks: unknown): KeySource {
  const set = typeof jwks === 'object' && jwks !== null && !Array.isArray(jwks) && 'kty' in jwks && !('keys' in jwks) ? { keys: [jwks] } : jwks;
  try {
    return createStaticKeySource(set);
  } catch (error) {
    throw new UsageError(`--jwks: ${(error as Error).message}`);
  }
}

function remoteOrOfflineKeys(uri: string, options: VerifierOptions): KeySource {
  if (options.jwks !== undefined) return staticKeys(options.jwks);
  if (options.fetch !== undefined) return createJwksKeySource({ uri, fetch: options.fetch });
  return offlineKeys(uri);
}

function awsVerifier(options: VerifierOptions): BuiltVerifier {
  const extra = options.policy?.aws.extraCertificates ?? [];
  let trust;
  try {
    trust = createAwsTrustStore(
      extra.flatMap(({ regions, certificate, form }) => regions.map((region) => ({ region, certificatePem: certificate, ...(form === undefined ? {} : { form }) }))),
    );
  } catch (error) {
    throw new UsageError(`--policy: aws.extraCertificates: ${(error as Error).message}`);
  }
  return { verify: (document, now) => verifyAwsIdentityDocument(document, trust, now), notes: [] };
}

function gcpVerifier(options: VerifierOptions): BuiltVerifier {
  const audience = options.audience ?? options.policy?.gcp.audience;
  if (audience === undefined) {
    throw new UsageError('verify gcp: pass --audience <aud> (the audience the VM asked Google for: the broker\'s gcp.audience, by default its PUBLIC_URL) or a --policy that sets gcp.audience');
  }
  const keys = remoteOrOfflineKeys(GOOGLE_JWKS_URI, options);
  return {
    verify: async (document, now) => {
      const jwt = jwtText(document);
      return jwt === undefined ? notText : verifyGcpIdentityToken(jwt, { audience, keys, now });
    },
    notes: [],
  };
}

function oidcVerifier(options: VerifierOptions): BuiltVerifier {
  const configs = options.policy?.oidc.issuers ?? [];
  if (configs.length === 0) throw new UsageError('verify oidc: the trusted issuers come from the policy: pass a --policy with oidc.issuers');
  const issuers: OidcIssuer[] = configs.map((config) => ({
    config,
    keys: config.jwks !== undefined ? staticKeys(config.jwks) : remoteOrOfflineKeys(config.jwksUri ?? '', options),
  }));
  return {
    verify: async (document, now) => {
      const jwt = jwtText(document);
      return jwt === undefined ? notText : verifyOidcTokenFromIssuers(jwt, issuers, { now });
    },
    notes: [],
  };
}

/**
 * Azure attested data (IMDS `{"encoding":"pkcs7","signature":"…"}`): signature, signer name and
 * chain to the shipped Azure CAs, expiry. The store adds the historic CAs the Worker does not
 * ship: they are expired, so they only matter at an `--at` inside their validity, where a
 * 2022–2024 document chains through them. The nonce is checked only with `--nonce` (the broker
 * checks it against the nonce it issued; offline there is none), and the output says so.
 */
function azureVerifier(options: VerifierOptions): BuiltVerifier {
  const trust = createAzureTrustStore({ historic: AZURE_HISTORIC_CERTIFICATES });
  const nonce = options.nonce;
  return {
    verify: (document, now) => verifyAzureAttestedDocument(document, { now, trust, ...(nonce === undefined ? {} : { expectedNonce: nonce }) }),
    notes: nonce === undefined ? ['azure: the nonce was not checked (no --nonce); the broker accepts only the nonce it issued'] : [],
  };
}

export function buildVerifier(provider: Provider, options: VerifierOptions): BuiltVerifier {
  switch (provider) {
    case 'aws':
      return awsVerifier(options);
    case 'gcp':
      return gcpVerifier(options);
    case 'oidc':
      return oidcVerifier(options);
    case 'azure':
      return azureVerifier(options);
  }
}
