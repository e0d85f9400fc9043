import type { ClaimRequest, ClaimResult, CommitRequest, JoinRecord } from './ledger.js';

/**
 * The ledger's state for one instance identity and the pure transitions on it. The Durable
 * Object applies them under its single-threaded execution; no I/O, no clock (`now` is passed).
 */
export interface InstanceState {
  record?: JoinRecord;
  claim?: { id: string; issuedAt: string; expiresAt: string };
}

export type Transition<T> = { result: T; state: InstanceState };

/**
 * The one-join rule. A live claim blocks every other request for the instance (`in_flight`);
 * an expired claim is ignored, so a request that crashed mid-join cannot block the instance for
 * longer than the lease. A committed join admits another only as the pool's rejoin policy says.
 */
export function claimInstance(state: InstanceState, request: ClaimRequest, claimId: string): Transition<ClaimResult> {
  const now = request.now.getTime();
  if (state.claim !== undefined && Date.parse(state.claim.expiresAt) > now) {
    return { result: { ok: false, reason: 'in_flight', detail: 'another join for this instance is in progress' }, state };
  }
  const record = state.record;
  if (record !== undefined) {
    const refusal = rejoinRefusal(record, request);
    if (refusal !== undefined) return { result: { ok: false, reason: 'already_joined', detail: refusal }, state };
  }
  const claim = {
    id: claimId,
    issuedAt: request.issuedAt.toISOString(),
    expiresAt: new Date(now + request.leaseMs).toISOString(),
  };
  return { result: { ok: true, claimId }, state: { ...state, claim } };
}

function rejoinRefusal(record: JoinRecord, request: ClaimRequest): string | undefined {
  if (record.terminatedAt !== undefined) return `instance was terminated at ${record.terminatedAt}`;
  switch (request.rejoin) {
    case 'never':
      return `joined at ${record.mintedAt} as ${record.nodeName}; the pool allows one join per instance`;
    case 'after-relaunch':
      // AWS pendingTime changes only when the instance is started again (stop/start), so a newer
      // one proves a relaunch; replaying the old document keeps the old pendingTime.
      return request.issuedAt.getTime() > Date.parse(record.issuedAt)
        ? undefined
        : `document issued ${request.issuedAt.toISOString()} is not newer than the joined one (${record.issuedAt})`;
    case 'always-within-window':
      return undefined;
  }
}

export function commitClaim(state: InstanceState, request: CommitRequest): Transition<boolean> {
  if (state.claim?.id !== request.claimId || Date.parse(state.claim.expiresAt) <= request.now.getTime()) {
    return { result: false, state };
  }
  const record: JoinRecord = { ...request.record, key: request.key, joins: (state.record?.joins ?? 0) + 1 };
  return { result: true, state: { record } };
}

export function releaseClaim(state: InstanceState, claimId: string): Transition<boolean> {
  if (state.claim?.id !== claimId) return { result: false, state };
  const { claim: _released, ...rest } = state;
  return { result: true, state: rest };
}
