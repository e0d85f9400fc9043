/**
 * The static assets (wrangler.toml `[assets]`): the tests run them in Miniflare as wrangler
 * would, they never shadow an API route, and they stay out of the Worker script.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { WRANGLER_ASSETS } from '../worker/harness.js';

describe('wrangler.toml [assets]', () => {
  it('the harness gives Miniflare the assets exactly as wrangler translates wrangler.toml', () => {
    const { workerOptions } = unstable_getMiniflareWorkerOptions('wrangler.toml');
    expect(WRANGLER_ASSETS).toBeDefined();
    expect(workerOptions.assets).toEqual(WRANGLER_ASSETS);
  });

  it('only /docs, /docs/* and /openapi.yaml go to the assets: every other path reaches the Worker first', () => {
    expect(WRANGLER_ASSETS!.routerConfig.static_routing).toEqual({ user_worker: ['/*'], asset_worker: ['/docs', '/docs/*', '/openapi.yaml'] });
  });

  it('public/ holds only what those paths serve (and _headers, which configures them)', () => {
    const top = readdirSync('public').sort();
    expect(top).toEqual(['_headers', 'docs', 'docs.html', 'openapi.yaml']);
  });

  it('the assets are not in the Worker script, so `npm run size` measures the script alone', () => {
    const script = readFileSync('dist/index.js', 'utf8');
    expect(script).not.toContain('SwaggerUIBundle');
    expect(script).not.toContain('The kube-join-broker wire contract');
  });
});
