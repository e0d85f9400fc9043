import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Once per test run:
 * 1. builds the Worker bundle exactly as `wrangler deploy` would, so the workerd tests in
 *    test/worker/ and test/e2e/ run the code that ships;
 * 2. makes one emulator cluster CA and one dev AWS signer for the whole run. Workers cannot
 *    be told to trust a CA per request; Miniflare reads NODE_EXTRA_CA_CERTS when it is loaded
 *    (TOOLCHAIN.md #4), so the CA must exist, and the variable be set, before any test starts.
 */
export default async function setup(): Promise<void> {
  execFileSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', 'dist'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
  });

  const dir = mkdtempSync(join(tmpdir(), 'kjb-test-run-'));
  const caDir = join(dir, 'cluster-ca');
  mkdirSync(caDir);
  await import('reflect-metadata');
  const { ClusterCA } = await import('../dev/cluster/pki/ca.js');
  await ClusterCA.loadOrCreate(caDir, new Date());
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '30', '-subj', '/CN=kube-join-broker test AWS signer', '-keyout', join(dir, 'aws-signer.key'), '-out', join(dir, 'aws-signer.crt')], { stdio: 'ignore' });

  process.env['NODE_EXTRA_CA_CERTS'] = join(caDir, 'ca.crt');
  process.env['KJB_TEST_RUN_DIR'] = dir;
}
