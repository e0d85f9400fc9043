/**
 * Installs objects idempotently with @kubernetes/client-node's full client: create; on 409 read
 * the object, compare what setup owns (reconcile.ts) and replace only when it differs (a binding
 * whose immutable roleRef differs is deleted and created again). Each object is reported as
 * created, updated or unchanged.
 */
import {
  ApiException,
  CoreV1Api,
  RbacAuthorizationV1Api,
  type KubeConfig,
  type V1ClusterRole,
  type V1ClusterRoleBinding,
  type V1Role,
  type V1RoleBinding,
  type V1Secret,
  type V1ServiceAccount,
} from '@kubernetes/client-node';
import { ClusterError } from '../exit-codes.js';
import { reconcile, type ObjectLike } from './reconcile.js';

export type ManagedObject = V1ServiceAccount | V1Role | V1RoleBinding | V1ClusterRole | V1ClusterRoleBinding | V1Secret;

export interface ApplyResult {
  readonly object: string;
  readonly action: 'created' | 'updated' | 'unchanged';
  /** What changed, for `updated`. */
  readonly detail?: string;
}

interface KindOps {
  create(o: ManagedObject): Promise<unknown>;
  read(o: ManagedObject): Promise<ObjectLike>;
  replace(o: ManagedObject): Promise<unknown>;
  remove(o: ManagedObject): Promise<unknown>;
}

export interface ClusterClients {
  readonly core: CoreV1Api;
  readonly rbac: RbacAuthorizationV1Api;
}

export function clusterClients(kubeConfig: KubeConfig): ClusterClients {
  return { core: kubeConfig.makeApiClient(CoreV1Api), rbac: kubeConfig.makeApiClient(RbacAuthorizationV1Api) };
}

export const describeObject = (o: ObjectLike): string =>
  `${o.kind ?? '?'} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name ?? '?'}`;

function opsFor(clients: ClusterClients, kind: string | undefined): KindOps {
  const { core, rbac } = clients;
  const ns = (o: ManagedObject): string => o.metadata?.namespace ?? '';
  const name = (o: ManagedObject): string => o.metadata?.name ?? '';
  switch (kind) {
    case 'ServiceAccount':
      return {
        create: (o) => core.createNamespacedServiceAccount({ namespace: ns(o), body: o as V1ServiceAccount }),
        read: (o) => core.readNamespacedServiceAccount({ namespace: ns(o), name: name(o) }) as Promise<ObjectLike>,
        replace: (o) => core.replaceNamespacedServiceAccount({ namespace: ns(o), name: name(o), body: o as V1ServiceAccount }),
        remove: (o) => core.deleteNamespacedServiceAccount({ namespace: ns(o), name: name(o) }),
      };
    case 'Secret':
      return {
        create: (o) => core.createNamespacedSecret({ namespace: ns(o), body: o as V1Secret }),
        read: (o) => core.readNamespacedSecret({ namespace: ns(o), name: name(o) }) as Promise<ObjectLike>,
        replace: (o) => core.replaceNamespacedSecret({ namespace: ns(o), name: name(o), body: o as V1Secret }),
        remove: (o) => core.deleteNamespacedSecret({ namespace: ns(o), name: name(o) }),
      };
    case 'Role':
      return {
        create: (o) => rbac.createNamespacedRole({ namespace: ns(o), body: o as V1Role }),
        read: (o) => rbac.readNamespacedRole({ namespace: ns(o), name: name(o) }) as Promise<ObjectLike>,
        replace: (o) => rbac.replaceNamespacedRole({ namespace: ns(o), name: name(o), body: o as V1Role }),
        remove: (o) => rbac.deleteNamespacedRole({ namespace: ns(o), name: name(o) }),
      };
    case 'RoleBinding':
      return {
        create: (o) => rbac.createNamespacedRoleBinding({ namespace: ns(o), body: o as V1RoleBinding }),
        read: (o) => rbac.readNamespacedRoleBinding({ namespace: ns(o), name: name(o) }) as Promise<ObjectLike>,
        replace: (o) => rbac.replaceNamespacedRoleBinding({ namespace: ns(o), name: name(o), body: o as V1RoleBinding }),
        remove: (o) => rbac.deleteNamespacedRoleBinding({ namespace: ns(o), name: name(o) }),
      };
    case 'ClusterRole':
      return {
        create: (o) => rbac.createClusterRole({ body: o as V1ClusterRole }),
        read: (o) => rbac.readClusterRole({ name: name(o) }) as Promise<ObjectLike>,
        replace: (o) => rbac.replaceClusterRole({ name: name(o), body: o as V1ClusterRole }),
        remove: (o) => rbac.deleteClusterRole({ name: name(o) }),
      };
    case 'ClusterRoleBinding':
      return {
        create: (o) => rbac.createClusterRoleBinding({ body: o as V1ClusterRoleBinding }),
        read: (o) => rbac.readClusterRoleBinding({ name: name(o) }) as Promise<ObjectLike>,
        replace: (o) => rbac.replaceClusterRoleBinding({ name: name(o), body: o as V1ClusterRoleBinding }),
        remove: (o) => rbac.deleteClusterRoleBinding({ name: name(o) }),
      };
    default:
      throw new Error(`setup cannot install kind ${String(kind)}`);
  }
}

/** The HTTP status of a client-node failure, or undefined for a transport error. */
export const statusOf = (error: unknown): number | undefined => (error instanceof ApiException ? error.code : undefined);

/** A human line for a failed API call: the Status message when there is one, never a credential. */
export function explainApiError(action: string, error: unknown): ClusterError {
  if (error instanceof ApiException) {
    let message = '';
    try {
      const body: unknown = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
      if (typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string') message = (body as { message: string }).message;
    } catch {
      // Not a Status object: the code says enough.
    }
    const hint =
      error.code === 401
        ? ' (the kubeconfig credentials were refused)'
        : error.code === 403
          ? ' (setup needs a cluster administrator: it creates RBAC objects)'
          : '';
    return new ClusterError(`${action}: HTTP ${error.code}${message ? `: ${message}` : ''}${hint}`);
  }
  const cause = error instanceof Error ? ((error as Error & { cause?: { code?: string } }).cause?.code ?? error.message) : String(error);
  return new ClusterError(`${action}: ${cause}`);
}

export async function applyObject(clients: ClusterClients, desired: ManagedObject): Promise<ApplyResult> {
  const ops = opsFor(clients, desired.kind);
  const label = describeObject(desired);
  for (let attempt = 1; ; attempt++) {
    try {
      await ops.create(desired);
      return { object: label, action: 'created' };
    } catch (error) {
      if (statusOf(error) !== 409) throw explainApiError(`create ${label}`, error);
    }
    let existing: ObjectLike;
    try {
      existing = await ops.read(desired);
    } catch (error) {
      // Deleted between our create and read: create again.
      if (statusOf(error) === 404 && attempt < 3) continue;
      throw explainApiError(`read ${label}`, error);
    }
    const change = reconcile(desired as ObjectLike, existing);
    switch (change.action) {
      case 'unchanged':
        return { object: label, action: 'unchanged' };
      case 'conflict':
        throw new ClusterError(`${label} already exists and setup will not take it over: ${change.reason}. Delete it, or choose another name.`);
      case 'recreate':
        try {
          await ops.remove(desired);
          await ops.create(desired);
        } catch (error) {
          throw explainApiError(`recreate ${label}`, error);
        }
        return { object: label, action: 'updated', detail: `recreated: ${change.reason}` };
      case 'update':
        try {
          await ops.replace(change.merged as ManagedObject);
          return { object: label, action: 'updated', detail: change.fields.join(', ') };
        } catch (error) {
          // Someone else changed it between our read and replace: read and compare again.
          if (statusOf(error) === 409 && attempt < 3) continue;
          throw explainApiError(`update ${label}`, error);
        }
    }
  }
}
