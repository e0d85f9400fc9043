import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificatePem, CERTIFICATE_FILES, eventBridgeExample, fixtureText, BAD_SIGNATURE_VECTORS, VERIFIED_SNS_VECTORS } from './vectors.js';

const wranglerToml = readFileSync(new URL('../../../wrangler.toml', import.meta.url), 'utf8');
const compatibilityDate = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(wranglerToml)![1]!;

/** Every vector certificate, served at its URL on each SNS host the vectors use. */
const SERVED: Record<string, string> = Object.fromEntries(
  VERIFIED_SNS_VECTORS.concat(BAD_SIGNATURE_VECTORS).map((vector) => {
    const url = (JSON.parse(fixtureText(`sns/${vector.file}`)) as { SigningCertURL: string }).SigningCertURL;
    return [url, certificatePem(vector.certificate)];
  }),
);

let miniflare: Miniflare;
let dir: string;

beforeAll(() => {
  // Bundled exactly as wrangler bundles the Worker, with the Worker's compatibility settings.
  dir = mkdtempSync(join(tmpdir(), 'kjb-hooks-workerd-'));
  const config = join(dir, 'wrangler.toml');
  writeFileSync(config, `name = "hooks-check"\nmain = "${new URL('./workerd/entry.ts', import.meta.url).pathname}"\ncompatibility_date = "${compatibilityDate}"\ncompatibility_flags = ["nodejs_compat"]\n`);
  execFileSync('npx', ['wrangler', 'deploy', '--dry-run', '--config', config, '--outdir', join(dir, 'dist')], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
  });
  const script = readFileSync(join(dir, 'dist', 'entry.js'), 'utf8').replace(/\/\/# sourceMappingURL=.*$/m, '');
  miniflare = new Miniflare({ modules: true, script, compatibilityDate, compatibilityFlags: ['nodejs_compat'] });
}, 60_000);

afterAll(async () => {
  await miniflare?.dispose();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

async function run(job: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await miniflare.dispatchFetch('http://hooks.test/', { method: 'POST', body: JSON.stringify({ headers: {}, certificates: SERVED, ...job }) });
  return (await response.json()) as Record<string, unknown>;
}

describe('inside workerd', () => {
  it.each(VERIFIED_SNS_VECTORS)('$file verifies (SignatureVersion $signatureVersion), its certificate fetched once', async (vector) => {
    const result = await run({ body: fixtureText(`sns/${vector.file}`) });
    expect(result).toMatchObject({ parsed: 'ok', source: 'sns', verified: 'ok' });
    expect(result['fetched']).toHaveLength(1);
  });

  it.each(BAD_SIGNATURE_VECTORS)('$file is refused', async (vector) => {
    expect(await run({ body: fixtureText(`sns/${vector.file}`) })).toMatchObject({ verified: 'invalid_signature' });
  });

  it('the real terminating notification yields its terminate event', async () => {
    const result = await run({ body: fixtureText('sns/pudding-2014-asg-terminating.derived.json') });
    expect(result['event']).toMatchObject({ ok: true, value: { kind: 'terminate', instanceId: 'i-4c87e963', autoScalingGroupName: 'org-staging-docker-asg', accountId: '341288657826' } });
  });

  it('a real subscription confirmation yields its SubscribeURL', async () => {
    const body = fixtureText('sns/unidentified-2024-subscription-confirmation-sigv2.json');
    expect((await run({ body }))['subscribe']).toEqual({ ok: true, value: (JSON.parse(body) as { SubscribeURL: string }).SubscribeURL });
  });

  it('a certificate host that never answers times out as upstream_unavailable', async () => {
    const body = fixtureText('sns/ruby-2022-notification-sigv2.json');
    const url = (JSON.parse(body) as { SigningCertURL: string }).SigningCertURL;
    expect(await run({ body, certificates: { [url]: 'hang' }, timeoutMs: 50 })).toMatchObject({ verified: 'upstream_unavailable' });
  });

  it('a certificate that is not at its URL is invalid_certificate', async () => {
    expect(await run({ body: fixtureText('sns/ruby-2022-notification-sigv1.json'), certificates: {} })).toMatchObject({ verified: 'invalid_certificate' });
  });

  it('an EventBridge example parses, and the shared secret compares', async () => {
    const result = await run({ body: JSON.stringify(eventBridgeExample('awsdocs-warmpool-terminate-asg-to-warmpool.json')), secret: { presented: 's3cret-value', expected: 's3cret-value' } });
    expect(result).toMatchObject({ parsed: 'ok', source: 'eventbridge', secret: true, event: { kind: 'terminate', effect: 'return-to-warm-pool' } });
    expect((await run({ body: '{}', secret: { presented: 'nope', expected: 's3cret-value' } }))['secret']).toBe(false);
  });

  it('serves all five real certificates', () => {
    expect(new Set(Object.values(SERVED)).size).toBe(CERTIFICATE_FILES.length);
  });
});
