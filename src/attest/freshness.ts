/**
 * Freshness of an identity document, for every provider. Pure: `now` is passed in.
 *
 * A signed identity document is a bearer credential for as long as the broker accepts it; the
 * window bounds how long a leaked or replayed document (logs, a compromised process on the
 * instance, a captured request) can be used. Boundaries are inclusive and exact to the
 * millisecond: age == maxAge passes, maxAge + 1 s fails; issued maxFuture seconds ahead passes,
 * one second more fails (clock skew between the cloud and the broker, not a licence to pre-date).
 */
import type { AttestFailure } from './identity.js';

export interface FreshnessWindow {
  /** Oldest accepted document, in seconds since `issuedAt` (policy's pool window, default 600). */
  readonly maxAgeSeconds: number;
  /** How far in the future `issuedAt` may be, in seconds. Default 60. */
  readonly maxFutureSeconds?: number;
}

export const DEFAULT_MAX_FUTURE_SECONDS = 60;

export type FreshnessResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly error: AttestFailure & { readonly reason: 'stale_document' } };

/**
 * Whether a document issued at `issuedAt` is fresh at `now`. An invalid window is a
 * configuration error and throws a RangeError; an invalid `issuedAt` or `now` is stale.
 */
export function checkFreshness(issuedAt: Date, now: Date, window: FreshnessWindow): FreshnessResult {
  const { maxAgeSeconds, maxFutureSeconds = DEFAULT_MAX_FUTURE_SECONDS } = window;
  if (!Number.isFinite(maxAgeSeconds) || maxAgeSeconds < 0 || !Number.isFinite(maxFutureSeconds) || maxFutureSeconds < 0) {
    throw new RangeError(`invalid freshness window: maxAgeSeconds=${maxAgeSeconds}, maxFutureSeconds=${maxFutureSeconds}`);
  }
  const stale = (detail: string): FreshnessResult => ({ ok: false, error: { reason: 'stale_document', detail } });
  const issued = issuedAt.getTime();
  const current = now.getTime();
  if (Number.isNaN(issued) || Number.isNaN(current)) return stale('issuedAt or now is not a valid time');

  const ageMs = current - issued;
  if (ageMs > maxAgeSeconds * 1000) {
    return stale(`issued ${formatSeconds(ageMs)} s before now (${issuedAt.toISOString()}), window ${maxAgeSeconds} s`);
  }
  if (-ageMs > maxFutureSeconds * 1000) {
    return stale(`issued ${formatSeconds(-ageMs)} s after now (${issuedAt.toISOString()}), at most ${maxFutureSeconds} s allowed`);
  }
  return { ok: true };
}

const formatSeconds = (ms: number): string => (ms % 1000 === 0 ? String(ms / 1000) : (ms / 1000).toFixed(3));
