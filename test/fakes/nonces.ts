import { consumeNonceRecord, issueNonceRecord, type NonceRecord, type NonceTransition } from '../../src/nonce/nonce-state.js';
import type { NonceStore } from '../../src/nonce/nonce-store.js';

/**
 * The nonce store's pure transitions over a Map, for fast tests of the app. The Durable Object
 * (src/nonce/nonce-object.ts) runs the same transitions inside workerd in test/e2e/providers.test.ts.
 */
export function inMemoryNonces(): NonceStore & { records: Map<string, NonceRecord> } {
  const records = new Map<string, NonceRecord>();
  const apply = <T>(nonce: string, transition: (record: NonceRecord | undefined) => NonceTransition<T>): T => {
    const { result, record } = transition(records.get(nonce));
    if (record === undefined) records.delete(nonce);
    else records.set(nonce, record);
    return result;
  };
  return {
    records,
    async issue({ nonce, issuedAt, expiresAt }) {
      return apply(nonce, (record) => issueNonceRecord(record, { issuedAt, expiresAt }));
    },
    async consume({ nonce, now }) {
      return apply(nonce, (record) => consumeNonceRecord(record, now));
    },
  };
}
