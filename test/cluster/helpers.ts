/** Shared helpers for the emulator's tests: start/stop, HTTP calls, fixture shapes. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ClusterHandle, type ClusterOptions, startCluster } from '../../dev/cluster/index.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/kubernetes/', import.meta.url));

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

/** Start an emulator in a fresh temp state dir; `cleanup()` stops it and removes the dir. */
export async function startTestCluster(options: ClusterOptions = {}): Promise<ClusterHandle & { cleanup(): Promise<void> }> {
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'kjb-cluster-'));
  const cluster = await startCluster({ tls: false, resyncIntervalMs: 0, ...options, stateDir });
  return Object.assign(cluster, {
    cleanup: async () => {
      await cluster.stop();
      if (!options.stateDir) rmSync(stateDir, { recursive: true, force: true });
    },
  });
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json(): unknown;
}

/** A request against a plain-HTTP emulator with an optional bearer token. */
export async function call(
  cluster: { url: string },
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; contentType?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['content-type'] = opts.contentType ?? 'application/json';
  }
  const res = await fetch(`${cluster.url}${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

/** A request over TLS trusting only the cluster CA. */
export function tlsCall(cluster: { url: string; caPem: string }, method: string, path: string, token?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${cluster.url}${path}`,
      { method, ca: cluster.caPem, headers: token ? { authorization: `Bearer ${token}` } : {} },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * The structure of a JSON value with its values abstracted: same keys in the same order, same
 * value types. Two Status bodies "match the fixture's shape" when their shapes are equal.
 */
export function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shape);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]));
  return typeof v;
}

export const secretManifest = (
  id: string,
  secret: string,
  extra: Record<string, string> = {},
): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' },
  type: 'bootstrap.kubernetes.io/token',
  stringData: {
    'token-id': id,
    'token-secret': secret,
    'usage-bootstrap-authentication': 'true',
    'usage-bootstrap-signing': 'true',
    'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token',
    ...extra,
  },
});

/**
 * `kube-public/cluster-info`'s `data.kubeconfig` exactly as kubeadm writes it (SEMANTICS §3.1:
 * clientcmd.Write of a Config with one unnamed cluster), filled with a server URL and the base64 of
 * the CA file's bytes: written out here, not taken from the emulator, so tests compare against it.
 */
export const kubeadmClusterInfoKubeconfig = (server: string, caData: string): string => `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${caData}
    server: ${server}
  name: ""
contexts: null
current-context: ""
kind: Config
preferences: {}
users: null
`;
