import { execFileSync } from 'node:child_process';

/**
 * Builds the Worker bundle once per test run, exactly as `wrangler deploy` would, so the
 * workerd tests in test/worker/ run the code that ships.
 */
export default function setup(): void {
  execFileSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', 'dist'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
  });
}
