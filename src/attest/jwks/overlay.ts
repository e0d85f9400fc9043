import { KeySourceConfigError } from './errors.js';
import { parseJwkSet } from './jwk-set.js';
import type { KeySource } from './key-source.js';
import { createStaticKeySource } from './static.js';

/**
 * A key source that answers from `extraJwks` when a token's `kid` is one of its kids, and from
 * `primary` otherwise: keys trusted beside an issuer's published set (JOIN_POLICY
 * `gcp.extraJwks`, for development and tests). No I/O of its own.
 *
 * Trust decisions:
 * - Selection stays by `kid` alone, never try-all: a token without `kid`, or with a `kid` the
 *   extra set lacks, goes to `primary` exactly as if there were no extra keys, so the extra set
 *   cannot widen what `primary` accepts.
 * - Every extra key must carry a distinct `kid` (a configuration error otherwise, thrown here):
 *   a kid-less extra key would otherwise be the static source's fallback for kid-less tokens.
 * - A `kid` present in both sets resolves to the extra key: the operator wrote it.
 */
export function withExtraKeys(primary: KeySource, extraJwks: unknown): KeySource {
  const parsed = parseJwkSet(extraJwks);
  if (!parsed.ok) throw new KeySourceConfigError('invalid_jwks', parsed.detail);
  const kids = parsed.keys.map((key) => key.kid);
  if (kids.some((kid) => kid === undefined) || new Set(kids).size !== kids.length) {
    throw new KeySourceConfigError('invalid_jwks', 'every extra key needs its own kid');
  }
  const extra = createStaticKeySource(extraJwks);
  const extraKids: ReadonlySet<string | undefined> = new Set(kids);
  return {
    resolveKey(request) {
      return request.kid !== undefined && extraKids.has(request.kid) ? extra.resolveKey(request) : primary.resolveKey(request);
    },
  };
}
