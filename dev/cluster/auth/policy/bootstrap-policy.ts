/**
 * The API server's built-in ClusterRoles and ClusterRoleBindings that matter here,
 * plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go (ClusterRoles(), ClusterRoleBindings()).
 * Aggregated roles (admin/edit/view) and controller roles are left out.
 */
import type { V1ClusterRole, V1ClusterRoleBinding } from '@kubernetes/client-node';

const RBAC = 'rbac.authorization.k8s.io';
const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const AUTOUPDATE = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };

const clusterRole = (name: string, rules: V1ClusterRole['rules']): V1ClusterRole => ({
  apiVersion: `${RBAC}/v1`,
  kind: 'ClusterRole',
  metadata: { name, labels: BOOTSTRAP_LABELS, annotations: AUTOUPDATE },
  rules,
});

const groupBinding = (name: string, role: string, groups: string[]): V1ClusterRoleBinding => ({
  apiVersion: `${RBAC}/v1`,
  kind: 'ClusterRoleBinding',
  metadata: { name, labels: BOOTSTRAP_LABELS, annotations: AUTOUPDATE },
  roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: role },
  subjects: groups.map((g) => ({ apiGroup: RBAC, kind: 'Group', name: g })),
});

const signerApprover = (name: string, signer: string): V1ClusterRole =>
  clusterRole(name, [{ apiGroups: ['certificates.k8s.io'], resources: ['signers'], resourceNames: [signer], verbs: ['approve'] }]);

export const BUILTIN_CLUSTER_ROLES: readonly V1ClusterRole[] = [
  clusterRole('cluster-admin', [
    { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
    { nonResourceURLs: ['*'], verbs: ['*'] },
  ]),
  clusterRole('system:discovery', [
    {
      nonResourceURLs: ['/livez', '/readyz', '/healthz', '/version', '/version/', '/openapi', '/openapi/*', '/api', '/api/*', '/apis', '/apis/*'],
      verbs: ['get'],
    },
  ]),
  clusterRole('system:basic-user', [
    { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
    { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
  ]),
  clusterRole('system:public-info-viewer', [
    { nonResourceURLs: ['/livez', '/readyz', '/healthz', '/version', '/version/'], verbs: ['get'] },
  ]),
  clusterRole('system:node-bootstrapper', [
    { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['create', 'get', 'list', 'watch'] },
  ]),
  clusterRole('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [
    { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/nodeclient'], verbs: ['create'] },
  ]),
  clusterRole('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [
    { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/selfnodeclient'], verbs: ['create'] },
  ]),
  signerApprover('system:certificates.k8s.io:kube-apiserver-client-approver', 'kubernetes.io/kube-apiserver-client'),
  signerApprover('system:certificates.k8s.io:kube-apiserver-client-kubelet-approver', 'kubernetes.io/kube-apiserver-client-kubelet'),
  signerApprover('system:certificates.k8s.io:kubelet-serving-approver', 'kubernetes.io/kubelet-serving'),
];

export const BUILTIN_CLUSTER_ROLE_BINDINGS: readonly V1ClusterRoleBinding[] = [
  groupBinding('cluster-admin', 'cluster-admin', ['system:masters']),
  groupBinding('system:discovery', 'system:discovery', ['system:authenticated']),
  groupBinding('system:basic-user', 'system:basic-user', ['system:authenticated']),
  groupBinding('system:public-info-viewer', 'system:public-info-viewer', ['system:authenticated', 'system:unauthenticated']),
];
