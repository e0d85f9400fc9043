import type {
  ClaimRequest,
  ClaimResult,
  CommitRequest,
  JoinRecord,
  LaunchDetails,
  LaunchExpectation,
  LaunchResult,
  ResetRequest,
  ResetResult,
  TerminateResult,
  TokenMarkResult,
} from './ledger.js';

/**
 * The ledger's state for one instance identity and the pure transitions on it. The Durable
 * Object applies them under its single-threaded execution; no I/O, no clock (`now` is passed).
 */
export interface InstanceState {
  record?: JoinRecord;
  claim?: { id: string; issuedAt: string; expiresAt: string };
  /** A lifecycle launch hook announced the instance (kept across resets). */
  launch?: LaunchExpectation;
  /** A lifecycle terminate hook closed the instance, whether or not it ever joined. */
  terminatedAt?: string;
  /** The last admin reset. */
  lastReset?: { at: string; by: string };
}

export type Transition<T> = { result: T; state: InstanceState };

/** Nothing worth keeping: the Durable Object deletes its storage. */
export const isEmptyState = (state: InstanceState): boolean => Object.values(state).every((value) => value === undefined);

const terminatedAt = (state: InstanceState): string | undefined => state.terminatedAt ?? state.record?.terminatedAt;

/**
 * The one-join rule. A terminated instance never joins again: its identity document stays
 * valid (and replayable) for the freshness window after the machine is gone. A live claim blocks
 * every other request for the instance (`in_flight`); an expired claim is ignored, so a request
 * that crashed mid-join cannot block the instance for longer than the lease. With the pool's
 * `requireLaunchHook`, only an instance its autoscaling group announced may claim — checked here,
 * atomically with the claim, so a launch and a join racing each other cannot both miss it.
 * A committed join admits another only as the pool's rejoin policy says.
 */
export function claimInstance(state: InstanceState, request: ClaimRequest, claimId: string): Transition<ClaimResult> {
  const now = request.now.getTime();
  const terminated = terminatedAt(state);
  if (terminated !== undefined) {
    return { result: { ok: false, reason: 'terminated', detail: `instance was terminated at ${terminated}` }, state };
  }
  if (state.claim !== undefined && Date.parse(state.claim.expiresAt) > now) {
    return { result: { ok: false, reason: 'in_flight', detail: 'another join for this instance is in progress' }, state };
  }
  if (request.requireLaunch === true && state.launch === undefined) {
    return { result: { ok: false, reason: 'not_announced', detail: 'no launch hook recorded' }, state };
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
  const { claim: _committed, ...rest } = state;
  const record: JoinRecord = { ...request.record, key: request.key, joins: (state.record?.joins ?? 0) + 1 };
  return { result: true, state: { ...rest, record } };
}

export function releaseClaim(state: InstanceState, claimId: string): Transition<boolean> {
  if (state.claim?.id !== claimId) return { result: false, state };
  const { claim: _released, ...rest } = state;
  return { result: true, state: rest };
}

/**
 * Admin reset: forgets the join and any termination, so the instance may join again. A join in
 * flight keeps its claim (it is already joining); the launch announcement stays true.
 */
export function resetInstance(state: InstanceState, request: ResetRequest): Transition<ResetResult> {
  const terminated = terminatedAt(state);
  if (state.record === undefined && terminated === undefined) return { result: { found: false }, state };
  const { record: previous, terminatedAt: _forgotten, ...rest } = state;
  return {
    result: { found: true, previous, terminatedAt: terminated },
    state: { ...rest, lastReset: { at: request.at.toISOString(), by: request.by } },
  };
}

/**
 * Lifecycle terminate. Drops a claim in flight, so that join cannot commit (the pipeline then
 * revokes what it minted). A second call keeps the first time: redelivered events change nothing.
 */
export function terminateInstance(state: InstanceState, at: Date): Transition<TerminateResult> {
  const existing = terminatedAt(state);
  if (existing !== undefined) return { result: { record: state.record, terminatedAt: existing, alreadyTerminated: true }, state };
  const when = at.toISOString();
  const { claim: _dropped, record: joined, ...rest } = state;
  const record = joined === undefined ? undefined : { ...joined, terminatedAt: when };
  return {
    result: { record, terminatedAt: when, alreadyTerminated: false },
    state: { ...rest, ...(record === undefined ? {} : { record }), terminatedAt: when },
  };
}

type TokenMark = 'tokenUsedAt' | 'tokenRevokedAt';

/** Marks the instance's current token; a token of an earlier join (or of no join) is unknown. */
export function markToken(state: InstanceState, tokenId: string, at: Date, mark: TokenMark): Transition<TokenMarkResult> {
  const record = state.record;
  if (record === undefined || record.tokenId !== tokenId) return { result: 'unknown_token', state };
  if (record[mark] !== undefined) return { result: 'already_marked', state };
  return { result: 'marked', state: { ...state, record: { ...record, [mark]: at.toISOString() } } };
}

/** Lifecycle launch. The first announcement is kept: redelivered events change nothing. */
export function expectLaunch(state: InstanceState, at: Date, details: LaunchDetails): Transition<LaunchResult> {
  if (state.launch !== undefined) return { result: { launch: state.launch, alreadyExpected: true }, state };
  // Copy the known fields only: the details arrive over RPC from a hook handler.
  const kept: LaunchDetails = {};
  if (typeof details.autoScalingGroupName === 'string') kept.autoScalingGroupName = details.autoScalingGroupName;
  if (typeof details.source === 'string') kept.source = details.source;
  if (typeof details.eventId === 'string') kept.eventId = details.eventId;
  const launch: LaunchExpectation = { expectedAt: at.toISOString(), details: kept };
  return { result: { launch, alreadyExpected: false }, state: { ...state, launch } };
}
