import type { NonceObject } from './nonce-object.js';
import { BROKER_NONCE } from './nonce.js';
import type { NonceStore } from './nonce-store.js';

/**
 * The NonceStore the Worker uses: each nonce addresses its own Durable Object, by name. A value
 * that is not a broker nonce (e.g. IMDS's default timestamp nonce) is `unknown` without touching
 * storage, so a document can never make the broker create objects for names it did not issue.
 */
export function createDurableObjectNonceStore(namespace: DurableObjectNamespace<NonceObject>): NonceStore {
  return {
    async issue({ nonce, issuedAt, expiresAt }) {
      return namespace.getByName(nonce).issue(issuedAt.toISOString(), expiresAt.toISOString());
    },
    async consume({ nonce, now }) {
      if (!BROKER_NONCE.test(nonce)) return { ok: false, reason: 'unknown' };
      return namespace.getByName(nonce).consume(now.toISOString());
    },
  };
}
