/**
 * The broker's credential (the Worker secret KUBE_TOKEN): a token for its ServiceAccount.
 *
 * Two kinds, chosen with `--token`:
 * - `request` (default): the TokenRequest API (`POST …/serviceaccounts/<name>/token`) with a long
 *   `expirationSeconds` (`--token-ttl`, default one year). It expires on its own, so a leaked copy
 *   stops working; the price is a rotation (run setup again, `wrangler secret put` again) before
 *   the printed expiry. The API server may shorten the lifetime
 *   (`--service-account-max-token-expiration`); setup prints the expiry it actually got. It is
 *   revoked early only by deleting the ServiceAccount.
 * - `secret`: a `kubernetes.io/service-account-token` Secret (`<name>-token`) that the token
 *   controller fills with a token that never expires; revoke it by deleting the Secret. Kubernetes
 *   discourages such long-lived tokens; use it where a yearly rotation is not wanted.
 * - `none`: no token (RBAC only).
 */
import type { AuthenticationV1TokenRequest, V1Secret } from '@kubernetes/client-node';
import { ClusterError } from '../exit-codes.js';
import { applyObject, explainApiError, type ApplyResult, type ClusterClients } from './apply.js';
import { SETUP_LABELS } from './rbac.js';

export const TOKEN_KINDS = ['request', 'secret', 'none'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];
export const DEFAULT_TOKEN_TTL_SECONDS = 365 * 24 * 3600;
/** TokenRequest refuses less than 10 minutes. */
export const MIN_TOKEN_TTL_SECONDS = 600;

export interface ServiceAccountRef {
  readonly namespace: string;
  readonly name: string;
}

export interface IssuedToken {
  readonly token: string;
  /** Undefined for a Secret-bound token, which never expires. */
  readonly expiresAt?: Date;
  readonly description: string;
  /** The token Secret's apply result (`secret` kind only). */
  readonly secret?: ApplyResult;
}

export const tokenSecretName = (sa: ServiceAccountRef): string => `${sa.name}-token`;

/** The TokenRequest body setup sends (also shown by --dry-run). No audiences: the API server's own. */
export const tokenRequest = (expirationSeconds: number): AuthenticationV1TokenRequest => ({
  apiVersion: 'authentication.k8s.io/v1',
  kind: 'TokenRequest',
  spec: { audiences: [], expirationSeconds },
});

/** The Secret the token controller fills (`--token secret`). */
export const tokenSecret = (sa: ServiceAccountRef): V1Secret => ({
  apiVersion: 'v1',
  kind: 'Secret',
  type: 'kubernetes.io/service-account-token',
  metadata: {
    name: tokenSecretName(sa),
    namespace: sa.namespace,
    labels: { ...SETUP_LABELS },
    annotations: { 'kubernetes.io/service-account.name': sa.name },
  },
});

export async function requestToken(clients: ClusterClients, sa: ServiceAccountRef, expirationSeconds: number): Promise<IssuedToken> {
  let answer: AuthenticationV1TokenRequest;
  try {
    answer = await clients.core.createNamespacedServiceAccountToken({ name: sa.name, namespace: sa.namespace, body: tokenRequest(expirationSeconds) });
  } catch (error) {
    throw explainApiError(`TokenRequest for ServiceAccount ${sa.namespace}/${sa.name}`, error);
  }
  const token = answer.status?.token;
  if (typeof token !== 'string' || token.length === 0) throw new ClusterError(`TokenRequest for ${sa.namespace}/${sa.name}: the API server returned no token`);
  const expiresAt = answer.status?.expirationTimestamp === undefined ? undefined : new Date(answer.status.expirationTimestamp);
  return { token, ...(expiresAt === undefined ? {} : { expiresAt }), description: `TokenRequest for ServiceAccount ${sa.namespace}/${sa.name}` };
}

export interface WaitOptions {
  /** How long to wait for the token controller, ms. */
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export async function secretToken(clients: ClusterClients, sa: ServiceAccountRef, wait: WaitOptions): Promise<IssuedToken> {
  const desired = tokenSecret(sa);
  const secret = await applyObject(clients, desired);
  const sleep = wait.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + wait.timeoutMs;
  for (;;) {
    let current: V1Secret;
    try {
      current = await clients.core.readNamespacedSecret({ namespace: sa.namespace, name: desired.metadata!.name! });
    } catch (error) {
      throw explainApiError(`read Secret ${sa.namespace}/${desired.metadata!.name!}`, error);
    }
    const encoded = current.data?.['token'];
    if (encoded !== undefined && encoded.length > 0) {
      return { token: Buffer.from(encoded, 'base64').toString('utf8'), description: `Secret ${sa.namespace}/${desired.metadata!.name!} (no expiry)`, secret };
    }
    if (Date.now() >= deadline) {
      throw new ClusterError(
        `Secret ${sa.namespace}/${desired.metadata!.name!} has no token after ${Math.round(wait.timeoutMs / 1000)} s: is the token controller running (kube-controller-manager --service-account-private-key-file)? Or use --token request`,
      );
    }
    await sleep(wait.intervalMs ?? 500);
  }
}
