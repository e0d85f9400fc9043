// Builds the Worker exactly as `wrangler deploy` would and prints the bundle size in bytes,
// raw and gzip (Cloudflare's limit and our budget, 200 KiB, are on the gzip size).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGET_GZIP_BYTES = 200 * 1024;
execFileSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', 'dist'], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
});
const bundle = readFileSync(new URL('../dist/index.js', import.meta.url));
const gzip = gzipSync(bundle, { level: 9 }).length;
console.log(JSON.stringify({ file: 'dist/index.js', bytes: bundle.length, gzipBytes: gzip, budgetGzipBytes: BUDGET_GZIP_BYTES, withinBudget: gzip <= BUDGET_GZIP_BYTES }));
