import { waitUntil } from 'cloudflare:workers';
import type { Hono } from 'hono';
import { createApp, createUnconfiguredApp } from './app.js';
import { createDurableObjectAudit } from './audit/durable-object-audit.js';
import type { JoinIndexObject } from './audit/join-index-object.js';
import { createKubeApi } from './cluster/kube-api.js';
import { loadConfig, type ConfigEnv } from './config.js';
import { cryptoRandom, systemClock, type Deps } from './deps.js';
import { unlimited, type RateLimiter } from './http/rate-limit.js';
import { createDurableObjectLedger } from './ledger/durable-object-ledger.js';
import type { JoinLedgerObject } from './ledger/join-ledger-object.js';
import { createConsoleLogger } from './log.js';
import { createDurableObjectNonceStore } from './nonce/durable-object-nonces.js';
import type { NonceObject } from './nonce/nonce-object.js';
import { runSweep } from './sweep/sweep.js';

export { JoinLedgerObject } from './ledger/join-ledger-object.js';
export { NonceObject } from './nonce/nonce-object.js';
export { JoinIndexObject } from './audit/join-index-object.js';

export interface Env extends ConfigEnv {
  LEDGER: DurableObjectNamespace<JoinLedgerObject>;
  NONCES: DurableObjectNamespace<NonceObject>;
  JOIN_INDEX: DurableObjectNamespace<JoinIndexObject>;
  JOIN_RATE_LIMIT_BY_ADDRESS?: RateLimit;
  JOIN_RATE_LIMIT_BY_IDENTITY?: RateLimit;
}

const log = createConsoleLogger();

function bindingRateLimiter(binding: RateLimit | undefined): RateLimiter {
  if (binding === undefined) return unlimited;
  return { allow: async (key) => (await binding.limit({ key })).success };
}
let built: { env: Env; app: Hono; deps: Deps | undefined } | undefined;

/** Configuration is parsed once per isolate (and again only if the bindings object changes). */
function appFor(env: Env): Hono {
  return built?.env === env ? built.app : build(env).app;
}

function build(env: Env): { app: Hono; deps: Deps | undefined } {
  const result = loadConfig(env);
  let app: Hono;
  let deps: Deps | undefined;
  if (result.ok) {
    const { config } = result;
    const fetcher: Deps['fetch'] = (input, init) => fetch(input, init);
    deps = {
      config,
      clock: systemClock,
      random: cryptoRandom,
      fetch: fetcher,
      kube: createKubeApi({
        server: config.kubeApiServer,
        token: config.kubeToken,
        fetch: fetcher,
        timeoutMs: config.kubeTimeoutMs,
        headers: config.kubeAccessHeaders,
        random: cryptoRandom,
      }),
      ledger: createDurableObjectLedger(env.LEDGER),
      nonces: createDurableObjectNonceStore(env.NONCES),
      audit: createDurableObjectAudit(env.JOIN_INDEX, { log, waitUntil }),
      rateLimits: {
        byAddress: bindingRateLimiter(env.JOIN_RATE_LIMIT_BY_ADDRESS),
        byIdentity: bindingRateLimiter(env.JOIN_RATE_LIMIT_BY_IDENTITY),
      },
      log,
    };
    app = createApp(deps);
  } else {
    app = createUnconfiguredApp(result.issues, log);
  }
  built = { env, app, deps };
  return built;
}

export default {
  fetch(request, env, ctx) {
    return appFor(env).fetch(request, env, ctx);
  },
  /** The cron sweep (wrangler.toml `[triggers]`, src/sweep/sweep.ts); skipped while misconfigured. */
  async scheduled(_controller, env) {
    const deps = built?.env === env ? built.deps : build(env).deps;
    if (deps === undefined) {
      log.error('sweep.skipped', { reason: 'invalid configuration' });
      return;
    }
    await runSweep(deps);
  },
} satisfies ExportedHandler<Env>;
