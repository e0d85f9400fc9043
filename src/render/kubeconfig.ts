/**
 * bootstrap-kubelet.conf: the kubeconfig a kubelet uses for TLS bootstrap. No I/O.
 */
import { parseApiServer } from './api-server.js';
import { base64Utf8, checkCaBundle } from './ca.js';
import { toKubernetesYaml } from './yaml.js';

/** The cluster name kubeadm gives the bootstrap kubeconfig (kubeadmapiv1.DefaultClusterName). */
export const DEFAULT_CLUSTER_NAME = 'kubernetes';

/** The user name kubeadm's discovery gives the token (cmd/kubeadm/app/discovery, TokenUser). */
export const BOOTSTRAP_TOKEN_USER = 'tls-bootstrap-token-user';

/** What {@link renderBootstrapKubeconfig} needs; a `JoinBundle` satisfies it. */
export interface BootstrapKubeconfigInput {
  /** `https://host[:port]` of the API server. */
  readonly apiServer: string;
  /** One or more PEM certificates the kubelet trusts for the API server. */
  readonly caCertificates: string;
  /** The bootstrap token, `<id>.<secret>`. */
  readonly token: string;
  /** Cluster entry name; default `kubernetes`. */
  readonly clusterName?: string;
}

/**
 * Renders bootstrap-kubelet.conf exactly as kubeadm's discovery builds it
 * (`kubeconfigutil.CreateWithToken`, SEMANTICS §7.5): one cluster with `server` and
 * `certificate-authority-data` (base64 of the PEM bundle), user `tls-bootstrap-token-user` with
 * the token, context `tls-bootstrap-token-user@<cluster>` current, `preferences: {}`. Keys are in
 * the order `clientcmd.Write` emits them. The text comes from the YAML serializer, so any cluster
 * name or token parses back verbatim and cannot add or change a key.
 *
 * @throws {RenderError} `invalid_api_server`, `invalid_ca_bundle`, `unrepresentable_value`.
 */
export function renderBootstrapKubeconfig(input: BootstrapKubeconfigInput): string {
  const cluster = input.clusterName ?? DEFAULT_CLUSTER_NAME;
  const context = `${BOOTSTRAP_TOKEN_USER}@${cluster}`;
  return toKubernetesYaml({
    apiVersion: 'v1',
    clusters: [
      {
        cluster: {
          'certificate-authority-data': base64Utf8(checkCaBundle(input.caCertificates)),
          server: parseApiServer(input.apiServer).url,
        },
        name: cluster,
      },
    ],
    contexts: [{ context: { cluster, user: BOOTSTRAP_TOKEN_USER }, name: context }],
    'current-context': context,
    kind: 'Config',
    preferences: {},
    users: [{ name: BOOTSTRAP_TOKEN_USER, user: { token: input.token } }],
  });
}
