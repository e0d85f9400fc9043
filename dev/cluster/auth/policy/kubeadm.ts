/**
 * What `kubeadm init` leaves in a cluster for joining nodes (SEMANTICS §5):
 * cmd/kubeadm/app/phases/bootstraptoken/node/tlsbootstrap.go, .../clusterinfo/clusterinfo.go,
 * .../uploadconfig/uploadconfig.go, .../kubelet/config.go and the kube-proxy addon, with names from
 * cmd/kubeadm/app/constants/constants.go. The ConfigMap contents are plausible, not byte-exact.
 */
import type { V1ClusterRole, V1ClusterRoleBinding, V1ConfigMap, V1Role, V1RoleBinding } from '@kubernetes/client-node';
import { KUBEADM_DEFAULT_NODE_TOKEN_GROUP } from '../../bootstrap/token.js';

const RBAC = 'rbac.authorization.k8s.io';
const group = (name: string) => ({ apiGroup: RBAC, kind: 'Group', name });

export const KUBERNETES_VERSION = 'v1.32.4';

export const KUBEADM_CLUSTER_ROLES: readonly V1ClusterRole[] = [
  {
    apiVersion: `${RBAC}/v1`,
    kind: 'ClusterRole',
    metadata: { name: 'kubeadm:get-nodes' },
    rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }],
  },
];

export const KUBEADM_CLUSTER_ROLE_BINDINGS: readonly V1ClusterRoleBinding[] = [
  {
    apiVersion: `${RBAC}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: { name: 'kubeadm:kubelet-bootstrap' },
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'system:node-bootstrapper' },
    subjects: [group(KUBEADM_DEFAULT_NODE_TOKEN_GROUP)],
  },
  {
    apiVersion: `${RBAC}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: { name: 'kubeadm:node-autoapprove-bootstrap' },
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient' },
    subjects: [group(KUBEADM_DEFAULT_NODE_TOKEN_GROUP)],
  },
  {
    apiVersion: `${RBAC}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: { name: 'kubeadm:node-autoapprove-certificate-rotation' },
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient' },
    subjects: [group('system:nodes')],
  },
  {
    apiVersion: `${RBAC}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: { name: 'kubeadm:get-nodes' },
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'kubeadm:get-nodes' },
    subjects: [group(KUBEADM_DEFAULT_NODE_TOKEN_GROUP)],
  },
];

const configMapReader = (namespace: string, name: string, configMap: string): V1Role => ({
  apiVersion: `${RBAC}/v1`,
  kind: 'Role',
  metadata: { name, namespace },
  rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: [configMap], verbs: ['get'] }],
});

export const KUBEADM_ROLES: readonly V1Role[] = [
  configMapReader('kube-public', 'kubeadm:bootstrap-signer-clusterinfo', 'cluster-info'),
  configMapReader('kube-system', 'kubeadm:nodes-kubeadm-config', 'kubeadm-config'),
  configMapReader('kube-system', 'kubeadm:kubelet-config', 'kubelet-config'),
  configMapReader('kube-system', 'kube-proxy', 'kube-proxy'),
];

export const KUBEADM_ROLE_BINDINGS: readonly V1RoleBinding[] = [
  {
    apiVersion: `${RBAC}/v1`,
    kind: 'RoleBinding',
    metadata: { name: 'kubeadm:bootstrap-signer-clusterinfo', namespace: 'kube-public' },
    roleRef: { apiGroup: RBAC, kind: 'Role', name: 'kubeadm:bootstrap-signer-clusterinfo' },
    subjects: [{ apiGroup: RBAC, kind: 'User', name: 'system:anonymous' }],
  },
  {
    apiVersion: `${RBAC}/v1`,
    kind: 'RoleBinding',
    metadata: { name: 'kubeadm:nodes-kubeadm-config', namespace: 'kube-system' },
    roleRef: { apiGroup: RBAC, kind: 'Role', name: 'kubeadm:nodes-kubeadm-config' },
    subjects: [group(KUBEADM_DEFAULT_NODE_TOKEN_GROUP), group('system:nodes')],
  },
  {
    apiVersion: `${RBAC}/v1`,
    kind: 'RoleBinding',
    metadata: { name: 'kubeadm:kubelet-config', namespace: 'kube-system' },
    roleRef: { apiGroup: RBAC, kind: 'Role', name: 'kubeadm:kubelet-config' },
    subjects: [group('system:nodes'), group(KUBEADM_DEFAULT_NODE_TOKEN_GROUP)],
  },
  {
    apiVersion: `${RBAC}/v1`,
    kind: 'RoleBinding',
    metadata: { name: 'kube-proxy', namespace: 'kube-system' },
    roleRef: { apiGroup: RBAC, kind: 'Role', name: 'kube-proxy' },
    subjects: [group(KUBEADM_DEFAULT_NODE_TOKEN_GROUP)],
  },
];

export function kubeadmConfigMaps(controlPlaneEndpoint: string): V1ConfigMap[] {
  const clusterConfiguration = [
    'apiServer: {}',
    'apiVersion: kubeadm.k8s.io/v1beta4',
    'caCertificateValidityPeriod: 87600h0m0s',
    'certificateValidityPeriod: 8760h0m0s',
    'certificatesDir: /etc/kubernetes/pki',
    'clusterName: kubernetes',
    `controlPlaneEndpoint: ${controlPlaneEndpoint}`,
    'controllerManager: {}',
    'dns: {}',
    'encryptionAlgorithm: RSA-2048',
    'etcd:',
    '  local:',
    '    dataDir: /var/lib/etcd',
    'imageRepository: registry.k8s.io',
    'kind: ClusterConfiguration',
    `kubernetesVersion: ${KUBERNETES_VERSION}`,
    'networking:',
    '  dnsDomain: cluster.local',
    '  serviceSubnet: 10.96.0.0/12',
    'proxy: {}',
    'scheduler: {}',
    '',
  ].join('\n');
  const kubelet = [
    'apiVersion: kubelet.config.k8s.io/v1beta1',
    'authentication:',
    '  anonymous:',
    '    enabled: false',
    '  webhook:',
    '    cacheTTL: 0s',
    '    enabled: true',
    '  x509:',
    '    clientCAFile: /etc/kubernetes/pki/ca.crt',
    'authorization:',
    '  mode: Webhook',
    'cgroupDriver: systemd',
    'clusterDNS:',
    '- 10.96.0.10',
    'clusterDomain: cluster.local',
    'kind: KubeletConfiguration',
    'rotateCertificates: true',
    'staticPodPath: /etc/kubernetes/manifests',
    '',
  ].join('\n');
  const proxyConfig = [
    'apiVersion: kubeproxy.config.k8s.io/v1alpha1',
    'clientConnection:',
    '  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf',
    'kind: KubeProxyConfiguration',
    'mode: ""',
    '',
  ].join('\n');
  const proxyKubeconfig = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- cluster:',
    '    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
    `    server: ${controlPlaneEndpoint.startsWith('http') ? controlPlaneEndpoint : `https://${controlPlaneEndpoint}`}`,
    '  name: default',
    'contexts:',
    '- context:',
    '    cluster: default',
    '    namespace: default',
    '    user: default',
    '  name: default',
    'current-context: default',
    'users:',
    '- name: default',
    '  user:',
    '    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token',
    '',
  ].join('\n');
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kubeadm-config', namespace: 'kube-system' }, data: { ClusterConfiguration: clusterConfiguration } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kubelet-config', namespace: 'kube-system' },
      data: { kubelet },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kube-proxy', namespace: 'kube-system', labels: { app: 'kube-proxy' } },
      data: { 'config.conf': proxyConfig, 'kubeconfig.conf': proxyKubeconfig },
    },
  ];
}
