/**
 * The cluster CA as the join carries it: the PEM bundle and its kubeadm pins. No I/O, no
 * cryptography: pins are computed by the CA discovery in src/cluster/ and only checked for shape here.
 */
import { RenderError } from './errors.js';

const PEM_CERTIFICATE = '-----BEGIN CERTIFICATE-----';
const CA_CERT_HASH = /^sha256:[0-9a-f]{64}$/i;

/**
 * Returns the PEM bundle unchanged after checking it holds at least one certificate.
 *
 * @throws {RenderError} `invalid_ca_bundle`.
 */
export function checkCaBundle(caPem: string): string {
  if (!caPem.includes(PEM_CERTIFICATE)) {
    throw new RenderError('invalid_ca_bundle', 'the CA bundle holds no PEM certificate');
  }
  return caPem;
}

/**
 * Checks and lower-cases the pins for `--discovery-token-ca-cert-hash`. At least one is required:
 * token discovery without a pin trusts whatever answers at the endpoint (kubeadm only allows it
 * with `--discovery-token-unsafe-skip-ca-verification`, which the broker never renders).
 * Format per cmd/kubeadm/app/util/pubkeypin/pubkeypin.go: `sha256:` + 64 hex digits, any case.
 *
 * @throws {RenderError} `invalid_ca_cert_hash`.
 */
export function checkCaCertHashes(hashes: readonly string[]): string[] {
  if (hashes.length === 0) throw new RenderError('invalid_ca_cert_hash', 'at least one CA pin is required');
  return hashes.map((hash) => {
    if (!CA_CERT_HASH.test(hash)) throw new RenderError('invalid_ca_cert_hash', 'a CA pin is not sha256:<64 hex>');
    return hash.toLowerCase();
  });
}

const ASCII = /^[\x00-\x7f]*$/;
const utf8 = new TextEncoder();

/** Base64 of the UTF-8 bytes of `text`, as kubeconfig `certificate-authority-data` holds the PEM. */
export function base64Utf8(text: string): string {
  // ASCII text (a PEM bundle always is) is its own UTF-8 encoding: btoa takes it as it is.
  if (ASCII.test(text)) return btoa(text);
  let binary = '';
  for (const byte of utf8.encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
