import type { JwsAlgorithm } from '../jwks/algorithms.js';

/**
 * Google's signing facts for Compute Engine instance identity tokens.
 *
 * - Keys: Google's OAuth2 JWKS; the app builds one `createJwksKeySource({ uri: GOOGLE_JWKS_URI })`.
 * - Algorithm: RS256 only. Compute Engine documents the token as carrying "Google's RS256
 *   signature" (https://cloud.google.com/compute/docs/instances/verifying-instance-identity), and
 *   Google's discovery document lists only RS256 (`id_token_signing_alg_values_supported`).
 * - Issuer: both `https://accounts.google.com` and `accounts.google.com`. Google documents that
 *   "the value of iss in the ID token is equal to accounts.google.com or
 *   https://accounts.google.com" (https://developers.google.com/identity/gsi/web/guides/verify-google-id-token,
 *   and the OpenID Connect guide, "Validating an ID token"); instance identity tokens are Google
 *   ID tokens, and coreos/go-oidc `verify.go` accepts the scheme-less form for Google alone for
 *   the same reason. Accepting it widens nothing: both strings are only ever honoured on tokens
 *   signed by Google's keys, and `account` comes from `project_id`, not from `iss`. Every captured
 *   instance token (2021–2025) carries the https form. Compared exactly; nothing else passes.
 */
export const GOOGLE_JWKS_URI = 'https://www.googleapis.com/oauth2/v3/certs';
export const GOOGLE_ISSUERS: readonly string[] = Object.freeze(['https://accounts.google.com', 'accounts.google.com']);
export const GOOGLE_ALGORITHMS: readonly JwsAlgorithm[] = Object.freeze(['RS256'] as const);
