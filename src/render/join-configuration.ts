/**
 * kubeadm's JoinConfiguration (kubeadm.k8s.io/v1beta4) for a worker node. No I/O.
 */
import { parseApiServer } from './api-server.js';
import { checkCaCertHashes } from './ca.js';
import { nodeLabelsFlag, parseNodeTaint, type NodeTaint } from './kubelet-flags.js';
import { toKubernetesYaml } from './yaml.js';

/**
 * How kubeadm learns and verifies the cluster CA.
 * - `token`: `discovery.bootstrapToken` — fetch cluster-info anonymously, check its JWS (the token
 *   needs `usage-bootstrap-signing`) and the CA against the pins.
 * - `file`: `discovery.file` — trust the CA in a kubeconfig the broker already delivered over an
 *   authenticated channel; works with authentication-only tokens, publishes no JWS of the token
 *   secret (an offline brute-force target, kubernetes/kubernetes#119639) and skips kubeadm's 5 s
 *   poll for the signature (DESIGN, "Discovery without a published JWS").
 */
export type KubeadmDiscovery =
  | { readonly method: 'token' }
  | {
      readonly method: 'file';
      /** Absolute path, on the node, of the bootstrap kubeconfig kubeadm reads. */
      readonly kubeConfigPath: string;
    };

/** What {@link renderJoinConfiguration} needs; a `JoinBundle` plus a discovery satisfies it. */
export interface JoinConfigurationInput {
  readonly apiServer: string;
  readonly token: string;
  readonly caCertHashes: readonly string[];
  readonly nodeName: string;
  readonly nodeLabels: Readonly<Record<string, string>>;
  /** `key[=value]:effect` strings. */
  readonly nodeTaints?: readonly string[];
  readonly discovery: KubeadmDiscovery;
}

/**
 * Renders a JoinConfiguration for `kubeadm join --config`: `discovery` per {@link KubeadmDiscovery}
 * (`tlsBootstrapToken` is always the token), and `nodeRegistration` with the node name, the taints
 * (omitted when none, so kubeadm registers an untainted worker) and `kubeletExtraArgs` carrying
 * `node-labels` (v1beta4's `[{name, value}]` list). Requires kubeadm ≥ 1.31 (first to read v1beta4).
 *
 * Every value is a YAML scalar written by the serializer, so any node name or token parses back
 * verbatim. Labels and taints must also survive kubeadm's kubelet flag file, hence the allowlist of
 * src/render/kubelet-flags.ts.
 *
 * @throws {RenderError} `invalid_api_server`, `invalid_ca_cert_hash`, `unsafe_kubelet_flag_value`,
 *   `invalid_node_taint`, `unrepresentable_value`.
 */
export function renderJoinConfiguration(input: JoinConfigurationInput): string {
  const discovery =
    input.discovery.method === 'token'
      ? {
          bootstrapToken: {
            apiServerEndpoint: parseApiServer(input.apiServer).endpoint,
            caCertHashes: checkCaCertHashes(input.caCertHashes),
            token: input.token,
          },
          tlsBootstrapToken: input.token,
        }
      : { file: { kubeConfigPath: input.discovery.kubeConfigPath }, tlsBootstrapToken: input.token };
  const labels = nodeLabelsFlag(input.nodeLabels);
  const taints: NodeTaint[] = (input.nodeTaints ?? []).map(parseNodeTaint);
  return toKubernetesYaml({
    apiVersion: 'kubeadm.k8s.io/v1beta4',
    kind: 'JoinConfiguration',
    discovery,
    nodeRegistration: {
      name: input.nodeName,
      ...(labels === undefined ? {} : { kubeletExtraArgs: [{ name: 'node-labels', value: labels }] }),
      ...(taints.length === 0 ? {} : { taints }),
    },
  });
}
