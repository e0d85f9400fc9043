/**
 * Kubernetes API emulator — a DEVELOPMENT AND TEST TOOL of kube-join-broker, never a production
 * dependency. The Worker (src/) must not import anything from dev/.
 *
 * `startCluster()` runs an in-process stand-in for kube-apiserver plus the kube-controller-manager
 * controllers the join flow depends on, reproducing the behaviour documented in
 * shared/kubernetes/SEMANTICS.md: HTTPS with a generated cluster CA, Secrets/ConfigMaps/CSRs/Nodes/
 * RBAC objects, the bootstrap-token authenticator, RBAC, bootstrapsigner, tokencleaner,
 * csrapprover and csrsigner, metav1.Status errors, watch, and switchable faults. See README.md.
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { Authenticator } from './auth/authn/authenticator.js';
import { ServiceAccountTokens } from './auth/authn/serviceaccount-token.js';
import { NodeAuthorizer } from './auth/authz/node.js';
import { RbacAuthorizer } from './auth/authz/rbac.js';
import { UnionAuthorizer } from './auth/authz/union.js';
import { BUILTIN_CLUSTER_ROLE_BINDINGS, BUILTIN_CLUSTER_ROLES } from './auth/policy/bootstrap-policy.js';
import { brokerRbacManifests } from './auth/policy/broker.js';
import {
  KUBEADM_CLUSTER_ROLE_BINDINGS,
  KUBEADM_CLUSTER_ROLES,
  KUBEADM_ROLE_BINDINGS,
  KUBEADM_ROLES,
  kubeadmConfigMaps,
} from './auth/policy/kubeadm.js';
import { serviceAccountGroups, serviceAccountUsername, type UserInfo } from './auth/user.js';
import { type Clock, SystemClock } from './clock.js';
import { type Controllers, ControllerManager } from './controllers/manager.js';
import { DEFAULT_CLUSTER_SIGNING_DURATION_MS } from './controllers/csrsigner.js';
import { startTokensController } from './controllers/tokens.js';
import { clusterInfoKubeconfig, renderKubeconfig } from './kubeconfig.js';
import { ClusterCA } from './pki/ca.js';
import { ApiCore, CONTROLLER_USER } from './registry/api.js';
import { ALL_KINDS, Registry } from './registry/index.js';
import { serviceAccountKind, serviceAccountKindWithTokens } from './registry/kinds/serviceaccount.js';
import { apiVersionOf } from './registry/types.js';
import { defaultFaults, Faults, type FaultSettings } from './server/faults.js';
import { createHandler, type RequestLogEntry } from './server/handler.js';
import { listen } from './server/http-server.js';
import { ObjectStore } from './storage/store.js';

export interface ClusterOptions {
  /** TCP port; 0 (the default here) picks a free one. `npm run cluster` uses 6443. */
  readonly port?: number;
  /** Listen address, default 127.0.0.1. */
  readonly host?: string;
  /** Where ca.crt, ca.key, admin.kubeconfig, broker.token, … go. Default `.dev/` under the cwd. */
  readonly stateDir?: string;
  /** HTTPS with the cluster CA (default true); false serves plain HTTP (unit tests). */
  readonly tls?: boolean;
  /** Time source for expiry, signing and timestamps. Default: wall time (movable through the control endpoint). */
  readonly clock?: Clock;
  /** bootstrapsigner delay between a trigger and its pass, ms (default 0). */
  readonly bootstrapSignerDelayMs?: number;
  /** Wall-clock resync period of the controllers, ms (default 1000; 0 disables). */
  readonly resyncIntervalMs?: number;
  /** Static admin token (user kubernetes-admin, group system:masters). Default: random per start. */
  readonly adminToken?: string;
  /** Static token of ServiceAccount kube-system/kube-join-broker. Default: random per start. */
  readonly brokerToken?: string;
  /** --cluster-signing-duration, ms (default one year). */
  readonly clusterSigningDurationMs?: number;
  /** Faults switched on from the start. */
  readonly faults?: Partial<FaultSettings>;
  /** Entries kept in the request log (default 10 000). */
  readonly requestLogLimit?: number;
  /**
   * Preload the broker's ServiceAccount and least-privilege RBAC (cli/setup/rbac.ts), as if
   * `setup` had run (default true). With false the cluster is as `kubeadm init` leaves it, the
   * broker token authenticates but is authorized for nothing: what `setup` is tested against.
   */
  readonly seedBrokerRbac?: boolean;
  /** Called with controller errors (default: ignored). */
  readonly onControllerError?: (controller: string, key: string, err: unknown) => void;
}

export interface ClusterHandle {
  /** `https://127.0.0.1:<port>` (or `http://…`). */
  readonly url: string;
  readonly port: number;
  /** The cluster CA certificate (PEM) and its file. */
  readonly caPem: string;
  readonly caPath: string;
  readonly stateDir: string;
  readonly adminToken: string;
  readonly brokerToken: string;
  readonly adminKubeconfigPath: string;
  readonly brokerKubeconfigPath: string;
  readonly brokerTokenPath: string;
  /** The exact `kubeconfig` bytes published in kube-public/cluster-info. */
  readonly clusterInfoKubeconfig: string;
  readonly clock: Clock;
  /** Fault switches: `faults.set({ maxInFlight: 2 })`, `faults.reset()`. */
  readonly faults: Faults;
  /** The object store (for assertions; write through the API). */
  readonly store: ObjectStore;
  /** The generic API (what the HTTP layer calls after authorization). */
  readonly api: ApiCore;
  readonly ca: ClusterCA;
  readonly controllers: Controllers;
  /** Request log: method, path, user, verb, status. */
  readonly requests: readonly RequestLogEntry[];
  clearRequests(): void;
  stop(): Promise<void>;
}

export const BROKER_SERVICE_ACCOUNT = { namespace: 'kube-system', name: 'kube-join-broker' } as const;
export const ADMIN_USER = 'kubernetes-admin';

const randomToken = (): string => randomBytes(32).toString('base64url');

export async function startCluster(options: ClusterOptions = {}): Promise<ClusterHandle> {
  const host = options.host ?? '127.0.0.1';
  const tls = options.tls ?? true;
  const stateDir = resolve(options.stateDir ?? join(process.cwd(), '.dev'));
  mkdirSync(stateDir, { recursive: true });
  const clock = options.clock ?? new SystemClock();
  const ca = await ClusterCA.loadOrCreate(stateDir, clock.now());
  const caPath = join(stateDir, 'ca.crt');
  writeFileSync(caPath, ca.certPem);

  const adminToken = options.adminToken ?? randomToken();
  const brokerToken = options.brokerToken ?? randomToken();
  const staticUsers = new Map<string, UserInfo>([
    [adminToken, { name: ADMIN_USER, groups: ['system:masters'] }],
    [
      brokerToken,
      {
        name: serviceAccountUsername(BROKER_SERVICE_ACCOUNT.namespace, BROKER_SERVICE_ACCOUNT.name),
        uid: randomUUID(),
        groups: serviceAccountGroups(BROKER_SERVICE_ACCOUNT.namespace),
      },
    ],
  ]);

  const store = new ObjectStore();
  const authorizer = new UnionAuthorizer([new NodeAuthorizer(), new RbacAuthorizer(store)]);
  const serviceAccountTokens = new ServiceAccountTokens(store, clock);
  const registry = new Registry(ALL_KINDS.map((k) => (k === serviceAccountKind ? serviceAccountKindWithTokens(serviceAccountTokens) : k)));
  const api = new ApiCore(store, authorizer, clock, registry);
  const seed = (obj: { apiVersion?: string; kind?: string; metadata?: { namespace?: string } }): void => {
    const [group, version] = obj.apiVersion!.includes('/') ? obj.apiVersion!.split('/') : ['', obj.apiVersion!];
    const kind = api.registry.byKind(group!, obj.kind!);
    if (!kind || apiVersionOf(kind) !== `${group ? `${group}/` : ''}${version}`) throw new Error(`seed: unknown kind ${obj.apiVersion} ${obj.kind}`);
    api.create(kind, obj.metadata?.namespace, obj, CONTROLLER_USER);
  };
  for (const ns of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } as never);
  for (const o of [...BUILTIN_CLUSTER_ROLES, ...BUILTIN_CLUSTER_ROLE_BINDINGS, ...KUBEADM_CLUSTER_ROLES, ...KUBEADM_CLUSTER_ROLE_BINDINGS]) seed(o);
  for (const o of [...KUBEADM_ROLES, ...KUBEADM_ROLE_BINDINGS]) seed(o);
  if (options.seedBrokerRbac ?? true) {
    for (const o of brokerRbacManifests({ namespace: BROKER_SERVICE_ACCOUNT.namespace, serviceAccountName: BROKER_SERVICE_ACCOUNT.name })) seed(o);
  }

  const faults = new Faults({ ...defaultFaults(options.bootstrapSignerDelayMs ?? 0), ...(options.faults ?? {}) });
  const controllers = new ControllerManager(api, ca, {
    bootstrapSignerDelayMs: () => faults.current.jwsDelayMs,
    resyncIntervalMs: options.resyncIntervalMs ?? 1000,
    clusterSigningDurationMs: options.clusterSigningDurationMs ?? DEFAULT_CLUSTER_SIGNING_DURATION_MS,
    onError: options.onControllerError,
  });
  const authenticator = new Authenticator(staticUsers, store, clock, ca, serviceAccountTokens);
  const requestLog: RequestLogEntry[] = [];
  let serverAddress = `${host}:${options.port ?? 0}`;
  const handler = createHandler({
    api,
    authenticator,
    faults,
    clock,
    controllers,
    adminToken,
    serverAddress: () => serverAddress,
    requestLog,
    requestLogLimit: options.requestLogLimit ?? 10_000,
    flowSchemaUid: randomUUID(),
    priorityLevelUid: randomUUID(),
  });

  const extraNames = host && !isIP(host) && host !== 'localhost' ? [host] : [];
  const extraIps = isIP(host) && !['127.0.0.1', '::1', '0.0.0.0', '::'].includes(host) ? [host] : [];
  const serving = tls
    ? await ca.issueServingCertificate(
        ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', ...extraNames],
        ['127.0.0.1', '::1', '10.96.0.1', ...extraIps],
      )
    : undefined;
  const listening = await listen({
    host,
    port: options.port ?? 0,
    tls: serving ? { certPem: serving.certPem, keyPem: serving.keyPem, caPem: ca.certPem } : undefined,
    refuseConnections: () => faults.current.unavailable === 'refuse',
    handler,
  });
  const urlHost = isIP(host) === 6 ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  serverAddress = `${urlHost}:${listening.port}`;
  const url = `${tls ? 'https' : 'http'}://${serverAddress}`;

  // kubeadm's upload-config and bootstrap-token phases, now that the endpoint is known.
  for (const cm of kubeadmConfigMaps(serverAddress)) seed(cm);
  const clusterInfo = clusterInfoKubeconfig(url, tls ? ca.certPem : undefined);
  seed({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-info', namespace: 'kube-public' }, data: { kubeconfig: clusterInfo } } as never);

  const adminKubeconfigPath = join(stateDir, 'admin.kubeconfig');
  const brokerKubeconfigPath = join(stateDir, 'broker.kubeconfig');
  const brokerTokenPath = join(stateDir, 'broker.token');
  const caForKubeconfig = tls ? ca.certPem : undefined;
  writeFileSync(adminKubeconfigPath, renderKubeconfig({ server: url, caPem: caForKubeconfig, user: { name: ADMIN_USER, token: adminToken } }), { mode: 0o600 });
  writeFileSync(
    brokerKubeconfigPath,
    renderKubeconfig({ server: url, caPem: caForKubeconfig, user: { name: BROKER_SERVICE_ACCOUNT.name, token: brokerToken } }),
    { mode: 0o600 },
  );
  writeFileSync(brokerTokenPath, `${brokerToken}\n`, { mode: 0o600 });
  writeFileSync(join(stateDir, 'admin.token'), `${adminToken}\n`, { mode: 0o600 });

  controllers.start();
  const stopTokensController = startTokensController(api, serviceAccountTokens, ca.certPem);

  let stopped = false;
  return {
    url,
    port: listening.port,
    caPem: ca.certPem,
    caPath,
    stateDir,
    adminToken,
    brokerToken,
    adminKubeconfigPath,
    brokerKubeconfigPath,
    brokerTokenPath,
    clusterInfoKubeconfig: clusterInfo,
    clock,
    faults,
    store,
    api,
    ca,
    controllers,
    requests: requestLog,
    clearRequests: () => {
      requestLog.length = 0;
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      controllers.stop();
      stopTokensController();
      await listening.close();
    },
  };
}

export { ManualClock, SystemClock, type Clock } from './clock.js';
export { brokerRbac, brokerRbacManifests, type BrokerRbac, type BrokerRbacOptions } from './auth/policy/broker.js';
export { computeDetachedSignature, detachedTokenIsValid } from './bootstrap/jws.js';
export { pinForCertificate, parsePin } from './pki/pubkeypin.js';
export { generateBootstrapToken } from './bootstrap/token.js';
export type { FaultSettings } from './server/faults.js';
export type { RequestLogEntry } from './server/handler.js';
export type { Controllers } from './controllers/manager.js';
