import { createAwsTrustStore, verifyAwsIdentityDocument } from '../attest/aws/index.js';
import { createAzureTrustStore, verifyAzureAttestedDocument } from '../attest/azure/index.js';
import { withExtraKeys } from '../attest/jwks/overlay.js';
import { createJwksKeySource } from '../attest/jwks/remote.js';
import { GOOGLE_JWKS_URI, verifyGcpIdentityToken } from '../attest/gcp/index.js';
import { attestFailure, type AttestResult, type Provider } from '../attest/identity.js';
import { createOidcIssuer, verifyOidcTokenFromIssuers } from '../attest/oidc/index.js';
import type { Config } from '../config.js';
import type { Deps } from '../deps.js';
import type { NonceConsumeResult } from '../nonce/nonce-state.js';

/** Verifies one provider's identity document from the raw request body. */
export type Attestor = (request: { body: Uint8Array; contentType: string | undefined; now: Date }) => Promise<AttestResult>;

/** The broker's own URL without a trailing slash: what nodes call and the default GCP audience. */
export const brokerUrl = (config: Pick<Config, 'publicUrl'>): string => config.publicUrl.href.replace(/\/$/, '');

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** A JWT body: UTF-8 text, surrounding whitespace (a trailing newline from curl) ignored. */
export function jwtText(body: Uint8Array): string | undefined {
  try {
    return utf8.decode(body).trim();
  } catch {
    return undefined;
  }
}

const notText: AttestResult = { ok: false, error: { reason: 'malformed_document', detail: 'body is not UTF-8 text' } };

/**
 * One attestor per provider, built once per isolate so key caches (Google's JWKS, OIDC issuers'
 * JWKS, imported certificates) live as long as the isolate.
 */
export function createAttestors(deps: Pick<Deps, 'config' | 'fetch' | 'clock' | 'nonces'>): Partial<Record<Provider, Attestor>> {
  const { policy } = deps.config;
  const awsTrust = createAwsTrustStore(
    policy.aws.extraCertificates.flatMap(({ regions, certificate, form }) =>
      regions.map((region) => ({ region, certificatePem: certificate, ...(form === undefined ? {} : { form }) })),
    ),
  );
  const googleJwks = createJwksKeySource({ uri: GOOGLE_JWKS_URI, fetch: deps.fetch, clock: deps.clock });
  // gcp.extraJwks (development and tests only; config refuses it outside a loopback PUBLIC_URL).
  const googleKeys = policy.gcp.extraJwks === undefined ? googleJwks : withExtraKeys(googleJwks, policy.gcp.extraJwks);
  // Today's Microsoft CAs only: the historic (expired) ones could never anchor a chain at `now`.
  const azureTrust = createAzureTrustStore({ extraRoots: policy.azure.extraRoots, extraIntermediates: policy.azure.extraIntermediates });
  const gcpAudience = policy.gcp.audience ?? brokerUrl(deps.config);
  const issuers = policy.oidc.issuers.map((config) => createOidcIssuer(config, { fetch: deps.fetch, clock: deps.clock }));
  return {
    aws: ({ body, now }) => verifyAwsIdentityDocument(body, awsTrust, now),
    gcp: async ({ body, now }) => {
      const jwt = jwtText(body);
      return jwt === undefined ? notText : verifyGcpIdentityToken(jwt, { audience: gcpAudience, keys: googleKeys, now });
    },
    // Verify first, then spend the nonce: only a document Azure signed with a nonce can spend it.
    azure: async ({ body, now }) => {
      const verified = await verifyAzureAttestedDocument(body, { now, trust: azureTrust });
      if (!verified.ok) return verified;
      let spent: NonceConsumeResult;
      try {
        spent = await deps.nonces.consume({ nonce: verified.nonce, now });
      } catch (error) {
        return attestFailure('upstream_unavailable', `nonce store: ${error instanceof Error ? error.name : 'unknown error'}`);
      }
      if (!spent.ok) return attestFailure('invalid_nonce', `nonce ${spent.reason} (vmId ${verified.identity.instanceId})`);
      return { ok: true, identity: verified.identity };
    },
    oidc: async ({ body, now }) => {
      const jwt = jwtText(body);
      return jwt === undefined ? notText : verifyOidcTokenFromIssuers(jwt, issuers, { now });
    },
  };
}
