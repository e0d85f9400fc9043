/**
 * `npx tsx bench/cpu/profile.ts [aws|oidc] [joins] [--part attest|render|healthz] [--log] [--minify]`:
 * a V8 CPU profile of joins inside workerd, for finding where a join's CPU goes (bench/cpu.ts
 * measures; this explains). It builds the bench Worker (bench/cpu/worker.ts) unminified into
 * `.wrangler/tmp/bench-cpu-profile`, starts it in Miniflare with workerd's inspector, warms up,
 * then records a profile (50 µs sampling) around `/__bench/batch` requests. The join's log line
 * is dropped unless `--log`: with the inspector attached every console.log is also sent to it,
 * which costs several times what it does without (bench/cpu.ts measures the line without one).
 *
 * Prints self time by function and by source file, and inclusive time by function, (bundle positions mapped back to their
 * `// path` markers in the unminified bundle), as a share of the busy (non-idle) time and in µs per join, and writes
 * the raw profile to `.wrangler/tmp/bench-cpu-profile/join.cpuprofile` (load it in Chrome
 * DevTools' Performance panel). Sampling has a cost of its own: read shares, not milliseconds.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { Miniflare } from 'miniflare';
import { ROOT, wranglerBuild } from '../lib/build.js';
import { benchJoinInputs } from './inputs.js';

// Node 20 has a WebSocket client only behind a flag (Node 22 by default): run again with it.
if (typeof WebSocket === 'undefined') {
  const again = spawnSync(process.execPath, ['--experimental-websocket', ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(again.status ?? 1);
}

const OUT = `${ROOT}.wrangler/tmp/bench-cpu-profile`;

const args = process.argv.slice(2);
const provider = (args.find((a) => a === 'aws' || a === 'oidc') ?? 'aws') as 'aws' | 'oidc';
const joins = Number(args.find((a) => /^\d+$/.test(a)) ?? 2000);
const partIndex = args.indexOf('--part');
const part = partIndex >= 0 ? args[partIndex + 1] : undefined;
const minify = args.includes('--minify');
// The inspector receives every console.log, which makes the log line far dearer than without it.
const withLog = args.includes('--log');

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** esbuild's unminified output marks each input with a `// path` comment line: line → source. */
function sourceOfLine(script: string): (line: number) => string {
  const starts: { line: number; source: string }[] = [];
  script.split('\n').forEach((text, line) => {
    const marker = /^\/\/ (\S+\.(?:ts|js|mjs|cjs))$/.exec(text);
    if (marker) starts.push({ line, source: marker[1]!.replace(/^.*node_modules\//, '') });
  });
  return (line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = '(bundle prelude)';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]!.line <= line) {
        found = starts[mid]!.source;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

wranglerBuild('bench/cpu/wrangler.toml', OUT, minify ? [] : ['--minify=false']);
const script = readFileSync(`${OUT}/worker.js`, 'utf8');
const source = sourceOfLine(script);

const { awsBody, oidcBody, bindings } = await benchJoinInputs();

const inspectorPort = await freePort();
const mf = new Miniflare({
  name: 'bench-cpu',
  modules: true,
  scriptPath: `${OUT}/worker.js`,
  compatibilityDate: '2026-04-20',
  compatibilityFlags: ['nodejs_compat'],
  inspectorPort,
  bindings,
  handleRuntimeStdio: (stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) => {
    stdout.resume();
    stderr.resume();
  },
});
try {
  await mf.ready;
  const body = provider === 'aws' ? awsBody : oidcBody;
  const batch = async (n: number) => {
    const url = `http://bench/__bench/batch?path=/v1/join/${provider}&n=${n}${part ? `&part=${part}` : ''}&log=${withLog ? 'on' : 'off'}`;
    const response = await mf.dispatchFetch(url, { method: 'POST', body });
    const text = await response.text();
    if (response.status !== 200 || (JSON.parse(text) as { ok: number }).ok !== n) throw new Error(`${response.status} ${text.slice(0, 300)}`);
  };
  for (let i = 0; i < 20; i++) await batch(50);

  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as { id: string; title: string; webSocketDebuggerUrl: string }[];
  const target = targets.find((t) => t.title.includes('bench-cpu')) ?? targets[0];
  if (target === undefined) throw new Error('no inspector target');
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve, { once: true });
    ws.addEventListener('error', reject, { once: true });
  });
  let nextId = 1;
  const pending = new Map<number, (result: unknown) => void>();
  ws.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.error ? Promise.reject(new Error(JSON.stringify(message.error))) : message.result);
  });
  const call = <T>(method: string, params: object = {}) =>
    new Promise<T>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve as (result: unknown) => void);
      ws.send(JSON.stringify({ id, method, params }));
    });

  await call('Profiler.enable');
  await call('Profiler.setSamplingInterval', { interval: 50 });
  await call('Profiler.start');
  const per = 100;
  for (let done = 0; done < joins; done += per) await batch(Math.min(per, joins - done));
  const { profile } = await call<{ profile: Profile }>('Profiler.stop');
  ws.close();
  writeFileSync(`${OUT}/join.cpuprofile`, JSON.stringify(profile));

  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  // Each sample stands for the time until the next one (timeDeltas[i + 1]).
  const counts = new Map<number, number>();
  profile.samples.forEach((id, i) => counts.set(id, (counts.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000));
  const idle = profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').reduce((ms, n) => ms + (counts.get(n.id) ?? 0), 0);
  const total = [...counts.values()].reduce((a, b) => a + b, 0) - idle;
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [id, count] of counts) {
    const { callFrame } = byId.get(id)!;
    const file = callFrame.url === '' ? `(${callFrame.functionName || 'native'})` : source(callFrame.lineNumber);
    const fn = `${callFrame.functionName || '(anonymous)'} ${file}:${callFrame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + count);
    byFile.set(file, (byFile.get(file) ?? 0) + count);
  }
  // Inclusive time per function (each sample counted once per distinct function on its stack).
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inclusive = new Map<string, number>();
  for (const [id, count] of counts) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { callFrame } = byId.get(at)!;
      if (callFrame.url === '') continue;
      const fn = `${callFrame.functionName || '(anonymous)'} ${source(callFrame.lineNumber)}:${callFrame.lineNumber + 1}`;
      if (seen.has(fn)) continue;
      seen.add(fn);
      inclusive.set(fn, (inclusive.get(fn) ?? 0) + count);
    }
  }
  const top = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => `${((100 * ms) / total).toFixed(1).padStart(5)}% ${((1000 * ms) / joins).toFixed(1).padStart(6)} µs  ${name}`)
      .join('\n');
  console.log(
    `${provider}${part ? ` part=${part}` : ''}: ${joins} in ${profile.samples.length} samples, ${total.toFixed(0)} ms busy = ${((1000 * total) / joins).toFixed(0)} µs per join while profiled (${OUT}/join.cpuprofile)`,
  );
  console.log(`\nself time by file\n${top(byFile, 30)}`);
  console.log(`\nself time by function\n${top(byFunction, 45)}`);
  console.log(`\ninclusive time by function\n${top(inclusive, 60)}`);
} finally {
  await mf.dispose();
}
