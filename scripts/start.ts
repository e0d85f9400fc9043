// `npm start`: the Kubernetes API emulator and the broker, together, offline.
//
// 1. The emulator (dev/cluster) on https://127.0.0.1:6443, state in .dev/ (ca.crt, admin.kubeconfig).
// 2. A dev AWS signing certificate (.dev/aws-signer.crt/.key) that the dev policy trusts for
//    every region, so documents signed with `openssl cms` stand in for EC2's.
// 3. The broker in `wrangler dev` on http://127.0.0.1:8787 (workerd, as in production), trusting
//    the emulator's CA through NODE_EXTRA_CA_CERTS, configured through .dev/broker.env.
import 'reflect-metadata';
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureDevAzureSigner } from '../dev/azure/signer.js';
import { startCluster } from '../dev/cluster/index.js';

const STATE_DIR = resolve(process.env['KJB_STATE_DIR'] ?? '.dev');
const BROKER_PORT = Number(process.env['KJB_BROKER_PORT'] ?? 8787);
const CLUSTER_PORT = Number(process.env['KJB_CLUSTER_PORT'] ?? 6443);
const INSPECTOR_PORT = process.env['KJB_INSPECTOR_PORT'];
const BROKER_URL = `http://127.0.0.1:${BROKER_PORT}`;

function ensureDevSigner(): { certPath: string; keyPath: string } {
  const certPath = join(STATE_DIR, 'aws-signer.crt');
  const keyPath = join(STATE_DIR, 'aws-signer.key');
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '3650', '-subj', '/CN=kube-join-broker dev AWS signer (not AWS)', '-keyout', keyPath, '-out', certPath], { stdio: 'ignore' });
  }
  return { certPath, keyPath };
}

function devPolicy(signerPem: string, azureRootPem: string): string {
  return JSON.stringify({
    pools: [{ name: 'dev', tokenTtl: '10m', freshness: '10m', nodeLabels: { 'node.kubernetes.io/pool': 'dev' } }],
    rules: [
      { pool: 'dev', provider: 'aws', accounts: ['*'] },
      { pool: 'dev', provider: 'azure', accounts: ['*'] },
    ],
    aws: { extraCertificates: [{ regions: ['*'], certificate: signerPem }] },
    // Development only: a self-made root for a stand-in IMDS signer (accepted with a loopback PUBLIC_URL only).
    azure: { extraRoots: [azureRootPem] },
  });
}

/** dotenv: values in single quotes are taken literally (no escapes, no interpolation). */
const envLine = (name: string, value: string) => `${name}='${value.replace(/'/g, '')}'`;

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`the broker did not answer ${url}/healthz within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(): Promise<void> {
  mkdirSync(STATE_DIR, { recursive: true });
  const cluster = await startCluster({ port: CLUSTER_PORT, stateDir: STATE_DIR });
  const signer = ensureDevSigner();
  const azureSigner = ensureDevAzureSigner(STATE_DIR);
  const adminToken = randomBytes(32).toString('base64url');
  const envFile = join(STATE_DIR, 'broker.env');
  writeFileSync(
    envFile,
    [
      envLine('KUBE_API_SERVER', cluster.url),
      envLine('KUBE_TOKEN', cluster.brokerToken),
      envLine('PUBLIC_URL', BROKER_URL),
      envLine('JOIN_POLICY', devPolicy(readFileSync(signer.certPath, 'utf8'), readFileSync(azureSigner.rootPath, 'utf8'))),
      envLine('ADMIN_TOKEN', adminToken),
      '',
    ].join('\n'),
    { mode: 0o600 },
  );

  const wrangler = spawn(
    'npx',
    ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(BROKER_PORT), '--env-file', envFile, '--persist-to', join(STATE_DIR, 'wrangler-state'), '--show-interactive-dev-session=false', '--log-level', 'warn', ...(INSPECTOR_PORT === undefined ? [] : ['--inspector-port', INSPECTOR_PORT])],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
      detached: true,
      env: { ...process.env, NODE_EXTRA_CA_CERTS: cluster.caPath, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
    },
  );
  const stop = async () => {
    // wrangler and workerd run in their own process group: stop all of it (TOOLCHAIN.md #8).
    if (wrangler.pid !== undefined) {
      try {
        process.kill(-wrangler.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await cluster.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  wrangler.on('exit', (code) => {
    console.error(`wrangler dev exited (${code})`);
    void cluster.stop().then(() => process.exit(code ?? 1));
  });

  await waitForHealth(BROKER_URL, 60_000);
  const rel = (path: string) => path.replace(`${process.cwd()}/`, '');
  console.log(`
kube-join-broker is running (development mode; the cluster is an emulator).

  broker            ${BROKER_URL}           (GET /healthz, /readyz)
  Kubernetes API    ${cluster.url}   (emulator)
  cluster CA        ${rel(cluster.caPath)}
  admin kubeconfig  ${rel(cluster.adminKubeconfigPath)}
  dev AWS signer    ${rel(signer.certPath)} / ${rel(signer.keyPath)} (trusted for every region by the dev policy)
  dev Azure signer  ${rel(azureSigner.certPath)} / ${rel(azureSigner.keyPath)} (metadata.azure.com, under ${rel(azureSigner.rootPath)}, which the dev policy trusts)
  admin token       in ${rel(envFile)} (ADMIN_TOKEN)

Try a join: sign a fresh instance identity document as EC2 would, post it, run the script
into a scratch directory (KJB_ROOT) with kubeadm stubbed:

  INSTANCE=i-0$(openssl rand -hex 8)
  NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  printf '{"accountId":"111122223333","architecture":"x86_64","availabilityZone":"us-east-1a","imageId":"ami-0abcdef1234567890","instanceId":"%s","instanceType":"m5.large","pendingTime":"%s","privateIp":"10.0.1.23","region":"us-east-1","version":"2017-09-30"}' "$INSTANCE" "$NOW" \\
    | openssl cms -sign -binary -nodetach -nocerts -md sha256 -signer ${rel(signer.certPath)} -inkey ${rel(signer.keyPath)} -outform PEM \\
    | curl -sS --data-binary @- '${BROKER_URL}/v1/join/aws' | jq .

  # the same, as the join script (format=script), run against a scratch root:
  #   ... | curl -fsS --data-binary @- '${BROKER_URL}/v1/join/aws?format=script&mode=kubelet' > join.sh
  #   mkdir -p /tmp/node && PATH="$PWD/dev/stubs:$PATH" KJB_ROOT=/tmp/node sh join.sh

  kubectl --kubeconfig ${rel(cluster.adminKubeconfigPath)} -n kube-system get secrets

An Azure join: a nonce from the broker, an attested document signed with it by the dev signer
(as IMDS would: GET /metadata/attested/document?api-version=2020-09-01&nonce=$NONCE), posted:

  NONCE=$(curl -fsS -d '' ${BROKER_URL}/v1/nonce | jq -r .nonce)
  NOW=$(date -u +'%m/%d/%y %H:%M:%S -0000'); LATER=$(date -u -d '+6 hours' +'%m/%d/%y %H:%M:%S -0000')
  printf '{"licenseType":"","nonce":"%s","plan":{"name":"","product":"","publisher":""},"sku":"22_04-lts-gen2","subscriptionId":"11111111-2222-3333-4444-555555555555","timeStamp":{"createdOn":"%s","expiresOn":"%s"},"vmId":"%s"}' "$NONCE" "$NOW" "$LATER" "$(cat /proc/sys/kernel/random/uuid)" \\
    | openssl cms -sign -binary -nodetach -noattr -md sha256 -signer ${rel(azureSigner.certPath)} -inkey ${rel(azureSigner.keyPath)} -outform DER | base64 -w0 \\
    | jq -Rc '{encoding:"pkcs7",signature:.}' | curl -sS -H 'Content-Type: application/json' --data-binary @- '${BROKER_URL}/v1/join/azure' | jq .

Stop with Ctrl-C.
`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
