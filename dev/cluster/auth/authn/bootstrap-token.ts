/**
 * The bootstrap-token authenticator, plugin/pkg/auth/authenticator/token/bootstrap/bootstrap.go
 * `AuthenticateToken`, step for step. Every failure is the same "not authenticated" result, whatever
 * its cause, so the wire cannot tell an unknown id from a wrong secret; the secret is compared in
 * constant time (subtle.ConstantTimeCompare ⇒ crypto.timingSafeEqual, with a length check that,
 * like Go's, leaks only the length).
 */
import type { V1Secret } from '@kubernetes/client-node';
import { timingSafeEqual } from 'node:crypto';
import {
  BOOTSTRAP_TOKEN_SECRET_PREFIX,
  BOOTSTRAP_TOKEN_SECRET_TYPE,
  BOOTSTRAP_USER_PREFIX,
  isExpired,
  secretData,
  secretDataBytes,
  TOKEN_PATTERN,
  tokenGroups,
} from '../../bootstrap/token.js';
import type { Clock } from '../../clock.js';
import type { ObjectStore } from '../../storage/store.js';
import type { UserInfo } from '../user.js';

export type BootstrapTokenRejection =
  | 'not-a-bootstrap-token'
  | 'secret-not-found'
  | 'secret-deleting'
  | 'wrong-type-or-no-data'
  | 'secret-mismatch'
  | 'id-mismatch'
  | 'expired'
  | 'not-for-authentication'
  | 'invalid-extra-groups';

export type BootstrapTokenResult = { ok: true; user: UserInfo } | { ok: false; reason: BootstrapTokenRejection };

function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

export function authenticateBootstrapToken(token: string, store: ObjectStore, clock: Clock): BootstrapTokenResult {
  const m = TOKEN_PATTERN.exec(token);
  if (!m) return { ok: false, reason: 'not-a-bootstrap-token' };
  const [, id, tokenSecret] = m as unknown as [string, string, string];
  const secret = store.get('secrets', 'kube-system', `${BOOTSTRAP_TOKEN_SECRET_PREFIX}${id}`) as V1Secret | undefined;
  if (!secret) return { ok: false, reason: 'secret-not-found' };
  if (secret.metadata?.deletionTimestamp) return { ok: false, reason: 'secret-deleting' };
  if (secret.type !== BOOTSTRAP_TOKEN_SECRET_TYPE || !secret.data) return { ok: false, reason: 'wrong-type-or-no-data' };
  if (!constantTimeEqual(secretDataBytes(secret, 'token-secret'), Buffer.from(tokenSecret, 'utf8'))) {
    return { ok: false, reason: 'secret-mismatch' };
  }
  if (secretData(secret, 'token-id') !== id) return { ok: false, reason: 'id-mismatch' };
  if (isExpired(secret, clock.now())) return { ok: false, reason: 'expired' };
  if (secretData(secret, 'usage-bootstrap-authentication') !== 'true') return { ok: false, reason: 'not-for-authentication' };
  const groups = tokenGroups(secret);
  if (!groups.ok) return { ok: false, reason: 'invalid-extra-groups' };
  return { ok: true, user: { name: `${BOOTSTRAP_USER_PREFIX}${id}`, groups: groups.groups } };
}
