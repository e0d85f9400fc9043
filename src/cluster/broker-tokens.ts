import type { V1Secret } from '@kubernetes/client-node';
import type { Provider } from '../attest/identity.js';
import { BOOTSTRAP_TOKEN_NAMESPACE, BOOTSTRAP_TOKEN_SECRET_TYPE, TOKEN_ID_PATTERN, tokenSecretName } from './bootstrap-token.js';
import { BROKER_ANNOTATIONS, BROKER_LABELS, BROKER_NAME } from './mint.js';

/**
 * What the admin API and the cron may know about a broker-minted token, read from its Secret:
 * everything but the secret half, which is never read here. A Secret is a broker token only when
 * it is a `bootstrap.kubernetes.io/token` Secret in kube-system named for its token ID and labelled
 * `app.kubernetes.io/managed-by=kube-join-broker`: a kubeadm token or any other Secret never is,
 * so neither the admin API nor the sweep can delete one.
 */
export interface BrokerToken {
  tokenId: string;
  secretName: string;
  uid: string | undefined;
  nodeName: string | undefined;
  /** From the identity annotation; undefined when it is missing or not what the broker writes. */
  identity: { provider: Provider; account: string; region?: string; instanceId: string } | undefined;
  pool: string | undefined;
  expiration: TokenExpiration;
  createdAt: string | undefined;
}

/**
 * As the tokencleaner reads `expiration` (pkg/controller/bootstrap/tokencleaner.go, via
 * bootstraputil.GetExpiration): missing ⇒ never expires; not RFC 3339 ⇒ treated as expired.
 */
export type TokenExpiration = { kind: 'at'; at: Date } | { kind: 'never' } | { kind: 'unparseable' };

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;
const PROVIDERS: ReadonlySet<string> = new Set<Provider>(['aws', 'gcp', 'azure', 'oidc']);

function decodeData(secret: V1Secret, key: string): string | undefined {
  const value = secret.data?.[key];
  if (typeof value !== 'string') return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(atob(value), (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

export function tokenExpiration(secret: V1Secret): TokenExpiration {
  if (secret.data?.['expiration'] === undefined) return { kind: 'never' };
  const text = decodeData(secret, 'expiration');
  const ms = text !== undefined && RFC3339.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isFinite(ms) ? { kind: 'at', at: new Date(ms) } : { kind: 'unparseable' };
}

export const isExpired = (expiration: TokenExpiration, now: Date): boolean =>
  expiration.kind === 'unparseable' || (expiration.kind === 'at' && expiration.at.getTime() <= now.getTime());

function readIdentity(annotation: string | undefined): BrokerToken['identity'] {
  if (annotation === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(annotation);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { provider, account, region, instanceId } = parsed as Record<string, unknown>;
  if (typeof provider !== 'string' || !PROVIDERS.has(provider) || typeof account !== 'string' || account === '' || typeof instanceId !== 'string' || instanceId === '') {
    return undefined;
  }
  return { provider: provider as Provider, account, ...(typeof region === 'string' ? { region } : {}), instanceId };
}

/** The broker token this Secret is, or undefined when it is not one (see the contract above). */
export function readBrokerToken(secret: V1Secret): BrokerToken | undefined {
  const metadata = secret.metadata ?? {};
  if (secret.type !== BOOTSTRAP_TOKEN_SECRET_TYPE || metadata.namespace !== BOOTSTRAP_TOKEN_NAMESPACE) return undefined;
  if (metadata.labels?.[BROKER_LABELS.managedBy] !== BROKER_NAME) return undefined;
  const tokenId = decodeData(secret, 'token-id');
  if (tokenId === undefined || !TOKEN_ID_PATTERN.test(tokenId) || metadata.name !== tokenSecretName(tokenId)) return undefined;
  return {
    tokenId,
    secretName: metadata.name,
    uid: metadata.uid,
    nodeName: metadata.annotations?.[BROKER_ANNOTATIONS.nodeName],
    identity: readIdentity(metadata.annotations?.[BROKER_ANNOTATIONS.identity]),
    pool: metadata.labels?.[BROKER_LABELS.pool],
    expiration: tokenExpiration(secret),
    createdAt: metadata.creationTimestamp === undefined ? undefined : new Date(metadata.creationTimestamp).toISOString(),
  };
}
