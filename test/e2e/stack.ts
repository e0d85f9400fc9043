import type { V1Secret } from '@kubernetes/client-node';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type ClusterHandle, type ClusterOptions } from '../../dev/cluster/index.js';
import type { KubeObject } from '../../dev/cluster/storage/store.js';
import { run } from '../support/run.js';
import { startWorker, type RateLimits, type RunningWorker, type WorkerOptions } from '../worker/harness.js';
import { assertContract } from './client.js';

/** Files made once per run by test/global-setup.ts. */
export const runDir = (): string => {
  const dir = process.env['KJB_TEST_RUN_DIR'];
  if (dir === undefined) throw new Error('KJB_TEST_RUN_DIR is not set: run the tests through vitest (test/global-setup.ts)');
  return dir;
};
export const devSigner = () => ({ certPath: join(runDir(), 'aws-signer.crt'), keyPath: join(runDir(), 'aws-signer.key') });

/** A JOIN_POLICY for tests: the dev signer trusted for every region, pools and rules as given. */
export function testPolicy(pools: object[] = [{ name: 'workers' }], rules: object[] = [{ pool: 'workers', provider: 'aws', accounts: ['111122223333'] }], extra: object = {}): string {
  return JSON.stringify({
    pools,
    rules,
    aws: { extraCertificates: [{ regions: ['*'], certificate: readFileSync(devSigner().certPath, 'utf8') }] },
    ...extra,
  });
}

export interface Stack {
  cluster: ClusterHandle;
  /** The Worker: every answer its `fetch` returns has been checked against openapi.yaml; its output is captured. */
  worker: RunningWorker;
  /** POST a body to the Worker (the answer checked against openapi.yaml). */
  post(path: string, body: string | Uint8Array<ArrayBuffer>, headers?: Record<string, string>): Promise<Response>;
  /**
   * Another Worker on the same emulator, held to the same checks as `worker` (contract, output
   * captured and searched at `stop`); `stop` disposes it unless the test did.
   */
  startWorker(options?: { policy?: string; env?: Record<string, string>; worker?: WorkerOptions }): Promise<RunningWorker>;
  /**
   * Disposes the Workers and the emulator, then fails when any Worker's output carries a secret:
   * the token secret of any bootstrap-token Secret the emulator ever held (deleted ones too),
   * the Worker's KUBE_TOKEN or its ADMIN_TOKEN.
   */
  stop(): Promise<void>;
}

export const E2E_ADMIN_TOKEN = 'admin-token-for-e2e-tests-0123456789abcdef';

/** The Worker's bindings for talking to `cluster` (also for a second Worker on the same emulator). */
export function stackBindings(cluster: ClusterHandle, options: { policy?: string; env?: Record<string, string> } = {}): Record<string, string> {
  return {
    KUBE_API_SERVER: cluster.url,
    KUBE_TOKEN: cluster.brokerToken,
    PUBLIC_URL: 'https://broker.test',
    JOIN_POLICY: options.policy ?? testPolicy(),
    ADMIN_TOKEN: E2E_ADMIN_TOKEN,
    KUBE_TIMEOUT_MS: '2000',
    ...options.env,
  };
}

/** The bootstrap-token Secrets the broker minted (label `app.kubernetes.io/managed-by`), straight from the store. */
export const brokerSecrets = (cluster: ClusterHandle): V1Secret[] =>
  (cluster.store.list('secrets', 'kube-system') as unknown as V1Secret[]).filter((s) => s.metadata?.labels?.['app.kubernetes.io/managed-by'] === 'kube-join-broker');

/** `worker` whose `fetch` checks every answer against openapi.yaml (assertContract) before returning it. */
export function contractChecked(worker: RunningWorker): RunningWorker {
  return {
    ...worker,
    fetch: async (path, init) => {
      const response = await worker.fetch(path, init);
      await assertContract(init?.method ?? 'GET', path, response);
      return response;
    },
  };
}

/**
 * The secrets found in `output`, by name; never the secret itself (the line around it, the
 * secret masked, so a failure can be traced).
 */
export function leakedSecrets(output: string, secrets: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const [secret, name] of secrets) {
    const at = output.indexOf(secret);
    if (at < 0) continue;
    const end = output.indexOf('\n', at);
    let line = output.slice(output.lastIndexOf('\n', at) + 1, end < 0 ? output.length : end);
    for (const other of secrets.keys()) line = line.replaceAll(other, '<secret>');
    found.push(`${name}, in: ${line.slice(0, 400)}`);
  }
  return found;
}

/** The token secret of every bootstrap-token Secret `cluster` holds from now on, created or changed (kept when deleted), by value. */
function watchTokenSecrets(cluster: ClusterHandle): Map<string, string> {
  const secrets = new Map<string, string>();
  const note = (object: KubeObject) => {
    const secret = object as unknown as V1Secret;
    const value = secret.data?.['token-secret'];
    if (secret.type === 'bootstrap.kubernetes.io/token' && value !== undefined) secrets.set(Buffer.from(value, 'base64').toString(), `the token secret of Secret ${secret.metadata?.name}`);
  };
  for (const secret of cluster.store.list('secrets')) note(secret);
  cluster.store.subscribe((event) => {
    if (event.resource === 'secrets' && event.type !== 'DELETED') note(event.object);
  });
  return secrets;
}

/**
 * The emulator (HTTPS, with this run's CA, which workerd trusts) and the built Worker in workerd,
 * configured to talk to it with the broker ServiceAccount's token. Every answer of the Worker is
 * checked against openapi.yaml; its output is captured (`worker.output()`) and searched for
 * secrets when the stack stops.
 */
export async function startStack(
  options: {
    policy?: string;
    env?: Record<string, string>;
    cluster?: ClusterOptions;
    rateLimits?: RateLimits;
    /** The output is captured whatever `captureOutput` says. */
    worker?: Omit<WorkerOptions, 'rateLimits'>;
    /** false: answers are not checked against openapi.yaml (the benchmarks, which time them). */
    contractCheck?: boolean;
  } = {},
): Promise<Stack> {
  const stateDir = mkdtempSync(join(tmpdir(), 'kjb-cluster-'));
  for (const file of ['ca.crt', 'ca.key']) copyFileSync(join(runDir(), 'cluster-ca', file), join(stateDir, file));
  const cluster = await startCluster({ port: 0, stateDir, resyncIntervalMs: 200, ...options.cluster });
  const tokenSecrets = watchTokenSecrets(cluster);
  const workers: { worker: RunningWorker; bindings: Record<string, string>; disposed: boolean }[] = [];
  const start = async (bindings: Record<string, string>, workerOptions: WorkerOptions): Promise<RunningWorker> => {
    const started = await startWorker(bindings, { ...workerOptions, captureOutput: true });
    const entry = { worker: started, bindings, disposed: false };
    workers.push(entry);
    const tracked: RunningWorker = {
      ...started,
      dispose: async () => {
        entry.disposed = true;
        await started.dispose();
      },
    };
    return options.contractCheck === false ? tracked : contractChecked(tracked);
  };
  const worker = await start(stackBindings(cluster, options), { ...options.worker, rateLimits: options.rateLimits });
  return {
    cluster,
    worker,
    post: (path, body, headers = {}) => worker.fetch(path, { method: 'POST', body, headers }),
    startWorker: (more = {}) => start(stackBindings(cluster, more), { rateLimits: options.rateLimits, ...more.worker }),
    stop: async () => {
      for (const entry of workers) if (!entry.disposed) await entry.worker.dispose();
      await cluster.stop();
      const leaks = workers.flatMap(({ worker: { output }, bindings }, index) => {
        const secrets = new Map(tokenSecrets);
        if (bindings['KUBE_TOKEN'] !== undefined) secrets.set(bindings['KUBE_TOKEN'], 'KUBE_TOKEN');
        if (bindings['ADMIN_TOKEN'] !== undefined) secrets.set(bindings['ADMIN_TOKEN'], 'ADMIN_TOKEN');
        return leakedSecrets(output(), secrets).map((leak) => `Worker ${index}: ${leak}`);
      });
      if (leaks.length > 0) throw new Error(`secrets in the Worker output:\n- ${leaks.join('\n- ')}`);
    },
  };
}

export interface InstanceDocument {
  accountId: string;
  architecture: string;
  availabilityZone: string;
  imageId: string;
  instanceId: string;
  instanceType: string;
  pendingTime: string;
  privateIp: string;
  region: string;
  version: string;
  [extra: string]: string;
}

let instanceCounter = 0;
/** An EC2-shaped identity document (field order as IMDS serves it), fresh and unique by default. */
export function instanceDocument(overrides: Partial<InstanceDocument> = {}): InstanceDocument {
  instanceCounter++;
  return {
    accountId: '111122223333',
    architecture: 'x86_64',
    availabilityZone: 'us-east-1a',
    imageId: 'ami-0abcdef1234567890',
    instanceId: `i-0${(Date.now() % 1e9).toString(16).padStart(8, '0')}${process.pid.toString(16)}${instanceCounter.toString(16).padStart(4, '0')}`.slice(0, 19),
    instanceType: 'm5.large',
    pendingTime: new Date(Math.floor(Date.now() / 1000) * 1000 - 5000).toISOString().replace('.000Z', 'Z'),
    privateIp: '10.0.1.23',
    region: 'us-east-1',
    version: '2017-09-30',
    ...overrides,
  };
}

/** Signs a document as EC2 does (rsa2048 PKCS7, content attached), with the real openssl CLI. */
export async function signDocument(document: InstanceDocument | string, signer = devSigner(), extraArgs: string[] = []): Promise<string> {
  const text = typeof document === 'string' ? document : JSON.stringify(document, null, 2);
  const { code, stdout, stderr } = await run(
    'openssl',
    ['cms', '-sign', '-binary', '-nodetach', '-nocerts', '-md', 'sha256', '-signer', signer.certPath, '-inkey', signer.keyPath, '-outform', 'PEM', ...extraArgs],
    text,
  );
  if (code !== 0) throw new Error(`openssl cms -sign failed: ${stderr}`);
  return stdout;
}
