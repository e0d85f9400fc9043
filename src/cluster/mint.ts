import type { V1Secret } from '@kubernetes/client-node';
import type { NodeIdentity } from '../attest/identity.js';
import type { Random } from '../deps.js';
import type { NodePool } from '../policy/schema.js';
import {
  BOOTSTRAP_TOKEN_NAMESPACE,
  bootstrapTokenSecret,
  generateBootstrapToken,
  tokenSecretName,
  type BootstrapToken,
  type TokenUsage,
} from './bootstrap-token.js';
import { KubeApiError, type KubeApi } from './kube-api.js';
import { isLabelValue } from '../policy/kubernetes-names.js';

export const BROKER_LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  provider: 'kube-join-broker.io/provider',
  pool: 'kube-join-broker.io/pool',
  instance: 'kube-join-broker.io/instance',
} as const;
export const BROKER_ANNOTATIONS = {
  identity: 'kube-join-broker.io/identity',
  nodeName: 'kube-join-broker.io/node-name',
} as const;
export const BROKER_NAME = 'kube-join-broker';
/** Selects every Secret this broker minted. */
export const BROKER_TOKEN_SELECTOR = `${BROKER_LABELS.managedBy}=${BROKER_NAME}`;

export interface MintRequest {
  identity: NodeIdentity;
  pool: NodePool;
  nodeName: string;
  usages: readonly TokenUsage[];
  now: Date;
}

export interface MintedToken {
  token: BootstrapToken;
  expiresAt: Date;
  secret: V1Secret;
}

/** Thrown when no token could be minted; the API's state is known not to hold a usable one. */
export class MintError extends Error {
  override readonly name = 'MintError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

const MAX_ID_ATTEMPTS = 3;

function secretFor(request: MintRequest, token: BootstrapToken, expiresAt: Date): V1Secret {
  const { identity, pool, nodeName } = request;
  const labels: Record<string, string> = {
    [BROKER_LABELS.managedBy]: BROKER_NAME,
    [BROKER_LABELS.provider]: identity.provider,
    [BROKER_LABELS.pool]: pool.name,
  };
  if (isLabelValue(identity.instanceId)) labels[BROKER_LABELS.instance] = identity.instanceId;
  return bootstrapTokenSecret({
    token,
    expiresAt,
    description: `kube-join-broker: ${identity.provider} ${identity.account} ${identity.instanceId} as ${nodeName}`.slice(0, 512),
    usages: request.usages,
    groups: pool.authExtraGroups,
    labels,
    annotations: {
      [BROKER_ANNOTATIONS.identity]: JSON.stringify({
        provider: identity.provider,
        account: identity.account,
        region: identity.region,
        instanceId: identity.instanceId,
      }),
      [BROKER_ANNOTATIONS.nodeName]: nodeName,
    },
  });
}

/**
 * Creates a bootstrap-token Secret for one node. The name is explicit (generateName cannot make
 * a valid token name, SEMANTICS §1), so a 409 means an ID collision: draw a new token and retry.
 * A create whose outcome is unknown (timeout, reset, 5xx) is resolved by reading the Secret back:
 * if it holds our secret it is ours; otherwise we delete what may be ours and report the API down.
 * Either way the Secret carries `expiration`, so the tokencleaner removes any leftover at its TTL.
 */
export async function mintBootstrapToken(kube: KubeApi, random: Random, request: MintRequest): Promise<MintedToken> {
  const expiresAt = new Date(Math.floor(request.now.getTime() / 1000) * 1000 + request.pool.tokenTtl * 1000);
  for (let attempt = 1; attempt <= MAX_ID_ATTEMPTS; attempt++) {
    const token = generateBootstrapToken(random);
    const secret = secretFor(request, token, expiresAt);
    try {
      return { token, expiresAt, secret: await kube.createSecret(BOOTSTRAP_TOKEN_NAMESPACE, secret) };
    } catch (error) {
      if (!(error instanceof KubeApiError)) throw error;
      if (error.isAlreadyExists) {
        const found = await readBack(kube, token);
        // A retried create of our own Secret also answers 409: then it is ours after all.
        if (found.kind === 'ours') return { token, expiresAt, secret: found.secret };
        continue;
      }
      if (error.certainlyNotApplied) throw new MintError(error.message, error.retryAfterSeconds ?? 1);
      const found = await readBack(kube, token);
      if (found.kind === 'ours') return { token, expiresAt, secret: found.secret };
      // The create may still land after our read (a slow server applies it late), so remove the
      // name, unless it holds another token: an ID collision must never delete another node's
      // Secret. What this misses expires on its own.
      if (found.kind !== 'foreign') await kube.deleteSecret(BOOTSTRAP_TOKEN_NAMESPACE, tokenSecretName(token.id)).catch(() => false);
      throw new MintError(error.message, error.retryAfterSeconds ?? 2);
    }
  }
  throw new MintError(`no free token ID after ${MAX_ID_ATTEMPTS} attempts`, 1);
}

type ReadBack = { kind: 'ours'; secret: V1Secret } | { kind: 'foreign' } | { kind: 'absent' } | { kind: 'unknown' };

/** What the API holds under this token's name: our Secret, another token's, nothing, or unknown (the read failed). */
async function readBack(kube: KubeApi, token: BootstrapToken): Promise<ReadBack> {
  let found: V1Secret | undefined;
  try {
    found = await kube.getSecret(BOOTSTRAP_TOKEN_NAMESPACE, tokenSecretName(token.id));
  } catch {
    return { kind: 'unknown' };
  }
  if (found === undefined) return { kind: 'absent' };
  const stored = found.data?.['token-secret'];
  let ours = false;
  try {
    ours = stored !== undefined && atob(stored) === token.secret;
  } catch {
    ours = false;
  }
  return ours ? { kind: 'ours', secret: found } : { kind: 'foreign' };
}

/** Deletes a minted token's Secret; false when it was already gone. */
export function revokeBootstrapToken(kube: KubeApi, tokenId: string): Promise<boolean> {
  return kube.deleteSecret(BOOTSTRAP_TOKEN_NAMESPACE, tokenSecretName(tokenId));
}
