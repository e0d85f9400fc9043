import type { V1Secret } from '@kubernetes/client-node';
import type { Random } from '../deps.js';

/**
 * Bootstrap tokens exactly as kubeadm makes them (SEMANTICS §1; cluster-bootstrap
 * `token/util/helpers.go`, kubeadm `apis/bootstraptoken/v1/utils.go`).
 */
const TOKEN_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
export const TOKEN_ID_PATTERN = /^[a-z0-9]{6}$/;
export const TOKEN_PATTERN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_TOKEN_NAMESPACE = 'kube-system';

export interface BootstrapToken {
  readonly id: string;
  readonly secret: string;
}

export const tokenString = (token: BootstrapToken): string => `${token.id}.${token.secret}`;
export const tokenSecretName = (id: string): string => `bootstrap-token-${id}`;

/**
 * Draws `length` characters uniformly from [a-z0-9]. 256 is not a multiple of 36, so bytes
 * ≥ 252 (7 × 36) are discarded rather than reduced, as kubeadm does: `byte % 36` over all 256
 * values would make 0–3 more likely than the rest.
 */
export function randomTokenChars(random: Random, length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of random.fill(new Uint8Array(Math.min(4096, (length - out.length) * 2)))) {
      if (byte >= 252) continue;
      out += TOKEN_ALPHABET[byte % 36];
      if (out.length === length) break;
    }
  }
  return out;
}

export function generateBootstrapToken(random: Random): BootstrapToken {
  return { id: randomTokenChars(random, 6), secret: randomTokenChars(random, 16) };
}

/** Go's time.RFC3339 in UTC with seconds precision, as kubeadm writes `expiration`. */
export const rfc3339Seconds = (at: Date): string => at.toISOString().replace(/\.\d{3}Z$/, 'Z');

export type TokenUsage = 'signing' | 'authentication';

export interface BootstrapTokenSecretInput {
  token: BootstrapToken;
  expiresAt: Date;
  description: string;
  usages: readonly TokenUsage[];
  groups: readonly string[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const ASCII = /^[\x00-\x7f]*$/;
const utf8 = new TextEncoder();

/** Base64 of the UTF-8 bytes of `text` (a Secret's `data`); ASCII text is its own UTF-8 encoding. */
function base64(text: string): string {
  if (ASCII.test(text)) return btoa(text);
  let binary = '';
  for (const byte of utf8.encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * The Secret kubeadm's `encodeTokenSecretData` writes — same keys, same encodings — plus the
 * broker's labels and annotations, so `kubeadm token list` shows it and the tokencleaner
 * removes it at `expiration`.
 */
export function bootstrapTokenSecret(input: BootstrapTokenSecretInput): V1Secret {
  const data: Record<string, string> = {
    'token-id': input.token.id,
    'token-secret': input.token.secret,
    expiration: rfc3339Seconds(input.expiresAt),
  };
  if (input.description !== '') data['description'] = input.description;
  for (const usage of input.usages) data[`usage-bootstrap-${usage}`] = 'true';
  if (input.groups.length > 0) data['auth-extra-groups'] = input.groups.join(',');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: BOOTSTRAP_TOKEN_SECRET_TYPE,
    metadata: {
      name: tokenSecretName(input.token.id),
      namespace: BOOTSTRAP_TOKEN_NAMESPACE,
      labels: input.labels,
      annotations: input.annotations,
    },
    data: Object.fromEntries(Object.entries(data).map(([key, value]) => [key, base64(value)])),
  };
}
