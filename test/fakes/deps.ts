import type { V1CertificateSigningRequest, V1ConfigMap, V1Node, V1Secret } from '@kubernetes/client-node';
import { loadConfig, type Config, type ConfigEnv } from '../../src/config.js';
import { KubeApiError, type KubeApi } from '../../src/cluster/kube-api.js';
import type { Clock, Deps, Random } from '../../src/deps.js';
import type { Logger, LogFields } from '../../src/log.js';
import { inMemoryAudit } from './audit.js';
import { inMemoryLedger } from './ledger.js';
import { inMemoryNonces } from './nonces.js';
import { unlimited } from '../../src/http/rate-limit.js';

export const TEST_POLICY = `
pools:
  - name: workers
rules:
  - pool: workers
    provider: aws
    accounts: ["123456789012"]
`;

export const TEST_ENV: ConfigEnv = {
  KUBE_API_SERVER: 'https://kube.example.test:6443',
  KUBE_TOKEN: 'kube-token-for-tests-0123456789',
  CLUSTER_NAME: 'kubernetes',
  PUBLIC_URL: 'https://join.example.test',
  JOIN_POLICY: TEST_POLICY,
  ADMIN_TOKEN: 'admin-token-for-tests-0123456789abcdef',
};

export function testConfig(env: Partial<ConfigEnv> = {}): Config {
  const result = loadConfig({ ...TEST_ENV, ...env });
  if (!result.ok) throw new Error(`test config invalid: ${JSON.stringify(result.issues)}`);
  return result.config;
}

export function fixedClock(at: string | Date): Clock & { set(to: string | Date): void; advance(ms: number): void } {
  let now = new Date(at);
  return {
    now: () => new Date(now),
    set: (to) => (now = new Date(to)),
    advance: (ms) => (now = new Date(now.getTime() + ms)),
  };
}

/** Deterministic bytes (a counter), for tests that assert what randomness produced. */
export function counterRandom(start = 0): Random {
  let next = start;
  return {
    fill(bytes) {
      for (let i = 0; i < bytes.length; i++) bytes[i] = next++ & 0xff;
      return bytes;
    },
  };
}

export interface CapturedLog {
  level: 'info' | 'warn' | 'error';
  event: string;
  fields: LogFields;
}

export function capturingLogger(): Logger & { lines: CapturedLog[]; text(): string } {
  const lines: CapturedLog[] = [];
  const at = (level: CapturedLog['level']) => (event: string, fields: LogFields = {}) => void lines.push({ level, event, fields });
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), text: () => JSON.stringify(lines) };
}

/** An in-memory stand-in for the few calls the broker makes; the emulator covers the real wire. */
export function fakeKube(init: { configMaps?: Record<string, V1ConfigMap> } = {}): KubeApi & {
  secrets: Map<string, V1Secret>;
  configMaps: Map<string, V1ConfigMap>;
  nodes: Map<string, V1Node>;
  /** CertificateSigningRequests by name; `updateCertificateSigningRequestApproval` checks resourceVersion like the API server. */
  csrs: Map<string, V1CertificateSigningRequest>;
  failWith?: KubeApiError | undefined;
} {
  const secrets = new Map<string, V1Secret>();
  const configMaps = new Map(Object.entries(init.configMaps ?? {}));
  const nodes = new Map<string, V1Node>();
  const csrs = new Map<string, V1CertificateSigningRequest>();
  let uids = 0;
  // Equality selectors only (`k=v,k2=v2`): the broker uses no other kind.
  const matches = (secret: V1Secret, selector: string | undefined) =>
    selector === undefined ||
    selector.split(',').every((term) => {
      const [key, value] = term.split('=');
      return secret.metadata?.labels?.[key!] === value;
    });
  const fake = {
    secrets,
    configMaps,
    nodes,
    csrs,
    failWith: undefined as KubeApiError | undefined,
    check(operation: string) {
      if (fake.failWith) throw fake.failWith;
      void operation;
    },
    async getConfigMap(namespace: string, name: string) {
      fake.check('get configmap');
      const found = configMaps.get(`${namespace}/${name}`);
      if (!found) throw new KubeApiError('get configmap', 'status', 404, 'NotFound');
      return found;
    },
    async createSecret(namespace: string, secret: V1Secret) {
      fake.check('create secret');
      const key = `${namespace}/${secret.metadata?.name}`;
      if (secrets.has(key)) throw new KubeApiError('create secret', 'status', 409, 'AlreadyExists');
      const stored = { ...secret, metadata: { ...secret.metadata, namespace, uid: `uid-${++uids}` } };
      secrets.set(key, stored);
      return stored;
    },
    async getSecret(namespace: string, name: string) {
      fake.check('get secret');
      return secrets.get(`${namespace}/${name}`);
    },
    async listSecrets(namespace: string, options: { labelSelector?: string } = {}) {
      fake.check('list secrets');
      return [...secrets.entries()].filter(([key, s]) => key.startsWith(`${namespace}/`) && matches(s, options.labelSelector)).map(([, s]) => s);
    },
    async deleteSecret(namespace: string, name: string, preconditions?: { uid?: string }) {
      fake.check('delete secret');
      const found = secrets.get(`${namespace}/${name}`);
      if (found === undefined || (preconditions?.uid !== undefined && found.metadata?.uid !== preconditions.uid)) return false;
      return secrets.delete(`${namespace}/${name}`);
    },
    async getNode(name: string) {
      fake.check('get node');
      return nodes.get(name);
    },
    async listCertificateSigningRequests() {
      fake.check('list certificatesigningrequests');
      return [...csrs.values()].map((csr) => structuredClone(csr));
    },
    async getCertificateSigningRequest(name: string) {
      fake.check('get certificatesigningrequest');
      const found = csrs.get(name);
      return found === undefined ? undefined : structuredClone(found);
    },
    async updateCertificateSigningRequestApproval(csr: V1CertificateSigningRequest) {
      fake.check('update certificatesigningrequest approval');
      const name = csr.metadata?.name ?? '';
      const stored = csrs.get(name);
      if (stored === undefined || stored.metadata?.resourceVersion !== csr.metadata?.resourceVersion) return undefined;
      const updated = structuredClone(stored);
      updated.metadata = { ...updated.metadata, resourceVersion: String(Number(stored.metadata?.resourceVersion ?? '0') + 1) };
      updated.status = { ...updated.status, conditions: structuredClone(csr.status?.conditions ?? []) };
      csrs.set(name, updated);
      return structuredClone(updated);
    },
    async deleteNode(name: string, preconditions?: { uid?: string }) {
      fake.check('delete node');
      const found = nodes.get(name);
      if (found === undefined || (preconditions?.uid !== undefined && found.metadata?.uid !== preconditions.uid)) return false;
      return nodes.delete(name);
    },
  };
  return fake;
}

export function fakeDeps(overrides: Partial<Deps> = {}): Deps {
  return {
    config: testConfig(),
    clock: fixedClock('2026-11-30T12:00:00Z'),
    random: counterRandom(),
    fetch: async () => new Response('fake fetch: no network in unit tests', { status: 599 }),
    kube: fakeKube(),
    ledger: inMemoryLedger(),
    audit: inMemoryAudit(),
    rateLimits: { byAddress: unlimited, byIdentity: unlimited },
    log: capturingLogger(),
    nonces: inMemoryNonces(),
    ...overrides,
  };
}
