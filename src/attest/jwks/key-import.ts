import { importJWK, type CryptoKey } from 'jose';
import type { AttestFailure } from '../identity.js';
import type { JwsAlgorithm } from './algorithms.js';
import type { PublicJwk } from './jwk-set.js';

export type KeyImport = { readonly ok: true; readonly key: CryptoKey } | { readonly ok: false; readonly detail: string };

/**
 * Imports JWKs as WebCrypto keys, once per (key, alg): importing is most of the cost of a warm
 * verification, so the imported `CryptoKey` is kept for as long as its key set is. The cache is
 * owned by the key source that creates the importer and dies with the key set's entries.
 */
export function createKeyImporter(): (key: PublicJwk, alg: JwsAlgorithm) => Promise<KeyImport> {
  const cache = new WeakMap<PublicJwk, Map<JwsAlgorithm, Promise<KeyImport>>>();
  return (key, alg) => {
    let perAlg = cache.get(key);
    if (perAlg === undefined) {
      perAlg = new Map();
      cache.set(key, perAlg);
    }
    let imported = perAlg.get(alg);
    if (imported === undefined) {
      imported = importPublicKey(key, alg);
      perAlg.set(alg, imported);
      const entries = perAlg;
      // A failed import is not cached: the next token retries rather than inheriting the failure.
      void imported.then((result) => {
        if (!result.ok) entries.delete(alg);
      });
    }
    return imported;
  };
}

const MIN_RSA_BITS = 2048;

async function importPublicKey(key: PublicJwk, alg: JwsAlgorithm): Promise<KeyImport> {
  try {
    const imported = await importJWK({ ...key.jwk }, alg);
    if (imported instanceof Uint8Array || imported.type !== 'public') {
      return { ok: false, detail: 'key set entry is not a public key' };
    }
    // RFC 7518 §3.3: RSA keys of 2048 bits or more. jose refuses smaller ones when verifying too;
    // refusing here names the real problem (a weak key in the set) instead of a bad signature.
    const { modulusLength } = imported.algorithm as { modulusLength?: number };
    if (key.kty === 'RSA' && (modulusLength === undefined || modulusLength < MIN_RSA_BITS)) {
      return { ok: false, detail: `RSA key of ${modulusLength ?? '?'} bits; at least ${MIN_RSA_BITS} are required` };
    }
    return { ok: true, key: imported };
  } catch (error) {
    return { ok: false, detail: `key set entry could not be imported for ${alg}: ${errorName(error)}` };
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 160) : 'unknown error';
}

/** A key the set names but WebCrypto cannot import: the token's signer cannot be established. */
export function unusableKey(detail: string): AttestFailure {
  return { reason: 'unknown_signer', detail };
}
