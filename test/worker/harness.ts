import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Log, LogLevel, Miniflare } from 'miniflare';

const wranglerToml = readFileSync(new URL('../../wrangler.toml', import.meta.url), 'utf8');
const compatibilityDate = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(wranglerToml)![1]!;

export type RateLimits = Record<string, { simple: { limit: number; period: 10 | 60 } }>;

/** The `[[ratelimits]]` of wrangler.toml, as Miniflare takes them. */
export const WRANGLER_RATE_LIMITS: RateLimits = Object.fromEntries(
  [...wranglerToml.matchAll(/\[\[ratelimits\]\]\s*name = "([^"]+)"\s*namespace_id = "[^"]+"\s*simple = \{ limit = (\d+), period = (\d+) \}/g)].map(
    ([, name, limit, period]) => [name!, { simple: { limit: Number(limit), period: Number(period) as 10 | 60 } }],
  ),
);

/**
 * The `[assets]` of wrangler.toml as Miniflare takes them: the directory (filled by the build,
 * scripts/build-assets.mjs; Miniflare reads its `_headers`) and `run_worker_first` as static
 * routing. test/contract/assets.test.ts checks this equals wrangler's own translation.
 */
export const WRANGLER_ASSETS = (() => {
  const section = /^\[assets\]\n((?:(?!\[).*\n?)*)/m.exec(wranglerToml)?.[1];
  if (section === undefined) return undefined;
  const directory = /^directory\s*=\s*"([^"]+)"/m.exec(section)![1]!;
  const runWorkerFirst = JSON.parse(/^run_worker_first\s*=\s*(\[.*\])/m.exec(section)![1]!) as string[];
  return {
    directory: fileURLToPath(new URL(`../../${directory}`, import.meta.url)),
    routerConfig: {
      has_user_worker: true,
      static_routing: {
        user_worker: runWorkerFirst.filter((rule) => !rule.startsWith('!')),
        asset_worker: runWorkerFirst.filter((rule) => rule.startsWith('!')).map((rule) => rule.slice(1)),
      },
    },
    assetConfig: { compatibility_date: compatibilityDate, compatibility_flags: ['nodejs_compat'] },
  };
})();

export interface RunningWorker {
  /** The Worker's loopback URL, for real clients such as curl. */
  url: URL;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  miniflare: Miniflare;
  /** Everything the Worker and workerd wrote (console, stdout, stderr) and Miniflare logged; '' unless `captureOutput`. */
  output(): string;
  dispose(): Promise<void>;
}

export interface WorkerOptions {
  rateLimits?: RateLimits;
  /**
   * Collect the Worker's console output and workerd's stdout/stderr (and Miniflare's own log
   * lines, e.g. uncaught errors) for assertions through `output()`, instead of printing them.
   */
  captureOutput?: boolean;
  /**
   * Handles every outbound fetch of the Worker in Node: a network the test controls (forward,
   * delay, cut the connection with `req.socket.destroy()`). The Worker still sees a real fetch.
   */
  outbound?: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

/** Miniflare's log, kept as text. */
class CapturedLog extends Log {
  constructor(private readonly sink: string[]) {
    super(LogLevel.DEBUG);
  }
  protected override log(message: string): void {
    this.sink.push(`${message}\n`);
  }
}

/**
 * Runs the built bundle (dist/index.js, made by test/global-setup.ts with `wrangler deploy
 * --dry-run`) in workerd through Miniflare, with the Durable Object bindings of wrangler.toml.
 */
export async function startWorker(bindings: Record<string, string>, options: WorkerOptions = {}): Promise<RunningWorker> {
  if (process.env['NODE_EXTRA_CA_CERTS'] === undefined) throw new Error('NODE_EXTRA_CA_CERTS unset: test/global-setup.ts did not run');
  const captured: string[] = [];
  const capture = options.captureOutput === true
    ? {
        log: new CapturedLog(captured),
        handleRuntimeStdio: (stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) => {
          for (const stream of [stdout, stderr]) stream.on('data', (chunk: Buffer | string) => captured.push(chunk.toString()));
        },
      }
    : {};
  const miniflare = new Miniflare({
    modules: true,
    scriptPath: new URL('../../dist/index.js', import.meta.url).pathname,
    compatibilityDate,
    compatibilityFlags: ['nodejs_compat'],
    bindings,
    durableObjects: {
      LEDGER: { className: 'JoinLedgerObject', useSQLite: true },
      JOIN_INDEX: { className: 'JoinIndexObject', useSQLite: true },
      NONCES: { className: 'NonceObject', useSQLite: true },
    },
    ratelimits: { ...WRANGLER_RATE_LIMITS, ...options.rateLimits },
    ...(WRANGLER_ASSETS === undefined ? {} : { assets: WRANGLER_ASSETS }),
    ...capture,
    ...(options.outbound === undefined ? {} : { outboundService: { node: options.outbound } }),
  });
  const url = await miniflare.ready;
  return {
    url,
    miniflare,
    fetch: (path, init) => miniflare.dispatchFetch(`http://broker.test${path}`, init as never) as unknown as Promise<Response>,
    output: () => captured.join(''),
    dispose: () => miniflare.dispose(),
  };
}
