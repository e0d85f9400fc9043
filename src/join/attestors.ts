import { createAwsTrustStore, verifyAwsIdentityDocument } from '../attest/aws/index.js';
import { createJwksKeySource } from '../attest/jwks/remote.js';
import { GOOGLE_JWKS_URI, verifyGcpIdentityToken } from '../attest/gcp/index.js';
import type { AttestResult, Provider } from '../attest/identity.js';
import { createOidcIssuer, verifyOidcTokenFromIssuers } from '../attest/oidc/index.js';
import type { Config } from '../config.js';
import type { Deps } from '../deps.js';

/** Verifies one provider's identity document from the raw request body. */
export type Attestor = (request: { body: Uint8Array; contentType: string | undefined; now: Date }) => Promise<AttestResult>;

/** The broker's own URL without a trailing slash: what nodes call and the default GCP audience. */
export const brokerUrl = (config: Pick<Config, 'publicUrl'>): string => config.publicUrl.href.replace(/\/$/, '');

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** A JWT body: UTF-8 text, surrounding whitespace (a trailing newline from curl) ignored. */
function jwtText(body: Uint8Array): string | undefined {
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
export function createAttestors(deps: Pick<Deps, 'config' | 'fetch' | 'clock'>): Partial<Record<Provider, Attestor>> {
  const { policy } = deps.config;
  const awsTrust = createAwsTrustStore(
    policy.aws.extraCertificates.flatMap(({ regions, certificate, form }) =>
      regions.map((region) => ({ region, certificatePem: certificate, ...(form === undefined ? {} : { form }) })),
    ),
  );
  const googleKeys = createJwksKeySource({ uri: GOOGLE_JWKS_URI, fetch: deps.fetch, clock: deps.clock });
  const gcpAudience = policy.gcp.audience ?? brokerUrl(deps.config);
  const issuers = policy.oidc.issuers.map((config) => createOidcIssuer(config, { fetch: deps.fetch, clock: deps.clock }));
  return {
    aws: ({ body, now }) => verifyAwsIdentityDocument(body, awsTrust, now),
    gcp: async ({ body, now }) => {
      const jwt = jwtText(body);
      return jwt === undefined ? notText : verifyGcpIdentityToken(jwt, { audience: gcpAudience, keys: googleKeys, now });
    },
    oidc: async ({ body, now }) => {
      const jwt = jwtText(body);
      return jwt === undefined ? notText : verifyOidcTokenFromIssuers(jwt, issuers, { now });
    },
  };
}
