/**
 * `npx tsx bench/burst-run.ts [--disk] [--token-only | --file-only]`: the two 1,000-join bursts
 * alone (bench/burst.ts), set up as `npm run bench` does: Durable Object storage on /dev/shm
 * unless --disk, dist/ built and NODE_EXTRA_CA_CERTS exported before anything loads Miniflare.
 * Prints one JSON line per burst.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import setupTestRun from '../test/global-setup.js';

const memoryTmp = !process.argv.includes('--disk') && existsSync('/dev/shm') ? mkdtempSync('/dev/shm/kjb-bench-') : undefined;
if (memoryTmp !== undefined) process.env['TMPDIR'] = memoryTmp;
await setupTestRun();
const { benchBurst } = await import('./burst.js');
const discoveries = process.argv.includes('--file-only') ? (['file'] as const) : process.argv.includes('--token-only') ? (['token'] as const) : (['token', 'file'] as const);
for (const discovery of discoveries) {
  const started = performance.now();
  const result = await benchBurst({ joins: 1000, latencyMs: 20, maxInFlight: 50, discovery });
  console.error(`[burst ${discovery}] ${result.succeeded}/${result.joins} in ${result.wallMs} ms; orphans ${result.orphanTokensAtAnswers} → ${result.orphanTokens}; ${((performance.now() - started) / 1000).toFixed(1)} s in all`);
  console.log(JSON.stringify(result));
}
if (memoryTmp !== undefined) rmSync(memoryTmp, { recursive: true, force: true });
