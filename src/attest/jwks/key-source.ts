import type { CryptoKey } from 'jose';
import type { AttestFailure } from '../identity.js';
import type { JwsAlgorithm } from './algorithms.js';

/** What a verifier asks a key source for: the header's `alg` (already allowed) and `kid`. */
export interface KeyRequest {
  readonly alg: JwsAlgorithm;
  readonly kid: string | undefined;
}

export type KeyResult =
  | { readonly ok: true; readonly key: CryptoKey; readonly kid: string | undefined }
  | { readonly ok: false; readonly error: AttestFailure };

/**
 * Where verification keys come from: a remote JWKS ({@link createJwksKeySource}) or an inline
 * one ({@link createStaticKeySource}). `resolveKey` never throws and never returns more than
 * one key: a verifier tries exactly the key it is given.
 */
export interface KeySource {
  resolveKey(request: KeyRequest): Promise<KeyResult>;
}
