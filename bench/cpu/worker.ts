/**
 * Bench-only Worker (never deployed): the broker's real app — `createApp` with the real attestors,
 * pipeline, minting and rendering — over in-memory stand-ins for what would be I/O in production,
 * so that what workerd spends per request is the join's own CPU:
 * - Kubernetes: `fakeKube` (test/fakes) holding kube-public/cluster-info; the cluster CA pin is
 *   computed on the first join and cached per isolate, as in production;
 * - the ledger: the in-memory ledger, emptied before each claim so one document can join again
 *   (production: a Durable Object RPC, whose CPU is the object's, not this Worker's);
 * - the audit: the in-memory fake (production: a Durable Object RPC);
 * - the clock: pinned, so the real AWS vector and the bench's JWT are fresh;
 * - randomness and logging: the production ones (crypto.getRandomValues, JSON lines on console).
 *
 * Routes: everything the broker serves, plus
 * - `POST /__bench/batch?path=/v1/join/aws&n=N` (body: the document) runs N joins inside this one
 *   request through `app.request` (bench/cpu.ts takes the process CPU of the request, minus that
 *   of a batch of 0); with `&part=attest` only the provider's attestor (parse + verify), with
 *   `&part=render` only the bundle rendering, with `&part=healthz` `GET /healthz` through the app;
 * - `GET /__bench/clock`: whether performance.now() and Date.now() advance during pure CPU work
 *   here, and their resolution.
 */
import type { Hono } from 'hono';
import { createApp } from '../../src/app.js';
import type { Provider } from '../../src/attest/identity.js';
import { createAttestors } from '../../src/join/attestors.js';
import { renderJoinBundle, type JoinBundleInput } from '../../src/render/bundle.js';
import { cryptoRandom } from '../../src/deps.js';
import { createConsoleLogger } from '../../src/log.js';
import { fakeDeps, fakeKube, fixedClock, testConfig } from '../../test/fakes/deps.js';
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

let app: Hono | undefined;

function appFor(env: BenchEnv): Hono {
  app ??= createApp(
    fakeDeps({
      config: testConfig({ JOIN_POLICY: env.JOIN_POLICY }),
      clock: fixedClock(env.BENCH_NOW),
      random: cryptoRandom,
      kube: fakeKube({ configMaps: { 'kube-public/cluster-info': clusterInfoConfigMap('https://10.0.0.1:6443', env.CA_PEM) } }),
      ledger: forgetfulLedger(),
      log: createConsoleLogger(),
    }),
  );
  return app;
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
          const response = await appFor(env).request(path, { method: 'POST', body });
          await response.arrayBuffer();
          if (response.status === 200) ok++;
        }
      }
      return Response.json({ ok });
    }
    return appFor(env).fetch(request);
  },
};
