/**
 * Bundle size and Worker start-up, the broker against a hello-world Hono Worker (bench/hello/),
 * in the same run, both built with `wrangler deploy --dry-run` (minified, nodejs_compat).
 *
 * - size: gzip (level 9) of the built script, as `npm run size` computes it, and which packages
 *   the bytes come from (esbuild's metafile, bytes of each input in the output).
 * - start-up: time from `new Miniflare(...)` to `await miniflare.ready`, median of `starts`
 *   starts each, broker and hello alternating, in two ways:
 *   · `module` (the verdict): the script handed to Miniflare as one ES module, so the time is
 *     workerd's: spawn, compile and evaluate the script's top level, listen;
 *   · `scriptPath` (TOOLCHAIN.md's method): Miniflare first scans the script for imports in Node,
 *     which for a 500 KiB bundle costs Node ~0.25 s of CPU: a property of the local tool, not of
 *     the Worker; reported so the two methods can be compared.
 *   For both, the CPU the new workerd process had used when it became ready (/proc schedstat),
 *   which does not depend on the machine's load: broker − hello is the script's own start-up work.
 * - harness: the broker as the tests start it (test/worker/harness.ts: Durable Objects, rate
 *   limits, static assets), for information.
 * - first response: from ready to the answer of `GET /healthz` (the broker parses its
 *   configuration on its first request).
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Miniflare } from 'miniflare';
import { startWorker } from '../test/worker/harness.js';
import { ROOT, wranglerBuild } from './lib/build.js';
import { median, round } from './lib/stats.js';
import { processCpuNs, workerdChildren } from './lib/workerd-cpu.js';

const HELLO_OUT = `${ROOT}.wrangler/tmp/bench-hello`;
const BROKER_META_OUT = `${ROOT}.wrangler/tmp/bench-broker-meta`;
const BUDGET_GZIP_BYTES = 200 * 1024;

interface Starts {
  readyMedianMs: number;
  workerdCpuMedianMs: number;
  firstResponseMedianMs: number;
}

export interface StartupResult {
  size: {
    brokerGzipBytes: number;
    brokerBytes: number;
    helloGzipBytes: number;
    budgetGzipBytes: number;
    withinBudget: boolean;
    /** Minified bytes per source package (before gzip), largest first. */
    brokerBytesBySource: Record<string, number>;
  };
  startup: {
    starts: number;
    module: { broker: Starts; hello: Starts; readyRatio: number; workerdCpuRatio: number };
    scriptPath: { broker: Starts; hello: Starts; readyRatio: number };
    harness: { broker: Starts };
    budgetRatio: number;
    /** module.readyRatio within the budget. */
    withinBudget: boolean;
  };
}

const gzipSize = (path: string) => gzipSync(readFileSync(path), { level: 9 }).length;

/** Which package (or project folder) each byte of the bundle came from. */
function bytesBySource(metafilePath: string): Record<string, number> {
  const meta = JSON.parse(readFileSync(metafilePath, 'utf8')) as { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> };
  const totals = new Map<string, number>();
  for (const output of Object.values(meta.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input.split('/').slice(0, 2).join('/');
      totals.set(pkg, (totals.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  return Object.fromEntries([...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12));
}

/** dist/ must already hold the broker built from wrangler.toml (bench/run.ts builds it first). */
export async function benchStartup(options: { starts: number }): Promise<StartupResult> {
  wranglerBuild('bench/hello/wrangler.toml', HELLO_OUT);
  // The same build again, only to get esbuild's metafile (dist/ stays as the tests built it).
  wranglerBuild('wrangler.toml', BROKER_META_OUT, ['--metafile', `${BROKER_META_OUT}/bundle-meta.json`]);
  const brokerScript = `${ROOT}dist/index.js`;
  const helloScript = `${HELLO_OUT}/index.js`;
  const compatibilityDate = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(readFileSync(`${ROOT}wrangler.toml`, 'utf8'))![1]!;
  const base = { compatibilityDate, compatibilityFlags: ['nodejs_compat'] };

  const bindings = {
    KUBE_API_SERVER: 'https://127.0.0.1:6443',
    KUBE_TOKEN: 'bench-kube-token-0123456789abcdef',
    PUBLIC_URL: 'https://broker.bench.example',
    JOIN_POLICY: JSON.stringify({ pools: [{ name: 'workers' }], rules: [{ pool: 'workers', provider: 'aws', accounts: ['111122223333'] }] }),
    ADMIN_TOKEN: 'bench-admin-token-0123456789abcdef0123',
  };

  type Start = () => Promise<{ dispose(): Promise<void>; dispatchFetch(url: string): Promise<{ status: number; text(): Promise<string> }> }>;
  const asModule = (path: string, withBindings: boolean): Start => async () => {
    const mf = new Miniflare({ ...base, ...(withBindings ? { bindings } : {}), modules: [{ type: 'ESModule', path, contents: readFileSync(path, 'utf8') }] });
    await mf.ready;
    return mf as never;
  };
  const byPath = (path: string, withBindings: boolean): Start => async () => {
    const mf = new Miniflare({ ...base, ...(withBindings ? { bindings } : {}), modules: true, scriptPath: path });
    await mf.ready;
    return mf as never;
  };
  const harness: Start = async () => {
    const worker = await startWorker(bindings);
    return { dispose: () => worker.dispose(), dispatchFetch: (url: string) => worker.fetch(new URL(url).pathname) as never };
  };

  const kinds = {
    moduleBroker: asModule(brokerScript, true),
    moduleHello: asModule(helloScript, false),
    pathBroker: byPath(brokerScript, true),
    pathHello: byPath(helloScript, false),
    harnessBroker: harness,
  };
  const samples = Object.fromEntries(Object.keys(kinds).map((k) => [k, { ready: [] as number[], cpu: [] as number[], first: [] as number[] }])) as Record<keyof typeof kinds, { ready: number[]; cpu: number[]; first: number[] }>;
  for (let i = 0; i < options.starts; i++) {
    for (const [name, start] of Object.entries(kinds) as [keyof typeof kinds, Start][]) {
      const before = new Set(workerdChildren());
      const started = performance.now();
      const worker = await start();
      samples[name].ready.push(performance.now() - started);
      const [pid] = workerdChildren().filter((p) => !before.has(p));
      if (pid !== undefined) samples[name].cpu.push(processCpuNs(pid) / 1e6);
      const asked = performance.now();
      const health = await worker.dispatchFetch('http://start.bench/healthz');
      await health.text();
      samples[name].first.push(performance.now() - asked);
      if (health.status !== 200) throw new Error(`${name} /healthz: ${health.status}`);
      await worker.dispose();
    }
  }
  const starts = (name: keyof typeof kinds): Starts => ({
    readyMedianMs: round(median(samples[name].ready), 1),
    workerdCpuMedianMs: round(median(samples[name].cpu), 1),
    firstResponseMedianMs: round(median(samples[name].first), 1),
  });

  const brokerGzipBytes = gzipSize(brokerScript);
  const moduleRatio = median(samples.moduleBroker.ready) / median(samples.moduleHello.ready);
  return {
    size: {
      brokerGzipBytes,
      brokerBytes: readFileSync(brokerScript).length,
      helloGzipBytes: gzipSize(helloScript),
      budgetGzipBytes: BUDGET_GZIP_BYTES,
      withinBudget: brokerGzipBytes <= BUDGET_GZIP_BYTES,
      brokerBytesBySource: bytesBySource(`${BROKER_META_OUT}/bundle-meta.json`),
    },
    startup: {
      starts: options.starts,
      module: {
        broker: starts('moduleBroker'),
        hello: starts('moduleHello'),
        readyRatio: round(moduleRatio, 2),
        workerdCpuRatio: round(median(samples.moduleBroker.cpu) / median(samples.moduleHello.cpu), 2),
      },
      scriptPath: { broker: starts('pathBroker'), hello: starts('pathHello'), readyRatio: round(median(samples.pathBroker.ready) / median(samples.pathHello.ready), 2) },
      harness: { broker: starts('harnessBroker') },
      budgetRatio: 1.5,
      withinBudget: moduleRatio <= 1.5,
    },
  };
}
