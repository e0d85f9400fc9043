/**
 * One nonce's state and the pure transitions on it: issue, and consume at most once before it
 * expires. No I/O, no clock (`now` is passed in). The Durable Object applies these under its
 * single-threaded execution (nonce-object.ts); tests apply them to a Map.
 */
export interface NonceRecord {
  readonly issuedAt: string;
  /** Inclusive: the nonce is usable at `expiresAt` and refused one millisecond later. */
  readonly expiresAt: string;
  readonly usedAt?: string;
}

export type NonceRefusal = 'unknown' | 'expired' | 'used';

export type NonceConsumeResult = { readonly ok: true } | { readonly ok: false; readonly reason: NonceRefusal };

export interface NonceTransition<T> {
  readonly result: T;
  readonly record: NonceRecord | undefined;
}

/** Records a new nonce; refuses (false) if one with the same value exists, used or not. */
export function issueNonceRecord(record: NonceRecord | undefined, issued: { issuedAt: Date; expiresAt: Date }): NonceTransition<boolean> {
  if (record !== undefined) return { result: false, record };
  return { result: true, record: { issuedAt: issued.issuedAt.toISOString(), expiresAt: issued.expiresAt.toISOString() } };
}

/**
 * Spends the nonce. `unknown`: never issued (or already swept after expiry); `expired`: past
 * `expiresAt`; `used`: consumed before. A refusal leaves the record as it was.
 */
export function consumeNonceRecord(record: NonceRecord | undefined, now: Date): NonceTransition<NonceConsumeResult> {
  if (record === undefined) return { result: { ok: false, reason: 'unknown' }, record };
  if (record.usedAt !== undefined) return { result: { ok: false, reason: 'used' }, record };
  if (now.getTime() > Date.parse(record.expiresAt)) return { result: { ok: false, reason: 'expired' }, record };
  return { result: { ok: true }, record: { ...record, usedAt: now.toISOString() } };
}
