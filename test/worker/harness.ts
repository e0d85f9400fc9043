import { readFileSync } from 'node:fs';
import { Miniflare } from 'miniflare';

const wranglerToml = readFileSync(new URL('../../wrangler.toml', import.meta.url), 'utf8');
const compatibilityDate = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(wranglerToml)![1]!;

export interface RunningWorker {
  /** The Worker's loopback URL, for real clients such as curl. */
  url: URL;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  miniflare: Miniflare;
  dispose(): Promise<void>;
}

/**
 * Runs the built bundle (dist/index.js, made by test/global-setup.ts with `wrangler deploy
 * --dry-run`) in workerd through Miniflare, with the Durable Object bindings of wrangler.toml.
 */
export async function startWorker(bindings: Record<string, string>): Promise<RunningWorker> {
  if (process.env['NODE_EXTRA_CA_CERTS'] === undefined) throw new Error('NODE_EXTRA_CA_CERTS unset: test/global-setup.ts did not run');
  const miniflare = new Miniflare({
    modules: true,
    scriptPath: new URL('../../dist/index.js', import.meta.url).pathname,
    compatibilityDate,
    compatibilityFlags: ['nodejs_compat'],
    bindings,
    durableObjects: { LEDGER: { className: 'JoinLedgerObject', useSQLite: true } },
  });
  const url = await miniflare.ready;
  return {
    url,
    miniflare,
    fetch: (path, init) => miniflare.dispatchFetch(`http://broker.test${path}`, init as never) as unknown as Promise<Response>,
    dispose: () => miniflare.dispose(),
  };
}
