/**
 * Bench-only Worker (never deployed): the broker's real app — `createApp` with the real attestors,
 * pipeline, minting, Kubernetes adapter and rendering — over in-memory stand-ins for what would be
 * I/O in production, so that what workerd spends per request is the join's own CPU. Each
 * stand-in does the Worker-side work of the call it replaces and keeps nothing, so the bench
 * measures the product, not a growing fake:
 * - Kubernetes: the real adapter (`createKubeApi`: headers, timeout signal, JSON request body,
 *   reading and parsing the answer) over a `fetch` that answers in the isolate: cluster-info for
 *   `GET kube-public/cluster-info` (read on the first join, then cached per isolate as in
 *   production), and the posted Secret echoed back with 201 for `POST …/secrets`;
 * - the ledger: the in-memory ledger (the real pure transitions, structuredClone in and out like
 *   an RPC's serialization), emptied before each claim so one document can join again
 *   (production: a Durable Object RPC, whose storage work is the object's CPU, not this Worker's);
 * - the audit: structuredClone of what would be sent to the index object, then dropped;
 * - the clock: pinned, so the real AWS vector and the bench's JWT are fresh;
 * - randomness and logging: the production ones (crypto.getRandomValues, one JSON line per join
 *   through console.log). `&log=off` on a bench request drops the line for that request only, to
 *   show what local workerd's console costs (bench/README.md reports both).
 *
 * Routes: everything the broker serves, plus
 * - `POST /__bench/batch?path=/v1/join/aws&n=N` (body: the document) runs N joins inside this one
 *   request through `app.request`, with the body's Content-Length as a client sends it
 *   (bench/cpu.ts takes the process CPU of the request, minus that of a batch of 0); with
 *   `&part=attest` only the provider's attestor (parse + verify), with `&part=render` only the
 *   bundle rendering, with `&part=healthz` `GET /healthz` through the app;
 * - `GET /__bench/clock`: whether performance.now() and Date.now() advance during pure CPU work
 *   here, and their resolution.
 */
import type { Hono } from 'hono';
import { createApp } from '../../src/app.js';
import type { Provider } from '../../src/attest/identity.js';
import { createAttestors } from '../../src/join/attestors.js';
import { renderJoinBundle, type JoinBundleInput } from '../../src/render/bundle.js';
import type { JoinAudit } from '../../src/audit/audit.js';
import { createKubeApi } from '../../src/cluster/kube-api.js';
import { cryptoRandom, type Fetch } from '../../src/deps.js';
import { createConsoleLogger } from '../../src/log.js';
import { fakeDeps, fixedClock, testConfig } from '../../test/fakes/deps.js';
import { inMemoryAudit } from '../../test/fakes/audit.js';
import { inMemoryLedger } from '../../test/fakes/ledger.js';
import { clusterInfoConfigMap } from '../../test/support/ca.js';

interface BenchEnv {
  JOIN_POLICY: string;
  BENCH_NOW: string;
  CA_PEM: string;
}

function forgetfulLedger() {
  const ledger = inMemoryLedger();
  return {
    ...ledger,
    claim: (request: Parameters<typeof ledger.claim>[0]) => {
      ledger.states.clear();
      return ledger.claim(request);
    },
  };
}

/** The API server's side of the two calls a join makes, answered in the isolate. */
function apiServerStandIn(clusterInfo: string): Fetch {
  const json = { 'content-type': 'application/json' };
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (init?.method === 'GET' && url.endsWith('/api/v1/namespaces/kube-public/configmaps/cluster-info')) return new Response(clusterInfo, { headers: json });
    if (init?.method === 'POST' && url.endsWith('/api/v1/namespaces/kube-system/secrets')) return new Response(init.body as string, { status: 201, headers: json });
    return new Response('{"kind":"Status","reason":"NotFound"}', { status: 404, headers: json });
  };
}

/** What an RPC to the join index object costs the Worker: serializing the arguments. */
function rpcCostAudit(): JoinAudit {
  const audit = inMemoryAudit();
  return {
    ...audit,
    recordMint: async (row, event) => void structuredClone([row, event]),
    record: async (event, effect) => void structuredClone([event, effect]),
    recordLater: (event, effect) => void structuredClone([event, effect]),
  };
}

/** The production logger; `logging` is switched off for a bench request with `&log=off`. */
let logging = true;
const log = createConsoleLogger((line) => {
  if (logging) console.log(line);
});

let app: Hono | undefined;

function appFor(env: BenchEnv): Hono {
  return (app ??= buildApp(env));
}

/** Built once per isolate, on the first request; nothing here runs per join. */
function buildApp(env: BenchEnv): Hono {
  const clock = fixedClock(env.BENCH_NOW);
  return createApp(
    fakeDeps({
      config: testConfig({ JOIN_POLICY: env.JOIN_POLICY }),
      clock,
      random: cryptoRandom,
      kube: createKubeApi({
        server: new URL('https://10.0.0.1:6443'),
        token: 'bench-kube-token-0123456789abcdef',
        fetch: apiServerStandIn(JSON.stringify(clusterInfoConfigMap('https://10.0.0.1:6443', env.CA_PEM))),
        timeoutMs: 5000,
        random: cryptoRandom,
        // The adapter's clock for per-join deadlines (where the adapter takes one) is the bench's pinned clock.
        ...{ now: () => clock.now().getTime() },
      }),
      ledger: forgetfulLedger(),
      audit: rpcCostAudit(),
      log,
    }),
  );
}

let attestors: ReturnType<typeof createAttestors> | undefined;
function attestorsFor(env: BenchEnv) {
  attestors ??= createAttestors(fakeDeps({ config: testConfig({ JOIN_POLICY: env.JOIN_POLICY }), clock: fixedClock(env.BENCH_NOW) }));
  return attestors;
}

/** A bundle like the AWS join's, for timing rendering alone. */
function renderInput(env: BenchEnv): JoinBundleInput {
  return {
    token: { id: 'abcdef', secret: '0123456789abcdef', expiresAt: new Date(env.BENCH_NOW) },
    nodeName: 'ip-10-0-0-209.us-west-2.compute.internal',
    apiServer: 'https://10.0.0.1:6443',
    caPem: env.CA_PEM,
    caCertHashes: [`sha256:${'0123456789abcdef'.repeat(4)}`],
    identity: { provider: 'aws', account: '278576220453', region: 'us-west-2', instanceId: 'i-078517ca8a70a1dde' },
    pool: 'workers',
    nodeLabels: {},
    nodeTaints: [],
  };
}

/** Does the clock move during pure CPU work here, and in what steps? */
function clockProbe(): Response {
  const perf0 = performance.now();
  const date0 = Date.now();
  let x = 0;
  for (let i = 0; i < 20_000_000; i++) x = (x + i * 7) % 1_000_003;
  const advanced = { performanceNowAdvancedMs: performance.now() - perf0, dateNowAdvancedMs: Date.now() - date0 };
  let smallestStepMs = Number.POSITIVE_INFINITY;
  let last = performance.now();
  for (let i = 0; i < 2_000_000; i++) {
    const t = performance.now();
    if (t > last) smallestStepMs = Math.min(smallestStepMs, t - last);
    last = t;
  }
  return Response.json({ ...advanced, performanceNowStepMs: smallestStepMs, work: x });
}

export default {
  async fetch(request: Request, env: BenchEnv): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/__bench/clock') return clockProbe();
    if (url.pathname === '/__bench/batch') {
      const n = Number(url.searchParams.get('n'));
      const path = url.searchParams.get('path') ?? '/v1/join/aws';
      const body = new Uint8Array(await request.arrayBuffer());
      let ok = 0;
      const part = url.searchParams.get('part');
      logging = url.searchParams.get('log') !== 'off';
      if (part === 'render') {
        for (let i = 0; i < n; i++) if (renderJoinBundle(renderInput(env)).token.length > 0) ok++;
      } else if (part === 'healthz') {
        for (let i = 0; i < n; i++) {
          const response = await appFor(env).request('/healthz');
          await response.arrayBuffer();
          if (response.status === 200) ok++;
        }
      } else if (part === 'attest') {
        const provider = path.split('/').pop() as Provider;
        const attest = attestorsFor(env)[provider]!;
        for (let i = 0; i < n; i++) if ((await attest({ body, contentType: undefined, now: new Date(env.BENCH_NOW) })).ok) ok++;
      } else {
        for (let i = 0; i < n; i++) {
          const response = await appFor(env).request(path, { method: 'POST', body, headers: { 'content-length': String(body.length) } });
          await response.arrayBuffer();
          if (response.status === 200) ok++;
        }
      }
      logging = true;
      return Response.json({ ok });
    }
    return appFor(env).fetch(request);
  },
};
