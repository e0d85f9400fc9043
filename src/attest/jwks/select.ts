import type { AttestFailure } from '../identity.js';
import { jwsAlgorithmEntry } from './algorithms.js';
import type { PublicJwk } from './jwk-set.js';
import type { KeyRequest } from './key-source.js';
import { quoteUntrusted } from './quote.js';

export type KeySelection =
  | { readonly ok: true; readonly key: PublicJwk }
  | { readonly ok: false; readonly kidNotFound: boolean; readonly error: AttestFailure };

/**
 * Chooses the one key a token names. No I/O, no clock.
 *
 * Trust decisions:
 * - The key is chosen by `kid` and nothing else from the token: embedded keys and key URLs in
 *   the header (`jwk`, `jku`, `x5c`, `x5u`) are never read, so a token cannot bring its own key.
 * - Never try-all-keys: an unknown `kid`, a `kid` shared by several usable keys, or a token
 *   without `kid` facing more than one key is a rejection. Trying every key would turn any key
 *   in the set into a valid signer for any `kid` and hide rotation mistakes.
 * - The chosen key must fit the already-allowed `alg`: same key type and curve, and the JWK's
 *   own `alg` (when it pins one) must equal the header's (RFC 7517 §4.4). A `kid` whose key does
 *   not fit is `invalid_signature`, not a search for another key.
 */
export function selectKey(keys: readonly PublicJwk[], request: KeyRequest): KeySelection {
  const { alg, kid } = request;
  let candidates: readonly PublicJwk[];
  if (kid === undefined) {
    if (keys.length !== 1) {
      return reject(
        false,
        'unknown_signer',
        `token has no kid and the key set holds ${keys.length} keys; refusing to guess`,
      );
    }
    candidates = keys;
  } else {
    candidates = keys.filter((key) => key.kid === kid);
    if (candidates.length === 0) {
      return reject(true, 'unknown_signer', `no key with kid ${quoteUntrusted(kid)} in the key set`);
    }
  }
  const entry = jwsAlgorithmEntry(alg);
  const usable = candidates.filter(
    (key) => key.kty === entry.kty && key.crv === entry.crv && (key.alg === undefined || key.alg === alg),
  );
  const [only] = usable;
  if (only === undefined) {
    return reject(
      false,
      'invalid_signature',
      `key ${quoteUntrusted(kid ?? '(no kid)')} cannot verify ${alg} (key type ${candidates[0]?.kty ?? '?'})`,
    );
  }
  if (usable.length > 1) {
    return reject(false, 'unknown_signer', `kid ${quoteUntrusted(kid)} names ${usable.length} keys; refusing to guess`);
  }
  return { ok: true, key: only };
}

function reject(kidNotFound: boolean, reason: AttestFailure['reason'], detail: string): KeySelection {
  return { ok: false, kidNotFound, error: { reason, detail } };
}
