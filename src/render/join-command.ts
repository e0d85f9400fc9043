/**
 * The `kubeadm join` command line for a person to paste. No I/O.
 */
import { parseApiServer } from './api-server.js';
import { checkCaCertHashes } from './ca.js';
import { shellJoin } from './shell.js';

/** What {@link renderJoinCommand} needs; a `JoinBundle` satisfies it. */
export interface JoinCommandInput {
  /** `https://host[:port]` of the API server. */
  readonly apiServer: string;
  /** The bootstrap token, `<id>.<secret>`. */
  readonly token: string;
  /** `sha256:<hex>` pins of the cluster CA(s). */
  readonly caCertHashes: readonly string[];
  readonly nodeName: string;
}

/**
 * Renders `kubeadm join <host:port> --token <token> --discovery-token-ca-cert-hash <pin>…
 * --node-name <name>` as one sh command line (token discovery, one flag per pin). Every word is
 * quoted by {@link shellJoin}, so each value reaches kubeadm as exactly one argument.
 *
 * Node labels and taints are not in it: `kubeadm join` has no flag for them (they live in
 * `nodeRegistration` of a JoinConfiguration; see `renderJoinConfiguration` and the join
 * script). The token also shows in the process list while this runs; the script uses `--config`.
 *
 * @throws {RenderError} `invalid_api_server`, `invalid_ca_cert_hash`, `unrepresentable_value`.
 */
export function renderJoinCommand(input: JoinCommandInput): string {
  const pins = checkCaCertHashes(input.caCertHashes).flatMap((pin) => ['--discovery-token-ca-cert-hash', pin]);
  return shellJoin([
    'kubeadm',
    'join',
    parseApiServer(input.apiServer).endpoint,
    '--token',
    input.token,
    ...pins,
    '--node-name',
    input.nodeName,
  ]);
}
