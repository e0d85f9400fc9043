/** Builds a Worker exactly as `wrangler deploy` would (`--dry-run`), offline. */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs `wrangler deploy --dry-run` for a config (repo-relative) into an absolute outdir. */
export function wranglerBuild(config: string, outdir: string, extraArgs: readonly string[] = []): void {
  execFileSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', outdir, '--config', config, ...extraArgs], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
  });
}
