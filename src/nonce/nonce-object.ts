import { DurableObject } from 'cloudflare:workers';
import { consumeNonceRecord, issueNonceRecord, type NonceConsumeResult, type NonceRecord, type NonceTransition } from './nonce-state.js';

const RECORD_KEY = 'nonce';
/** Keep a spent or expired record this long past expiry before the alarm deletes it. */
const SWEEP_GRACE_MS = 60_000;

/**
 * One Durable Object per broker nonce (see SCHEMA.md). Each RPC reads the record, applies a pure
 * transition and writes it back synchronously (SQLite-backed sync KV); the object's single thread
 * makes "consume" a compare-and-set, so a nonce is spent once however many isolates race for it.
 * An alarm deletes the record after it expires; the clock is always the caller's (`now` arguments).
 */
export class NonceObject extends DurableObject {
  private apply<T>(transition: (record: NonceRecord | undefined) => NonceTransition<T>): T {
    const kv = this.ctx.storage.kv;
    const { result, record } = transition(kv.get<NonceRecord>(RECORD_KEY));
    if (record === undefined) kv.delete(RECORD_KEY);
    else kv.put(RECORD_KEY, record);
    return result;
  }

  async issue(issuedAt: string, expiresAt: string): Promise<boolean> {
    const issued = this.apply((record) => issueNonceRecord(record, { issuedAt: new Date(issuedAt), expiresAt: new Date(expiresAt) }));
    if (issued) await this.ctx.storage.setAlarm(Date.parse(expiresAt) + SWEEP_GRACE_MS);
    return issued;
  }

  consume(now: string): NonceConsumeResult {
    return this.apply((record) => consumeNonceRecord(record, new Date(now)));
  }

  override async alarm(): Promise<void> {
    this.ctx.storage.kv.delete(RECORD_KEY);
  }
}
