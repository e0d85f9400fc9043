import type { Hono } from 'hono';
import { createApp, createUnconfiguredApp } from './app.js';
import { createKubeApi } from './cluster/kube-api.js';
import { loadConfig, type ConfigEnv } from './config.js';
import { cryptoRandom, systemClock, type Deps } from './deps.js';
import { unlimited, type RateLimiter } from './http/rate-limit.js';
import { createDurableObjectLedger } from './ledger/durable-object-ledger.js';
import type { JoinLedgerObject } from './ledger/join-ledger-object.js';
import { createConsoleLogger } from './log.js';

export { JoinLedgerObject } from './ledger/join-ledger-object.js';

export interface Env extends ConfigEnv {
  LEDGER: DurableObjectNamespace<JoinLedgerObject>;
  JOIN_RATE_LIMIT_BY_ADDRESS?: RateLimit;
  JOIN_RATE_LIMIT_BY_IDENTITY?: RateLimit;
}

const log = createConsoleLogger();

function bindingRateLimiter(binding: RateLimit | undefined): RateLimiter {
  if (binding === undefined) return unlimited;
  return { allow: async (key) => (await binding.limit({ key })).success };
}
let built: { env: Env; app: Hono } | undefined;

/** Configuration is parsed once per isolate (and again only if the bindings object changes). */
function appFor(env: Env): Hono {
  if (built?.env === env) return built.app;
  const result = loadConfig(env);
  let app: Hono;
  if (result.ok) {
    const { config } = result;
    const fetcher: Deps['fetch'] = (input, init) => fetch(input, init);
    const deps: Deps = {
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
  built = { env, app };
  return app;
}

export default {
  fetch(request, env, ctx) {
    return appFor(env).fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
