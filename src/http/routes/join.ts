import type { Context } from 'hono';
import { Hono } from '../hono.js';
import type { Provider } from '../../attest/identity.js';
import type { Attestor } from '../../join/attestors.js';
import { runJoin, type JoinDeps } from '../../join/pipeline.js';
import { renderJoinScript, JOIN_SCRIPT_MODES, type JoinScriptMode } from '../../render/script.js';
import { ProblemError } from '../problem.js';
import { RATE_LIMIT_PERIOD_SECONDS } from '../rate-limit.js';

const FORMATS = ['json', 'kubeconfig', 'script'] as const;
type Format = (typeof FORMATS)[number];

function parseOptions(c: Context): { format: Format; mode: JoinScriptMode } {
  const format = c.req.query('format') ?? 'json';
  const mode = c.req.query('mode') ?? 'kubeadm';
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new ProblemError('invalid_request', `format must be one of ${FORMATS.join(', ')}.`);
  }
  if (!(JOIN_SCRIPT_MODES as readonly string[]).includes(mode)) {
    throw new ProblemError('invalid_request', `mode must be one of ${JOIN_SCRIPT_MODES.join(', ')}.`);
  }
  return { format: format as Format, mode: mode as JoinScriptMode };
}

const NO_STORE = { 'cache-control': 'no-store' };
/** The JSON answer's headers, as `c.json(bundle, 200, NO_STORE)` sets them, in one record the Response copies. */
const JSON_NO_STORE: Readonly<Record<string, string>> = Object.freeze({ 'content-type': 'application/json', ...NO_STORE });

/** `POST /v1/join/<provider>`: the body is the identity document; the answer is the join bundle. */
export function joinRoutes(deps: JoinDeps, attestors: Partial<Record<Provider, Attestor>>): Hono {
  const app = new Hono();
  for (const [provider, attest] of Object.entries(attestors) as [Provider, Attestor][]) {
    app.post(`/v1/join/${provider}`, async (c) => {
      const sourceAddress = c.req.header('cf-connecting-ip');
      if (sourceAddress !== undefined && !(await deps.rateLimits.byAddress.allow(sourceAddress))) {
        deps.log.warn('join.refused', { code: 'rate_limited', reason: 'address_rate_limit', source: sourceAddress, provider });
        throw new ProblemError('rate_limited', undefined, RATE_LIMIT_PERIOD_SECONDS);
      }
      // Options first: a bad query string must not spend the instance's one join.
      const { format, mode } = parseOptions(c);
      const body = new Uint8Array(await c.req.arrayBuffer());
      if (body.length === 0) throw new ProblemError('malformed_document', 'The request body is empty: post the identity document.');
      const attestation = await attest({ body, contentType: c.req.header('content-type'), now: deps.clock.now() });
      const { bundle, pool } = await runJoin(deps, attestation, { sourceAddress, provider });
      switch (format) {
        case 'json':
          // What c.json does, without its Headers object and per-header calls (nothing set headers on `c` before).
          return new Response(JSON.stringify(bundle), { status: 200, headers: JSON_NO_STORE });
        case 'kubeconfig':
          return c.body(bundle.kubeconfig, 200, { ...NO_STORE, 'content-type': 'application/yaml' });
        case 'script':
          return c.body(renderJoinScript({ mode, bundle, discovery: pool.discovery }), 200, {
            ...NO_STORE,
            'content-type': 'text/x-shellscript; charset=utf-8',
          });
      }
    });
  }
  return app;
}
