import { Hono } from '../hono.js';
import type { Deps } from '../../deps.js';
import { generateNonce } from '../../nonce/nonce.js';
import { ProblemError } from '../problem.js';
import { RATE_LIMIT_PERIOD_SECONDS } from '../rate-limit.js';

/** Drawing a value that exists already needs a 106-bit collision; give up after a few anyway. */
const MAX_DRAWS = 3;

const rfc3339 = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * `POST /v1/nonce` → `200 {"nonce":"<32 digits>","expiresAt":"<RFC 3339>"}` (200, not 201: the first-boot
 * program, src/render/join-program.ts, takes only 200 as success): a single-use nonce
 * for Azure attested data (IMDS `…/attested/document?api-version=2020-09-01&nonce=<nonce>`),
 * spent by the next `POST /v1/join/azure` whose signed document carries it. No body is read.
 * Unauthenticated (a booting VM has no credential) and so rate-limited by address like joins,
 * sharing their budget; served only when JOIN_POLICY has an Azure rule, since every nonce is a
 * storage write.
 */
export function nonceRoutes(deps: Pick<Deps, 'clock' | 'random' | 'nonces' | 'rateLimits' | 'log'>, ttlSeconds: number): Hono {
  const app = new Hono();
  app.post('/v1/nonce', async (c) => {
    const sourceAddress = c.req.header('cf-connecting-ip');
    if (sourceAddress !== undefined && !(await deps.rateLimits.byAddress.allow(sourceAddress))) {
      deps.log.warn('nonce.refused', { code: 'rate_limited', reason: 'address_rate_limit', source: sourceAddress });
      throw new ProblemError('rate_limited', undefined, RATE_LIMIT_PERIOD_SECONDS);
    }
    const issuedAt = deps.clock.now();
    // Whole seconds: the answer's expiresAt is exactly when the nonce stops being accepted.
    const expiresAt = new Date(Math.floor(issuedAt.getTime() / 1000) * 1000 + ttlSeconds * 1000);
    for (let draw = 0; draw < MAX_DRAWS; draw++) {
      const nonce = generateNonce(deps.random);
      let stored: boolean;
      try {
        stored = await deps.nonces.issue({ nonce, issuedAt, expiresAt });
      } catch (error) {
        deps.log.error('nonce.store_unavailable', { error: error instanceof Error ? error.name : 'unknown' });
        throw new ProblemError('upstream_unavailable', undefined, 5);
      }
      if (stored) return c.json({ nonce, expiresAt: rfc3339(expiresAt) }, 200, { 'cache-control': 'no-store' });
    }
    deps.log.error('nonce.collision', { draws: MAX_DRAWS });
    throw new ProblemError('internal_error');
  });
  return app;
}
