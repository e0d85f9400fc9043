import { KeySourceConfigError } from './errors.js';
import { createKeyImporter, unusableKey } from './key-import.js';
import type { KeySource } from './key-source.js';
import { parseJwkSet } from './jwk-set.js';
import { selectKey } from './select.js';

/**
 * A key source over a fixed JSON Web Key Set: an issuer's inline `jwks` from the join policy,
 * or keys generated in a test. The set is parsed once, here; a set with no usable public
 * signature key is a configuration error (thrown, code `invalid_jwks`).
 */
export function createStaticKeySource(jwks: unknown): KeySource {
  const parsed = parseJwkSet(jwks);
  if (!parsed.ok) throw new KeySourceConfigError('invalid_jwks', parsed.detail);
  if (parsed.keys.length === 0) {
    throw new KeySourceConfigError('invalid_jwks', `no usable public signature key (${parsed.skipped.join('; ')})`);
  }
  const { keys } = parsed;
  const importKey = createKeyImporter();
  return {
    async resolveKey(request) {
      const selection = selectKey(keys, request);
      if (!selection.ok) return { ok: false, error: selection.error };
      const imported = await importKey(selection.key, request.alg);
      if (!imported.ok) return { ok: false, error: unusableKey(imported.detail) };
      return { ok: true, key: imported.key, kid: selection.key.kid };
    },
  };
}
