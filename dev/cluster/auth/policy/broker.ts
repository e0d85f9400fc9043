/**
 * Least-privilege RBAC for the join broker's ServiceAccount — the one definition the emulator
 * preloads and the project's `setup` CLI can install into a real cluster.
 *
 * What the broker does and why it needs it:
 * - mint and revoke bootstrap tokens: `create`, `get`, `list`, `delete` on Secrets in kube-system.
 *   RBAC cannot restrict `create` by name or by Secret type (website rbac.md), so this grants those
 *   verbs on every Secret in kube-system: the blast radius of a leaked broker credential.
 * - read the CA: `get` ConfigMap kube-public/cluster-info (anonymous can too).
 * - approve node-bound CSRs (issue 9): read and watch CSRs, `update` certificatesigningrequests/approval,
 *   and `approve` on the two kubelet signers only.
 * - lifecycle clean-up: `get` and `delete` Nodes.
 */
import type {
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1PolicyRule,
  V1Role,
  V1RoleBinding,
  V1ServiceAccount,
} from '@kubernetes/client-node';

const RBAC = 'rbac.authorization.k8s.io';

export interface BrokerRbacOptions {
  /** Namespace of the broker's ServiceAccount; bootstrap-token Secrets always live in kube-system. */
  readonly namespace?: string;
  readonly serviceAccountName?: string;
}

export interface BrokerRbac {
  readonly serviceAccount: V1ServiceAccount;
  readonly roles: readonly V1Role[];
  readonly roleBindings: readonly V1RoleBinding[];
  readonly clusterRole: V1ClusterRole;
  readonly clusterRoleBinding: V1ClusterRoleBinding;
}

export const BROKER_SECRET_RULES: readonly V1PolicyRule[] = [{ apiGroups: [''], resources: ['secrets'], verbs: ['create', 'get', 'list', 'delete'] }];
export const BROKER_CLUSTER_INFO_RULES: readonly V1PolicyRule[] = [
  { apiGroups: [''], resources: ['configmaps'], resourceNames: ['cluster-info'], verbs: ['get'] },
];
export const BROKER_CLUSTER_RULES: readonly V1PolicyRule[] = [
  { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'], verbs: ['update'] },
  {
    apiGroups: ['certificates.k8s.io'],
    resources: ['signers'],
    resourceNames: ['kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kubelet-serving'],
    verbs: ['approve'],
  },
  { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'delete'] },
];

export function brokerRbac(options: BrokerRbacOptions = {}): BrokerRbac {
  const namespace = options.namespace ?? 'kube-system';
  const name = options.serviceAccountName ?? 'kube-join-broker';
  const labels = { 'app.kubernetes.io/name': 'kube-join-broker' };
  const subject = { kind: 'ServiceAccount', name, namespace };
  const role = (ns: string, roleName: string, rules: readonly V1PolicyRule[]): V1Role => ({
    apiVersion: `${RBAC}/v1`,
    kind: 'Role',
    metadata: { name: roleName, namespace: ns, labels },
    rules: structuredClone([...rules]),
  });
  const binding = (ns: string, roleName: string): V1RoleBinding => ({
    apiVersion: `${RBAC}/v1`,
    kind: 'RoleBinding',
    metadata: { name: roleName, namespace: ns, labels },
    roleRef: { apiGroup: RBAC, kind: 'Role', name: roleName },
    subjects: [subject],
  });
  return {
    serviceAccount: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, labels } },
    roles: [role('kube-system', name, BROKER_SECRET_RULES), role('kube-public', `${name}:cluster-info`, BROKER_CLUSTER_INFO_RULES)],
    roleBindings: [binding('kube-system', name), binding('kube-public', `${name}:cluster-info`)],
    clusterRole: { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name, labels }, rules: structuredClone([...BROKER_CLUSTER_RULES]) },
    clusterRoleBinding: {
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRoleBinding',
      metadata: { name, labels },
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name },
      subjects: [subject],
    },
  };
}

/** All objects in install order (ServiceAccount, Roles, RoleBindings, ClusterRole, ClusterRoleBinding). */
export function brokerRbacManifests(options: BrokerRbacOptions = {}): (V1ServiceAccount | V1Role | V1RoleBinding | V1ClusterRole | V1ClusterRoleBinding)[] {
  const r = brokerRbac(options);
  return [r.serviceAccount, ...r.roles, ...r.roleBindings, r.clusterRole, r.clusterRoleBinding];
}
