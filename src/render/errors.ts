/**
 * Why a renderer refused its input. Renderers are pure and run after attestation, policy and
 * minting, so a refusal means an earlier layer let through a value that cannot be written safely:
 * the HTTP layer maps it to a plain 500 and logs the code. No value is ever echoed in `message`.
 */
export type RenderErrorCode =
  /** A value holds NUL or an unpaired UTF-16 surrogate: neither survives a shell word or a file. */
  | 'unrepresentable_value'
  /** `apiServer` is not an `https://host[:port]` URL without path, query, fragment or userinfo. */
  | 'invalid_api_server'
  /** The token expiry is not a valid date. */
  | 'invalid_expiry'
  /** The CA bundle holds no PEM certificate. */
  | 'invalid_ca_bundle'
  /** No CA pin was given, or one is not `sha256:<64 hex digits>` (kubeadm's pubkeypin format). */
  | 'invalid_ca_cert_hash'
  /** A node label or taint, or the node name in kubelet mode, has a character kubelet flags cannot carry. */
  | 'unsafe_kubelet_flag_value'
  /** A taint is not `key[=value]:effect` with effect NoSchedule, PreferNoSchedule or NoExecute. */
  | 'invalid_node_taint'
  /** csr mode: a serving certificate DNS name or IP address cannot be written into a subjectAltName. */
  | 'invalid_serving_san'
  /** The broker URL for first-boot user-data is not `https://host[:port][/path]` (http only to loopback). */
  | 'invalid_broker_url'
  /** The GCP identity token audience is empty or longer than 2048 characters. */
  | 'invalid_gcp_audience'
  /** Retry attempts are not a whole number from 1 to 100, or the longest delay not one from 1 to 3600 seconds. */
  | 'invalid_retry_policy';

/** Thrown by the renderers in src/render/ when their input cannot be rendered safely. */
export class RenderError extends Error {
  override readonly name = 'RenderError';
  constructor(
    readonly code: RenderErrorCode,
    message: string,
  ) {
    super(message);
  }
}
