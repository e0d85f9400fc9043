/**
 * The same AWS verification cost, inside workerd (Miniflare). workerd's clock does not advance
 * during CPU work, so a bench worker runs N verifications per request and this script times the
 * requests from Node: (time for N) − (time for 1), divided by N − 1.
 * Run: `npx tsx bench/attest-aws.workerd.ts` (bundles with `wrangler deploy --dry-run` into .wrangler/tmp/).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}.wrangler/tmp/bench-attest-aws`;

const WORKER = `
import { createAwsTrustStore, verifyAwsIdentityDocument } from '../../../src/attest/aws/index.ts';
const RSA2048 = ${JSON.stringify(readFileSync(new URL('../test/fixtures/aws/teleport-2021-us-west-2.rsa2048', import.meta.url), 'utf8'))};
const SIGNATURE = ${JSON.stringify(
  JSON.stringify({
    document: readFileSync(new URL('../test/fixtures/aws/coder-2022-us-east-1.document.json', import.meta.url), 'utf8'),
    signature: readFileSync(new URL('../test/fixtures/aws/coder-2022-us-east-1.signature', import.meta.url), 'utf8'),
  }),
)};
const trust = createAwsTrustStore();
const now = new Date('2021-09-03T21:25:44Z');
export default {
  async fetch(request) {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get('n'));
    const body = url.searchParams.get('form') === 'signature' ? SIGNATURE : RSA2048;
    const input = new TextEncoder().encode(body);
    let ok = 0;
    for (let i = 0; i < n; i++) if ((await verifyAwsIdentityDocument(input, trust, now)).ok) ok++;
    return new Response(String(ok));
  },
};`;

export async function benchAttestAwsWorkerd(iterations = 1000): Promise<Array<{ name: string; microsPerOp: number }>> {
  mkdirSync(out, { recursive: true });
  writeFileSync(`${out}/entry.js`, WORKER);
  writeFileSync(`${out}/wrangler.toml`, 'name = "bench-attest-aws"\nmain = "entry.js"\ncompatibility_date = "2026-04-20"\ncompatibility_flags = ["nodejs_compat"]\n');
  execFileSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', `${out}/dist`, '--config', `${out}/wrangler.toml`], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
  });
  const mf = new Miniflare({ modules: true, scriptPath: `${out}/dist/entry.js`, compatibilityDate: '2026-04-20', compatibilityFlags: ['nodejs_compat'] });
  try {
    const time = async (form: string, n: number) => {
      const started = performance.now();
      const res = await mf.dispatchFetch(`http://bench/?form=${form}&n=${n}`);
      if ((await res.text()) !== String(n)) throw new Error(`${form}: not all verified`);
      return performance.now() - started;
    };
    const results = [];
    for (const [form, name] of [['rsa2048', 'verify rsa2048 PKCS7, warm trust store'], ['signature', 'verify signature form']] as const) {
      await time(form, 200); // warm-up (JIT, key import, lazy certificate parse)
      const samples = [];
      for (let r = 0; r < 3; r++) samples.push(((await time(form, iterations)) - (await time(form, 1))) / (iterations - 1));
      results.push({ name: `${name} (workerd, median of 3)`, microsPerOp: samples.sort((a, b) => a - b)[1]! * 1000 });
    }
    return results;
  } finally {
    await mf.dispose();
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const r of await benchAttestAwsWorkerd()) console.log(`${r.microsPerOp.toFixed(1).padStart(9)} µs  ${r.name}`);
}
