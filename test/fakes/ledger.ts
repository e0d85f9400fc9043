import { claimInstance, commitClaim, releaseClaim, type InstanceState, type Transition } from '../../src/ledger/instance-state.js';
import { ledgerKeyString, type JoinLedger, type LedgerKey } from '../../src/ledger/ledger.js';

/**
 * The ledger's pure transitions over a Map, for fast tests of the app. The Durable Object is
 * exercised inside workerd by test/worker/ledger.test.ts.
 */
export function inMemoryLedger(): JoinLedger & { states: Map<string, InstanceState> } {
  const states = new Map<string, InstanceState>();
  let claims = 0;
  const apply = <T>(key: LedgerKey, transition: (state: InstanceState) => Transition<T>): T => {
    const { result, state } = transition(states.get(ledgerKeyString(key)) ?? {});
    states.set(ledgerKeyString(key), state);
    return result;
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
      return states.get(ledgerKeyString(key))?.record;
    },
  };
}
