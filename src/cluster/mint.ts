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
import { KubeApiError, type KubeApi, type KubeCallOptions } from './kube-api.js';
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
  /** Epoch milliseconds on the Kubernetes adapter's clock: nothing is tried past it (JOIN_DEADLINE_MS). */
  deadline?: number;
}

export interface MintedToken {
  token: BootstrapToken;
  expiresAt: Date;
  secret: V1Secret;
}

/**
 * Thrown when no token could be minted. `abandoned` lists the token IDs whose create may still
 * have been applied (a timeout, a reset, a 5xx, and no read-back that settled it before the
 * deadline): no bundle carries them, so the caller must see them revoked (the join index's
 * revoke-later record); they also expire on their own at the pool's TTL.
 */
export class MintError extends Error {
  override readonly name = 'MintError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    readonly abandoned: readonly string[] = [],
  ) {
    super(message);
  }
}

const MAX_ID_ATTEMPTS = 3;
/** Creates of one token whose outcome stayed unknown before the mint gives up on it. */
const MAX_UNKNOWN_CREATES = 3;

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
 * Creates a bootstrap-token Secret for one node, within `request.deadline`.
 *
 * The name is explicit (generateName cannot make a valid token name, SEMANTICS §1), which makes
 * a create of one token at-most-once whatever is repeated: the API server stores one object per
 * name, and every create of this token carries the same Secret. So:
 * - 409 AlreadyExists: read the name back. Our secret: ours after all (an earlier create of it
 *   landed). Otherwise an ID collision, so draw a new token (never touching that Secret).
 * - 429 (and 401/403): certainly not applied; the adapter already retried 429s as far as the
 *   deadline allows.
 * - timeout, reset, 5xx: the outcome is unknown. Read the name back: ours is success; absent (or
 *   the read failed) means the same create is simply sent again, since a late landing of the
 *   first one would make it answer 409, which the read-back resolves.
 * When the deadline or the bounds end this while a create of a token may still land, the token
 * is reported in `MintError.abandoned` for the caller to revoke later; no DELETE is sent here (a
 * DELETE racing a late create proves nothing, and would only lengthen the node's wait).
 */
export async function mintBootstrapToken(kube: KubeApi, random: Random, request: MintRequest): Promise<MintedToken> {
  const expiresAt = new Date(Math.floor(request.now.getTime() / 1000) * 1000 + request.pool.tokenTtl * 1000);
  const within = request.deadline === undefined ? {} : { deadline: request.deadline };
  for (let attempt = 1; attempt <= MAX_ID_ATTEMPTS; attempt++) {
    const token = generateBootstrapToken(random);
    const secret = secretFor(request, token, expiresAt);
    let unknown = 0;
    let lastUnknown: KubeApiError | undefined;
    const giveUp = (error: KubeApiError, retryAfterSeconds: number): MintError =>
      new MintError(error.message, error.retryAfterSeconds ?? retryAfterSeconds, unknown > 0 ? [token.id] : []);
    for (;;) {
      let failure: KubeApiError;
      try {
        return { token, expiresAt, secret: await kube.createSecret(BOOTSTRAP_TOKEN_NAMESPACE, secret, within) };
      } catch (error) {
        if (!(error instanceof KubeApiError)) throw error;
        failure = error;
      }
      if (failure.certainlyNotApplied) {
        // The deadline or the API's overload ended it. A deadline that cut a repeated create short
        // is reported with the unknown outcome before it, which says what went wrong first.
        throw giveUp(failure.failure === 'deadline' && lastUnknown !== undefined ? lastUnknown : failure, unknown > 0 ? 2 : 1);
      }
      if (failure.isAlreadyExists) {
        const found = await readBack(kube, token, within);
        // A repeated create of our own Secret also answers 409: then it is ours after all.
        if (found.kind === 'ours') return { token, expiresAt, secret: found.secret };
        // Not known to be ours while an earlier create of it may still land: stop here.
        if (unknown > 0 && found.kind !== 'foreign') throw giveUp(lastUnknown ?? failure, 2);
        break; // an ID collision: draw a new token
      }
      unknown++;
      lastUnknown = failure;
      const found = await readBack(kube, token, within);
      if (found.kind === 'ours') return { token, expiresAt, secret: found.secret };
      // An ID collision after an unknown outcome: our create cannot land any more (the name is
      // taken), so nothing of ours is left behind; the node comes back later.
      if (found.kind === 'foreign') throw new MintError(failure.message, 2);
      if (found.kind === 'deadline' || unknown >= MAX_UNKNOWN_CREATES) throw giveUp(failure, 2);
      // absent (or the read failed): send the same create again.
    }
  }
  throw new MintError(`no free token ID after ${MAX_ID_ATTEMPTS} attempts`, 1);
}

type ReadBack = { kind: 'ours'; secret: V1Secret } | { kind: 'foreign' } | { kind: 'absent' } | { kind: 'unknown' } | { kind: 'deadline' };

/** What the API holds under this token's name: our Secret, another token's, nothing, unknown (the read failed), or no time left to ask. */
async function readBack(kube: KubeApi, token: BootstrapToken, options: KubeCallOptions): Promise<ReadBack> {
  let found: V1Secret | undefined;
  try {
    found = await kube.getSecret(BOOTSTRAP_TOKEN_NAMESPACE, tokenSecretName(token.id), options);
  } catch (error) {
    return { kind: error instanceof KubeApiError && error.failure === 'deadline' ? 'deadline' : 'unknown' };
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
export function revokeBootstrapToken(kube: KubeApi, tokenId: string, options: KubeCallOptions = {}): Promise<boolean> {
  return kube.deleteSecret(BOOTSTRAP_TOKEN_NAMESPACE, tokenSecretName(tokenId), undefined, options);
}
