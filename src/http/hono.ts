import { HonoBase } from 'hono/hono-base';
import { PatternRouter } from 'hono/router/pattern-router';
import type { BlankEnv, BlankSchema, Env, Schema } from 'hono/types';

/**
 * PatternRouter (Hono's smallest router, `hono/tiny`) lets a route `/x` also take `/x/`; the
 * broker's paths are exact, as with Hono's default router: a path ending in `/` reaches only the
 * wildcard routes (`/v1/joins/*`, `*`). Matching `/x/` as `/x//` does that, since only a
 * wildcard's pattern takes a second slash.
 */
class ExactPatternRouter<T> extends PatternRouter<T> {
  override match(method: string, path: string) {
    return super.match(method, path.length > 1 && path.endsWith('/') ? `${path}/` : path);
  }
}

/**
 * Hono on PatternRouter: the broker has a dozen routes and builds its app once per isolate, so
 * the default RegExpRouter + TrieRouter is script it does not need (less to parse at start-up).
 */
export class Hono<E extends Env = BlankEnv, S extends Schema = BlankSchema, BasePath extends string = '/'> extends HonoBase<E, S, BasePath> {
  constructor() {
    super({ router: new ExactPatternRouter() });
  }
}
