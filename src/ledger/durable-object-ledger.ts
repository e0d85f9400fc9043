import type { JoinLedgerObject } from './join-ledger-object.js';
import { ledgerKeyString, type JoinLedger, type LedgerKey } from './ledger.js';

/** The JoinLedger the Worker uses: each instance identity addresses its own Durable Object. */
export function createDurableObjectLedger(namespace: DurableObjectNamespace<JoinLedgerObject>): JoinLedger {
  const stub = (key: LedgerKey) => namespace.getByName(ledgerKeyString(key));
  return {
    async claim(request) {
      return stub(request.key).claim(request, crypto.randomUUID());
    },
    async commit(request) {
      return stub(request.key).commit(request);
    },
    async release(key, claimId) {
      await stub(key).release(claimId);
    },
    async get(key) {
      return stub(key).get();
    },
    async reset(key, request) {
      return stub(key).reset(request);
    },
    async markTokenRevoked(key, tokenId, at) {
      return stub(key).markTokenRevoked(tokenId, at);
    },
    async markTokenUsed(key, tokenId, at) {
      return stub(key).markTokenUsed(tokenId, at);
    },
    async markTerminated(key, at) {
      return stub(key).markTerminated(at);
    },
    async expectLaunch(key, at, details) {
      return stub(key).expectLaunch(at, details);
    },
  };
}
