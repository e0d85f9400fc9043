import {
  claimInstance,
  commitClaim,
  expectLaunch,
  isEmptyState,
  markToken,
  releaseClaim,
  resetInstance,
  terminateInstance,
  type InstanceState,
  type Transition,
} from '../../src/ledger/instance-state.js';
import { ledgerKeyString, type JoinLedger, type LedgerKey } from '../../src/ledger/ledger.js';

/**
 * The ledger's pure transitions over a Map, for fast tests of the app. The Durable Object is
 * exercised inside workerd by test/e2e/ledger.test.ts and test/e2e/admin*.test.ts.
 */
export function inMemoryLedger(): JoinLedger & { states: Map<string, InstanceState> } {
  const states = new Map<string, InstanceState>();
  let claims = 0;
  const apply = <T>(key: LedgerKey, transition: (state: InstanceState) => Transition<T>): T => {
    const { result, state } = transition(structuredClone(states.get(ledgerKeyString(key)) ?? {}));
    if (isEmptyState(state)) states.delete(ledgerKeyString(key));
    else states.set(ledgerKeyString(key), state);
    return structuredClone(result);
  };
  return {
    states,
    async claim(request) {
      return apply(request.key, (state) => claimInstance(state, request, `claim-${++claims}`));
    },
    async commit(request) {
      return apply(request.key, (state) => commitClaim(state, request));
    },
    async release(key, claimId) {
      apply(key, (state) => releaseClaim(state, claimId));
    },
    async get(key) {
      return structuredClone(states.get(ledgerKeyString(key))?.record);
    },
    async reset(key, request) {
      return apply(key, (state) => resetInstance(state, request));
    },
    async markTokenRevoked(key, tokenId, at) {
      return apply(key, (state) => markToken(state, tokenId, at, 'tokenRevokedAt'));
    },
    async markTokenUsed(key, tokenId, at) {
      return apply(key, (state) => markToken(state, tokenId, at, 'tokenUsedAt'));
    },
    async markTerminated(key, at) {
      return apply(key, (state) => terminateInstance(state, at));
    },
    async expectLaunch(key, at, details) {
      return apply(key, (state) => expectLaunch(state, at, details));
    },
  };
}
