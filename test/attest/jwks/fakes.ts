import type { JwksFetch } from '../../../src/attest/jwks/index.js';

/** A clock the test moves by hand. */
export function manualClock(start: Date | string) {
  let now = new Date(start).getTime();
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
  };
}

export interface FakeJwksServer {
  readonly fetch: JwksFetch;
  /** Every request the key source made, in order. */
  readonly calls: { url: string; init: RequestInit }[];
  /** Replace what later requests get: a key set (served as JSON, 200) or a full response. */
  serve(next: unknown | (() => Response | Promise<Response>)): void;
}

/** A JWKS endpoint serving `jwks` with 200, counting requests. */
export function jwksServerWith(jwks: unknown): FakeJwksServer {
  let respond: () => Response | Promise<Response> = () => json(jwks);
  const calls: { url: string; init: RequestInit }[] = [];
  return {
    calls,
    fetch: async (url, init) => {
      calls.push({ url, init });
      return respond();
    },
    serve(next) {
      respond = typeof next === 'function' ? (next as () => Response) : () => json(next);
    },
  };
}

/** A JWKS endpoint that never answers until the request is aborted. */
export function jwksServerHanging(options: { honourAbort: boolean }): FakeJwksServer {
  const calls: { url: string; init: RequestInit }[] = [];
  return {
    calls,
    fetch: (url, init) => {
      calls.push({ url, init });
      return new Promise<Response>((_, reject) => {
        if (options.honourAbort) init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      });
    },
    serve() {
      throw new Error('a hanging server serves nothing');
    },
  };
}

export function json(body: unknown, init: ResponseInit = {}): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' }, ...init });
}
