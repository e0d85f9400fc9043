/**
 * The join bundle: everything a node needs to join, as the broker's default JSON answer. No I/O,
 * no clock, no randomness, no cryptography: the token, its expiry and the CA pins are inputs.
 */
import type { NodeIdentity } from '../attest/identity.js';
import { parseApiServer } from './api-server.js';
import { checkCaBundle, checkCaCertHashes } from './ca.js';
import { RenderError } from './errors.js';
import { renderJoinCommand } from './join-command.js';
import { DEFAULT_CLUSTER_NAME, renderBootstrapKubeconfig } from './kubeconfig.js';
import { nodeLabelsFlag, registerWithTaintsFlag } from './kubelet-flags.js';

/** The part of a {@link NodeIdentity} the bundle reports back to the node. */
export type JoinIdentity = Pick<NodeIdentity, 'provider' | 'account' | 'region' | 'instanceId'>;

/** Input of {@link renderJoinBundle}: the outcome of attestation, policy, minting and CA discovery. */
export interface JoinBundleInput {
  /** The minted bootstrap token. */
  readonly token: { readonly id: string; readonly secret: string; readonly expiresAt: Date };
  readonly nodeName: string;
  /** `https://host[:port]` of the API server nodes use. */
  readonly apiServer: string;
  /** Cluster entry name in the kubeconfig; default `kubernetes` (as kubeadm). */
  readonly clusterName?: string;
  /** One or more PEM certificates: the cluster CA bundle from cluster-info. */
  readonly caPem: string;
  /** `sha256:<hex of SHA-256 of DER SubjectPublicKeyInfo>` for each CA in `caPem`. */
  readonly caCertHashes: readonly string[];
  readonly identity: JoinIdentity;
  /** Name of the node pool the policy matched. */
  readonly pool: string;
  readonly nodeLabels: Readonly<Record<string, string>>;
  /** `key[=value]:effect` strings. */
  readonly nodeTaints?: readonly string[];
  /** The SANs the node's serving certificate may carry (src/approval/decide.ts `attestedNames`); default none. */
  readonly servingSans?: ServingSans;
  /** The pool's cap on serving certificate lifetimes, seconds, if it has one. */
  readonly servingExpirationSeconds?: number;
}

/** The IP addresses and DNS names attested for the instance: what a serving CSR may ask for. */
export interface ServingSans {
  readonly ips: readonly string[];
  readonly dnsNames: readonly string[];
}

/** The broker's answer to a successful join (`format=json`, the default). */
export interface JoinBundle {
  /** Bootstrap token `<id>.<secret>`. */
  readonly token: string;
  readonly tokenId: string;
  /** When the token stops authenticating, RFC 3339 UTC with seconds precision (as kubeadm writes it). */
  readonly expiresAt: string;
  readonly nodeName: string;
  readonly clusterName: string;
  /** `https://host[:port]` of the API server. */
  readonly apiServer: string;
  /** `host:port` of the API server, as `kubeadm join` takes it. */
  readonly apiServerEndpoint: string;
  /** `sha256:<hex>` pins for `--discovery-token-ca-cert-hash`, lower case. */
  readonly caCertHashes: readonly string[];
  /** PEM bundle of the cluster CA(s), what /etc/kubernetes/pki/ca.crt holds. */
  readonly caCertificates: string;
  /** bootstrap-kubelet.conf (YAML). */
  readonly kubeconfig: string;
  /** `kubeadm join …` with token discovery, shell-quoted, for a person to run. */
  readonly joinCommand: string;
  readonly identity: JoinIdentity;
  /** Name of the node pool the policy matched. */
  readonly pool: string;
  /** Labels the kubelet registers the node with (`--node-labels`). */
  readonly nodeLabels: Readonly<Record<string, string>>;
  /** Taints the kubelet registers the node with (`--register-with-taints`), `key[=value]:effect`. */
  readonly nodeTaints: readonly string[];
  /**
   * The subjectAltNames the broker approves in this node's kubelet serving certificate: the
   * addresses and names its identity document attests, plus the pool's extra names.
   */
  readonly servingSans: ServingSans;
  /** Set when the pool caps serving certificate lifetimes: the `expirationSeconds` to request. */
  readonly servingExpirationSeconds?: number;
}

/** RFC 3339 in UTC with whole seconds, as kubeadm's `expiration` (`time.RFC3339`). */
function rfc3339Seconds(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RenderError('invalid_expiry', 'token expiry is not a valid date');
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Builds the {@link JoinBundle} from the pipeline's results. Every text in it (kubeconfig, join
 * command) comes from the renderers in this folder, and labels and taints are checked against the
 * kubelet flag allowlist now, so any bundle this returns can also be rendered as a join script.
 *
 * @throws {RenderError} `invalid_api_server`, `invalid_ca_bundle`, `invalid_ca_cert_hash`,
 *   `invalid_expiry`, `unsafe_kubelet_flag_value`, `invalid_node_taint`, `unrepresentable_value`.
 */
export function renderJoinBundle(input: JoinBundleInput): JoinBundle {
  const token = `${input.token.id}.${input.token.secret}`;
  const address = parseApiServer(input.apiServer);
  const clusterName = input.clusterName ?? DEFAULT_CLUSTER_NAME;
  const caCertificates = checkCaBundle(input.caPem);
  const caCertHashes = checkCaCertHashes(input.caCertHashes);
  const nodeTaints = [...(input.nodeTaints ?? [])];
  nodeLabelsFlag(input.nodeLabels);
  registerWithTaintsFlag(nodeTaints);
  const { provider, account, region, instanceId } = input.identity;
  return {
    token,
    tokenId: input.token.id,
    expiresAt: rfc3339Seconds(input.token.expiresAt),
    nodeName: input.nodeName,
    clusterName,
    apiServer: address.url,
    apiServerEndpoint: address.endpoint,
    caCertHashes,
    caCertificates,
    kubeconfig: renderBootstrapKubeconfig({ apiServer: address.url, caCertificates, token, clusterName }),
    joinCommand: renderJoinCommand({ apiServer: address.url, token, caCertHashes, nodeName: input.nodeName }),
    identity: region === undefined ? { provider, account, instanceId } : { provider, account, region, instanceId },
    pool: input.pool,
    nodeLabels: Object.fromEntries(Object.entries(input.nodeLabels)),
    nodeTaints,
    servingSans: { ips: [...(input.servingSans?.ips ?? [])], dnsNames: [...(input.servingSans?.dnsNames ?? [])] },
    ...(input.servingExpirationSeconds === undefined ? {} : { servingExpirationSeconds: input.servingExpirationSeconds }),
  };
}
