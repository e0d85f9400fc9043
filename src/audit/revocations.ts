/**
 * When a "revoke later" record is checked again, and when it is done: pure transitions over a
 * {@link PendingRevocation}. No I/O, no clock: `now` is passed in.
 *
 * A join that gives up while a create of its token may still land (a timeout, a reset, a 5xx
 * and no read-back that settled it before JOIN_DEADLINE_MS) cannot know whether the Secret will
 * exist. It records the token ID instead, and the join index's poller (its alarm) checks:
 * - the Secret is the broker's, for that token and instance: delete it (UID precondition) — done;
 * - the Secret is someone else's (an ID collision): leave it — done;
 * - no Secret: a late create may still be on its way through the API server, so look again, until
 *   {@link REVOCATION_SETTLE_MS} after the join gave up — then done;
 * - the API could not be asked (or refused the DELETE): look again, until
 *   {@link REVOCATION_GIVE_UP_MS}; the token's own `expiration` (the pool's TTL) is the last resort.
 * Checks come {@link REVOCATION_FIRST_CHECK_MS} after the record, then twice as far apart, at most
 * {@link REVOCATION_MAX_INTERVAL_MS}. So a live token no node received lives at most about
 * REVOCATION_SETTLE_MS + one check interval after its join was answered, not its whole TTL —
 * unless its create lands later still, or the API refuses for longer.
 */
import type { PendingRevocation, RevocationRequest } from './audit.js';

export const REVOCATION_FIRST_CHECK_MS = 2000;
export const REVOCATION_MAX_INTERVAL_MS = 16_000;
/** How long after the join gave up an absent Secret is watched for a create that lands late. */
export const REVOCATION_SETTLE_MS = 60_000;
/** How long checks that fail (API down, DELETE refused) go on. */
export const REVOCATION_GIVE_UP_MS = 3_600_000;

/** What a check found. */
export type RevocationFinding = 'revoked' | 'foreign' | 'absent' | 'failed';

export type RevocationStep =
  | { readonly kind: 'settle'; readonly outcome: 'revoked' | 'foreign' | 'absent' | 'gave_up' }
  | { readonly kind: 'again'; readonly checkAt: string };

export function pendingRevocation(request: RevocationRequest): PendingRevocation {
  return { ...request, checkAt: new Date(Date.parse(request.at) + REVOCATION_FIRST_CHECK_MS).toISOString(), checks: 0 };
}

/** The next check after `checks` checks, counted from `now`. */
export const nextCheckAt = (checks: number, now: Date): string =>
  new Date(now.getTime() + Math.min(REVOCATION_MAX_INTERVAL_MS, REVOCATION_FIRST_CHECK_MS * 2 ** Math.max(0, checks))).toISOString();

/** What to do with the record after a check that found `finding` at `now`. */
export function afterRevocationCheck(pending: PendingRevocation, finding: RevocationFinding, now: Date): RevocationStep {
  const age = now.getTime() - Date.parse(pending.at);
  if (finding === 'revoked' || finding === 'foreign') return { kind: 'settle', outcome: finding };
  if (finding === 'absent') return age >= REVOCATION_SETTLE_MS ? { kind: 'settle', outcome: 'absent' } : { kind: 'again', checkAt: nextCheckAt(pending.checks + 1, now) };
  return age >= REVOCATION_GIVE_UP_MS ? { kind: 'settle', outcome: 'gave_up' } : { kind: 'again', checkAt: nextCheckAt(pending.checks + 1, now) };
}
