/**
 * What `setup` installs in a cluster: the broker's ServiceAccount and its least-privilege RBAC,
 * and the RBAC a pool's custom `auth-extra-groups` need for `kubeadm join`. The one definition:
 * the Kubernetes API emulator (dev/cluster) preloads `brokerRbacManifests()` unless told not to.
 *
 * What the broker does and why it needs each grant (shared/kubernetes/SEMANTICS.md §5):
 * - mint and revoke bootstrap tokens: `create`, `get`, `list`, `delete` on Secrets in kube-system.
 *   RBAC cannot restrict `create` by name ("the name of the new object may not be known at
 *   authorization time", website rbac.md) nor any verb by Secret `type`, so this grants those
 *   verbs on every Secret in kube-system: the blast radius of a leaked broker credential is
 *   reading, creating and deleting any Secret there (including other ServiceAccounts' tokens).
 * - read the CA: `get` ConfigMap kube-public/cluster-info (anonymous can too on kubeadm clusters).
 * - approve node-bound CSRs: read and watch CSRs, `update` certificatesigningrequests/approval,
 *   and `approve` on the two kubelet signers only (never kube-apiserver-client).
 * - lifecycle clean-up: `get` and `delete` Nodes (no list: the ledger knows the name).
 */
import type {
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1PolicyRule,
  V1Role,
  V1RoleBinding,
  V1ServiceAccount,
  RbacV1Subject,
} from '@kubernetes/client-node';
import { BOOTSTRAP_GROUP_PATTERN } from '../../src/policy/kubernetes-names.js';
import { brokerApprovalGroup, DEFAULT_AUTH_EXTRA_GROUP } from '../../src/policy/schema.js';

const RBAC = 'rbac.authorization.k8s.io';
export const DEFAULT_NAMESPACE = 'kube-system';
export const DEFAULT_SERVICE_ACCOUNT = 'kube-join-broker';
/** Bootstrap-token Secrets always live in kube-system, whatever the ServiceAccount's namespace. */
export const TOKEN_NAMESPACE = 'kube-system';
/**
 * Marks what setup installed. Deliberately not `app.kubernetes.io/managed-by=kube-join-broker`:
 * that label selects the broker's minted bootstrap tokens (src/cluster/mint.ts), which the admin
 * API lists and revokes; the ServiceAccount's own token Secret must never match it.
 */
export const SETUP_LABELS: Readonly<Record<string, string>> = Object.freeze({ 'app.kubernetes.io/name': 'kube-join-broker' });

export const BROKER_SECRET_RULES: readonly V1PolicyRule[] = [{ apiGroups: [''], resources: ['secrets'], verbs: ['create', 'get', 'list', 'delete'] }];
export const BROKER_CLUSTER_INFO_RULES: readonly V1PolicyRule[] = [
  { apiGroups: [''], resources: ['configmaps'], resourceNames: ['cluster-info'], verbs: ['get'] },
];
/** The cluster-scoped grants, one rule per purpose, in the ClusterRole named like the ServiceAccount. */
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

export interface BrokerRbacOptions {
  /** Namespace of the broker's ServiceAccount (default kube-system). */
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

export type RbacObject = V1ServiceAccount | V1Role | V1RoleBinding | V1ClusterRole | V1ClusterRoleBinding;

/** One object setup installs, with the reason it exists (printed in plans and dry runs). */
export interface PlannedObject {
  readonly object: RbacObject;
  readonly purpose: string;
}

const role = (namespace: string, name: string, rules: readonly V1PolicyRule[]): V1Role => ({
  apiVersion: `${RBAC}/v1`,
  kind: 'Role',
  metadata: { name, namespace, labels: { ...SETUP_LABELS } },
  rules: structuredClone([...rules]),
});

const roleBinding = (namespace: string, name: string, roleName: string, subjects: RbacV1Subject[]): V1RoleBinding => ({
  apiVersion: `${RBAC}/v1`,
  kind: 'RoleBinding',
  metadata: { name, namespace, labels: { ...SETUP_LABELS } },
  roleRef: { apiGroup: RBAC, kind: 'Role', name: roleName },
  subjects,
});

const clusterRoleBinding = (name: string, clusterRoleName: string, subjects: RbacV1Subject[]): V1ClusterRoleBinding => ({
  apiVersion: `${RBAC}/v1`,
  kind: 'ClusterRoleBinding',
  metadata: { name, labels: { ...SETUP_LABELS } },
  roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: clusterRoleName },
  subjects,
});

export function brokerRbac(options: BrokerRbacOptions = {}): BrokerRbac {
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const name = options.serviceAccountName ?? DEFAULT_SERVICE_ACCOUNT;
  const subject = (): RbacV1Subject => ({ kind: 'ServiceAccount', name, namespace });
  const clusterInfoName = `${name}:cluster-info`;
  return {
    serviceAccount: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, labels: { ...SETUP_LABELS } } },
    roles: [role(TOKEN_NAMESPACE, name, BROKER_SECRET_RULES), role('kube-public', clusterInfoName, BROKER_CLUSTER_INFO_RULES)],
    roleBindings: [roleBinding(TOKEN_NAMESPACE, name, name, [subject()]), roleBinding('kube-public', clusterInfoName, clusterInfoName, [subject()])],
    clusterRole: { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name, labels: { ...SETUP_LABELS } }, rules: structuredClone([...BROKER_CLUSTER_RULES]) },
    clusterRoleBinding: clusterRoleBinding(name, name, [subject()]),
  };
}

/** All objects in install order (ServiceAccount, Roles, RoleBindings, ClusterRole, ClusterRoleBinding). */
export function brokerRbacManifests(options: BrokerRbacOptions = {}): RbacObject[] {
  return brokerPlan(options).map((p) => p.object);
}

/** The broker's objects with their reasons, in install order. */
export function brokerPlan(options: BrokerRbacOptions = {}): PlannedObject[] {
  const r = brokerRbac(options);
  const [secretsRole, clusterInfoRole] = r.roles;
  const [secretsBinding, clusterInfoBinding] = r.roleBindings;
  return [
    { object: r.serviceAccount, purpose: 'the identity the broker (KUBE_TOKEN) acts as' },
    {
      object: secretsRole!,
      purpose:
        'mint and revoke bootstrap tokens: create/get/list/delete Secrets in kube-system. RBAC cannot limit create by name or any verb by Secret type: this reaches every Secret in kube-system (blast radius)',
    },
    { object: clusterInfoRole!, purpose: 'read the cluster CA from kube-public/cluster-info (that ConfigMap only)' },
    { object: secretsBinding!, purpose: 'binds the kube-system Secrets role to the ServiceAccount' },
    { object: clusterInfoBinding!, purpose: 'binds the cluster-info reader to the ServiceAccount' },
    {
      object: r.clusterRole,
      purpose:
        'cluster-scoped grants: read/watch CSRs, update certificatesigningrequests/approval, approve on the kubelet client and kubelet-serving signers only, get/delete Nodes (lifecycle clean-up)',
    },
    { object: r.clusterRoleBinding, purpose: 'binds the cluster-scoped grants to the ServiceAccount' },
  ];
}

export type GroupCheck = { ok: true; groups: string[] } | { ok: false; error: string };

/** Validates `--groups`: each must be a valid bootstrap-token extra group (else the token never authenticates). */
export function checkGroups(groups: readonly string[]): GroupCheck {
  const bad = groups.filter((g) => !BOOTSTRAP_GROUP_PATTERN.test(g));
  if (bad.length > 0) {
    return { ok: false, error: `not a bootstrap-token group: ${bad.map((g) => JSON.stringify(g)).join(', ')} (must match system:bootstrappers:[a-z0-9:-]*[a-z0-9])` };
  }
  return { ok: true, groups: [...new Set(groups)] };
}

/** Validates `--broker-approval-pools`: pool names (DNS-1123 labels, as JOIN_POLICY requires). */
export function checkBrokerApprovalPools(pools: readonly string[], groups: readonly string[]): GroupCheck {
  const bad = pools.filter((p) => !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(p));
  if (bad.length > 0) return { ok: false, error: `not a pool name: ${bad.map((p) => JSON.stringify(p)).join(', ')} (pool names are DNS-1123 labels)` };
  // Listed in --groups too, the group would be bound to nodeclient auto-approval: the very thing broker approval removes.
  const both = pools.filter((p) => groups.includes(brokerApprovalGroup(p)));
  if (both.length > 0) return { ok: false, error: `${both.map((p) => brokerApprovalGroup(p)).join(', ')} must not also be in --groups (that binds it to nodeclient auto-approval)` };
  return { ok: true, groups: [...new Set(pools.map(brokerApprovalGroup))] };
}

/**
 * For each custom group (not kubeadm's default-node-token group, which kubeadm already binds),
 * the bindings `kubeadm init` makes for that group (SEMANTICS §5; kubeadm
 * phases/bootstraptoken/node/tlsbootstrap.go, phases/uploadconfig, phases/kubelet, the kube-proxy
 * addon), so a token carrying only that group can run `kubeadm join`: create CSRs, have the
 * kubelet client CSR auto-approved, read kubeadm-config, kubelet-config and kube-proxy, get Nodes.
 * The Roles and ClusterRoles bound are kubeadm's; on a cluster without them the bindings grant
 * nothing (RBAC allows binding a missing role).
 *
 * With `autoApprove: false` (the groups of `approval: broker` pools, `--broker-approval-pools`)
 * everything but the nodeclient binding: kube-controller-manager then never approves these
 * tokens' kubelet client CSRs, and the broker approves only the CN of the node it minted the
 * token for (src/approval/decide.ts). Without it, any holder of such a token could obtain a
 * client certificate for any node name.
 */
export function groupPlan(groups: readonly string[], options: { autoApprove?: boolean } = {}): PlannedObject[] {
  const autoApprove = options.autoApprove ?? true;
  const planned: PlannedObject[] = [];
  for (const group of groups) {
    if (group === DEFAULT_AUTH_EXTRA_GROUP) continue;
    const suffix = group.slice('system:bootstrappers:'.length);
    const subject = (): RbacV1Subject => ({ apiGroup: RBAC, kind: 'Group', name: group });
    planned.push(
      {
        object: clusterRoleBinding(`kube-join-broker:kubelet-bootstrap:${suffix}`, 'system:node-bootstrapper', [subject()]),
        purpose: `${group}: create and read CSRs (as kubeadm:kubelet-bootstrap does for the default group)`,
      },
      ...(autoApprove
        ? [
            {
              object: clusterRoleBinding(`kube-join-broker:node-autoapprove-bootstrap:${suffix}`, 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', [subject()]),
              purpose: `${group}: kubelet client CSRs auto-approved by the csrapprover (as kubeadm:node-autoapprove-bootstrap)`,
            },
          ]
        : []),
      {
        object: clusterRoleBinding(`kube-join-broker:get-nodes:${suffix}`, 'kubeadm:get-nodes', [subject()]),
        purpose: `${group}: kubeadm join checks the Node name (as kubeadm:get-nodes)`,
      },
      {
        object: roleBinding(TOKEN_NAMESPACE, `kube-join-broker:nodes-kubeadm-config:${suffix}`, 'kubeadm:nodes-kubeadm-config', [subject()]),
        purpose: `${group}: kubeadm join reads kube-system/kubeadm-config`,
      },
      {
        object: roleBinding(TOKEN_NAMESPACE, `kube-join-broker:kubelet-config:${suffix}`, 'kubeadm:kubelet-config', [subject()]),
        purpose: `${group}: kubeadm join reads kube-system/kubelet-config`,
      },
      {
        object: roleBinding(TOKEN_NAMESPACE, `kube-join-broker:kube-proxy:${suffix}`, 'kube-proxy', [subject()]),
        purpose: `${group}: kubeadm join reads kube-system/kube-proxy`,
      },
    );
  }
  return planned;
}
