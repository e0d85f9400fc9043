/**
 * `npx tsx bench/cpu/compare.ts <a/worker.js> <b/worker.js> [samples]`: CPU per join of two
 * builds of the bench Worker (bench/cpu/worker.ts), started side by side and measured
 * interleaved (a, b, b, a, a, b, …: the first of each round alternates, since a request's cost
 * depends on what ran just before it) so that the machine's load drifts the same for both; for judging
 * one change (build A before it, B after it). Same method as bench/cpu.ts (workerd CPU from
 * /proc schedstat around each request): `perJoin` (one join in a request, minus the request with
 * none just before it, log line included; median of those differences), `perJoinWithoutLog`, and the warm means of 100 joins (`batch`), of
 * the attestor alone and of rendering alone. A fourth argument picks kinds and units per request,
 * e.g. `render:1000,attest:300`, for a change too small to see in one join.
 */
import { Miniflare } from 'miniflare';
import { benchJoinInputs } from './inputs.js';
import { median, round } from '../lib/stats.js';
import { processCpuNs, workerdChildren } from '../lib/workerd-cpu.js';

const [scriptA, scriptB, samplesArg, kindsArg] = process.argv.slice(2);
if (scriptA === undefined || scriptB === undefined) throw new Error('usage: compare.ts <a/worker.js> <b/worker.js> [samples] [kind[:n],…]');
const samples = Number(samplesArg ?? 300);
const KINDS: Record<string, { query: string; n: number }> = {
  perJoin: { query: '', n: 1 },
  perJoinWithoutLog: { query: '&log=off', n: 1 },
  batch: { query: '', n: 100 },
  attest: { query: '&part=attest', n: 100 },
  render: { query: '&part=render', n: 100 },
};
// e.g. `render:1000,batch`: only these kinds, with that many units per request.
const kinds =
  kindsArg === undefined
    ? KINDS
    : Object.fromEntries(
        kindsArg.split(',').map((spec) => {
          const [name, n] = spec.split(':');
          const kind = KINDS[name!];
          if (kind === undefined) throw new Error(`unknown kind ${name}; known: ${Object.keys(KINDS).join(', ')}`);
          return [name!, { query: kind.query, n: n === undefined ? kind.n : Number(n) }];
        }),
      );
const { awsBody, oidcBody, bindings } = await benchJoinInputs();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function start(script: string) {
  const before = new Set(workerdChildren());
  const mf = new Miniflare({
    modules: true,
    scriptPath: script,
    compatibilityDate: '2026-04-20',
    compatibilityFlags: ['nodejs_compat'],
    bindings,
    handleRuntimeStdio: (stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) => {
      stdout.resume();
      stderr.pipe(process.stderr);
    },
  });
  await mf.ready;
  const [pid] = workerdChildren().filter((p) => !before.has(p));
  if (pid === undefined) throw new Error('no workerd process');
  const cpu = async (query: string, body: string) => {
    const started = processCpuNs(pid);
    const response = await mf.dispatchFetch(`http://bench/__bench/batch?${query}`, { method: 'POST', body });
    const text = await response.text();
    if (response.status !== 200 || !/"ok":(\d+)/.test(text) || Number(/"ok":(\d+)/.exec(text)![1]) !== Number(/n=(\d+)/.exec(query)![1])) {
      throw new Error(`${script} ${query}: ${response.status} ${text.slice(0, 300)}`);
    }
    await sleep(2);
    return (processCpuNs(pid) - started) / 1e6;
  };
  return { mf, cpu };
}

const workers = { a: await start(scriptA), b: await start(scriptB) };
const result: Record<string, Record<string, { a: number; b: number; change: number }>> = {};
for (const [provider, body] of [['aws', awsBody], ['oidc', oidcBody]] as const) {
  const path = `path=/v1/join/${provider}`;
  for (const w of Object.values(workers)) for (let i = 0; i < 20; i++) await w.cpu(`${path}&n=20`, body);
  const raw: Record<string, { a: number[]; b: number[]; emptyA: number[]; emptyB: number[] }> = {};
  for (const name of Object.keys(kinds)) raw[name] = { a: [], b: [], emptyA: [], emptyB: [] };
  for (let i = 0; i < samples; i++) {
    for (const [name, kind] of Object.entries(kinds)) {
      // Requests of many units are few (every tenth round) unless they are all that is asked for.
      if (kind.n > 1 && kindsArg === undefined && i % 10 !== 0) continue;
      // Which build goes first alternates from one sample of a kind to the next: a request's cost
      // depends on what ran just before it (A/A runs with a fixed order, perJoin and batch:50
      // mixed, measured b's perJoin 0.035–0.056 ms above a's).
      const order = raw[name]!.a.length % 2 === 0 ? (['a', 'b'] as const) : (['b', 'a'] as const);
      for (const w of order) {
        const empty = await workers[w].cpu(`${path}&n=0${kind.query}`, body);
        const full = await workers[w].cpu(`${path}&n=${kind.n}${kind.query}`, body);
        raw[name]![w].push(full);
        raw[name]![w === 'a' ? 'emptyA' : 'emptyB'].push(empty);
      }
    }
  }
  result[provider] = {};
  for (const [name, kind] of Object.entries(kinds)) {
    const r = raw[name]!;
    // Each request is paired with the empty request just before it: drift cancels out.
    const a = median(r.a.map((full, i) => full - r.emptyA[i]!)) / kind.n;
    const b = median(r.b.map((full, i) => full - r.emptyB[i]!)) / kind.n;
    result[provider]![name] = { a: round(a), b: round(b), change: round(b - a) };
  }
}
for (const w of Object.values(workers)) await w.mf.dispose();
console.log(JSON.stringify(result));
for (const [provider, rows] of Object.entries(result)) {
  for (const [name, { a, b, change }] of Object.entries(rows)) console.log(`${provider.padEnd(5)} ${name.padEnd(18)} ${a.toFixed(3)} → ${b.toFixed(3)} ms (${change >= 0 ? '+' : ''}${change.toFixed(3)})`);
}
