/**
 * CPU per join inside workerd, for AWS (the real teleport-2021-us-west-2 rsa2048 vector, verified
 * against the real AWS key table) and for a JWT provider (OIDC, ES256, the issuer's JWKS inline in
 * JOIN_POLICY). The bench Worker (bench/cpu/worker.ts) is the broker's app over in-memory fakes,
 * so a join does no I/O; see its header for exactly what is faked.
 *
 * Clock: in production a Worker's clock stands still during CPU work. Local workerd's does move,
 * but performance.now() there has a 1 ms step (the clock probe reports both), too coarse for a
 * sub-millisecond join. So CPU is read from outside: the run time the kernel accounts to the
 * workerd process, summed over its threads, from /proc/<pid>/task/<tid>/schedstat
 * (bench/lib/workerd-cpu.ts), before a request and after its response (+2 ms settle). That is
 * immune to preemption by other processes, and it includes GC and the runtime's other threads.
 *
 * Figures per provider:
 * - perJoin (the verdict): requests to `/__bench/batch?n=1`, each of which runs one join inside
 *   the isolate through `app.request` (the broker's own routing, body reading, pipeline,
 *   rendering, JSON answer, log line), minus the median of the same request with n=0; the two
 *   kinds interleaved. Median, p99 and max over the individual joins.
 * - batchMean: one request running N joins, minus one running none, / N (no per-request noise).
 * - withoutLogLine: perJoin and batchMean again with the join's console.log line dropped
 *   (`&log=off`): local workerd's console is dearer than production's log pipeline, so both.
 * - parts: the same for the provider's attestor alone (parse + signature + claims), for rendering
 *   the bundle alone, and for a GET /healthz through the app: where a join's CPU goes.
 * - perRequest: a plain `POST /v1/join/<provider>` minus the median `GET /healthz`, i.e. with the
 *   bundle going out through workerd's HTTP and Miniflare's entry Worker; the noisiest view.
 */
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { ROOT, wranglerBuild } from './lib/build.js';
import { benchJoinInputs } from './cpu/inputs.js';
import { median, percentile, round } from './lib/stats.js';
import { processCpuNs, schedstatWorks, workerdChildren } from './lib/workerd-cpu.js';

const OUT = `${ROOT}.wrangler/tmp/bench-cpu`;
const COMPATIBILITY_DATE = '2026-04-20';

interface Distribution {
  samples: number;
  medianMs: number;
  p99Ms: number;
  maxMs: number;
}

export interface CpuFigures {
  budgetMs: number;
  /** perJoin median within the budget. */
  withinBudget: boolean;
  perJoin: Distribution;
  batchMean: { joins: number; meanMs: number };
  /** perJoin and batchMean with the join's console.log line dropped (the bench Worker's `&log=off`): what local workerd's console costs. */
  withoutLogLine: { perJoin: Distribution; batchMeanMs: number };
  /** Means of parts of the join, each N times in one request: attestor (parse + verify), bundle rendering, and a GET /healthz through the app (routing, middleware, JSON answer). */
  parts: { attestMs: number; renderMs: number; appRequestMs: number };
  perRequest: Distribution & { baselineMedianMs: number };
}

export interface CpuResult {
  method: string;
  clockProbe: { performanceNowAdvancedMs: number; dateNowAdvancedMs: number; performanceNowStepMs: number };
  aws: CpuFigures;
  oidc: CpuFigures;
}

export interface CpuOptions {
  /** perJoin and perRequest samples per provider. */
  samples: number;
  /** Joins (or parts) per batch for batchMean and parts (three batches each). */
  batch: number;
  warmup: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const distribution = (values: number[]): Distribution => ({
  samples: values.length,
  medianMs: round(median(values)),
  p99Ms: round(percentile(values, 99)),
  maxMs: round(Math.max(...values)),
});

export async function benchCpu(options: CpuOptions): Promise<CpuResult> {
  if (!schedstatWorks()) throw new Error('/proc/<pid>/task/<tid>/schedstat reports no run time on this kernel: cannot measure workerd CPU');
  wranglerBuild('bench/cpu/wrangler.toml', OUT);

  const { awsBody, oidcBody, bindings } = await benchJoinInputs();

  const before = new Set(workerdChildren());
  const mf = new Miniflare({
    modules: true,
    scriptPath: `${OUT}/worker.js`,
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: ['nodejs_compat'],
    bindings,
    // One JSON log line per join is still produced inside workerd; it is not printed here.
    handleRuntimeStdio: (stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) => {
      stdout.resume();
      stderr.resume();
    },
  });
  try {
    await mf.ready;
    const [pid] = workerdChildren().filter((p) => !before.has(p));
    if (pid === undefined) throw new Error('cannot find the workerd process Miniflare started');

    const cpuOf = async (url: string, init: RequestInit, check: (status: number, text: string) => boolean): Promise<number> => {
      const start = processCpuNs(pid);
      const response = await mf.dispatchFetch(url, init as never);
      const text = await response.text();
      if (!check(response.status, text)) throw new Error(`${url}: ${response.status} ${text.slice(0, 300)}`);
      await sleep(2);
      return (processCpuNs(pid) - start) / 1e6;
    };
    const batch = (path: string, body: string, n: number, part?: 'attest' | 'render' | 'healthz', log: 'on' | 'off' = 'on') =>
      cpuOf(
        `http://bench/__bench/batch?path=${encodeURIComponent(path)}&n=${n}${part ? `&part=${part}` : ''}&log=${log}`,
        { method: 'POST', body },
        (status, text) => status === 200 && (JSON.parse(text) as { ok: number }).ok === n,
      );
    const plain = (url: string, init: RequestInit) => cpuOf(url, init, (status) => status === 200);

    const clockProbe = (await (await mf.dispatchFetch('http://bench/__bench/clock')).json()) as CpuResult['clockProbe'];

    const measure = async (provider: 'aws' | 'oidc', body: string, budgetMs: number): Promise<CpuFigures> => {
      const path = `/v1/join/${provider}`;
      for (let i = 0; i < options.warmup; i++) {
        await batch(path, body, 1);
        await plain(`http://bench${path}`, { method: 'POST', body });
      }
      const empty: number[] = [];
      const one: number[] = [];
      const oneWithoutLog: number[] = [];
      const healthz: number[] = [];
      const join: number[] = [];
      for (let i = 0; i < options.samples; i++) {
        empty.push(await batch(path, body, 0));
        one.push(await batch(path, body, 1));
        oneWithoutLog.push(await batch(path, body, 1, undefined, 'off'));
        healthz.push(await plain('http://bench/healthz', { method: 'GET' }));
        join.push(await plain(`http://bench${path}`, { method: 'POST', body }));
      }
      const emptyMedian = median(empty);
      const healthzMedian = median(healthz);

      const meanOver = async (part?: 'attest' | 'render' | 'healthz', log: 'on' | 'off' = 'on') => {
        const none: number[] = [];
        const full: number[] = [];
        for (let r = 0; r < 3; r++) {
          none.push(await batch(path, body, 0, part, log));
          full.push(await batch(path, body, options.batch, part, log));
        }
        return round((median(full) - median(none)) / options.batch);
      };
      const perJoin = distribution(one.map((ms) => ms - emptyMedian));
      return {
        budgetMs,
        withinBudget: perJoin.medianMs <= budgetMs,
        perJoin,
        batchMean: { joins: options.batch * 3, meanMs: await meanOver() },
        withoutLogLine: { perJoin: distribution(oneWithoutLog.map((ms) => ms - emptyMedian)), batchMeanMs: await meanOver(undefined, 'off') },
        parts: { attestMs: await meanOver('attest'), renderMs: await meanOver('render'), appRequestMs: await meanOver('healthz') },
        perRequest: { ...distribution(join.map((ms) => ms - healthzMedian)), baselineMedianMs: round(healthzMedian) },
      };
    };

    return {
      method:
        'workerd process CPU from /proc schedstat (all threads) around each request; perJoin = one join run inside the isolate via app.request minus an empty request of the same kind; no I/O in a join (the real Kubernetes adapter over an in-isolate API server, the ledger transitions in memory, the audit as the serialization its RPC would do: bench/cpu/worker.ts)',
      clockProbe: {
        performanceNowAdvancedMs: round(clockProbe.performanceNowAdvancedMs),
        dateNowAdvancedMs: round(clockProbe.dateNowAdvancedMs),
        performanceNowStepMs: round(clockProbe.performanceNowStepMs),
      },
      aws: await measure('aws', awsBody, 1.5),
      oidc: await measure('oidc', oidcBody, 0.3),
    };
  } finally {
    await mf.dispose();
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await benchCpu({ samples: 200, batch: 200, warmup: 20 }), null, 2));
}
