import { createJwksKeySource, type JwksKeySourceOptions } from '../jwks/remote.js';
import { createStaticKeySource } from '../jwks/static.js';
import type { IssuerConfig } from './config.js';
import type { OidcIssuer } from './verify.js';

export type IssuerKeyOptions = Omit<JwksKeySourceOptions, 'uri'>;

/**
 * Pairs a validated issuer configuration with its key source: the inline `jwks` as a static
 * source, or `jwksUri` as a remote source over the injected `fetch`. Build once per isolate and
 * keep it, so the remote key cache lives as long as the isolate. Throws `KeySourceConfigError`
 * for a configuration the schema would have refused.
 */
export function createOidcIssuer(config: IssuerConfig, options: IssuerKeyOptions): OidcIssuer {
  const keys =
    config.jwks !== undefined
      ? createStaticKeySource(config.jwks)
      : createJwksKeySource({ ...options, uri: config.jwksUri ?? '' });
  return { config, keys };
}
