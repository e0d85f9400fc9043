import { describe, expect, it } from 'vitest';
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
} from '../../src/ledger/instance-state.js';
import type { ClaimRequest, CommitRequest } from '../../src/ledger/ledger.js';
import type { RejoinPolicy } from '../../src/policy/schema.js';

const key = { provider: 'aws' as const, account: '123456789012', instanceId: 'i-0123456789abcdef0' };
const T0 = new Date('2026-11-30T12:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

const claimAt = (seconds: number, issuedAt = T0, rejoin: RejoinPolicy = 'never'): ClaimRequest => ({
  key,
  issuedAt,
  rejoin,
  now: at(seconds),
  leaseMs: 60_000,
});

const commitAt = (seconds: number, claimId: string, issuedAt = T0): CommitRequest => ({
  key,
  claimId,
  now: at(seconds),
  record: {
    identity: { ...key, region: 'us-east-1' },
    issuedAt: issuedAt.toISOString(),
    nodeName: 'ip-10-0-1-23.ec2.internal',
    pool: 'workers',
    tokenId: 'abcdef',
    mintedAt: at(seconds).toISOString(),
    tokenExpiresAt: at(seconds + 600).toISOString(),
  },
});

function joined(rejoin: RejoinPolicy = 'never'): InstanceState {
  const { state } = claimInstance({}, claimAt(0, T0, rejoin), 'c1');
  return commitClaim(state, commitAt(1, 'c1')).state;
}

describe('the one-join rule', () => {
  it('claims a new instance', () => {
    const { result, state } = claimInstance({}, claimAt(0), 'c1');
    expect(result).toEqual({ ok: true, claimId: 'c1' });
    expect(state.claim).toEqual({ id: 'c1', issuedAt: T0.toISOString(), expiresAt: at(60).toISOString() });
  });

  it('refuses a second request while the first is in flight', () => {
    const { state } = claimInstance({}, claimAt(0), 'c1');
    expect(claimInstance(state, claimAt(59.999), 'c2').result).toMatchObject({ ok: false, reason: 'in_flight' });
  });

  it('lets a claim left by a crash expire after the lease', () => {
    const { state } = claimInstance({}, claimAt(0), 'c1');
    expect(claimInstance(state, claimAt(60), 'c2').result).toEqual({ ok: true, claimId: 'c2' });
  });

  it('commits once, keeping the record, and then refuses a replay (rejoin: never)', () => {
    const state = joined();
    expect(state.claim).toBeUndefined();
    expect(state.record).toMatchObject({ key, nodeName: 'ip-10-0-1-23.ec2.internal', tokenId: 'abcdef', joins: 1 });
    expect(claimInstance(state, claimAt(5), 'c2').result).toMatchObject({ ok: false, reason: 'already_joined' });
  });

  it('does not commit with a claim that expired or is not ours', () => {
    const { state } = claimInstance({}, claimAt(0), 'c1');
    expect(commitClaim(state, commitAt(60, 'c1')).result).toBe(false);
    expect(commitClaim(state, commitAt(1, 'other')).result).toBe(false);
  });

  it('releases a claim so the instance can try again at once', () => {
    const { state } = claimInstance({}, claimAt(0), 'c1');
    const released = releaseClaim(state, 'c1');
    expect(released).toEqual({ result: true, state: {} });
    expect(claimInstance(released.state, claimAt(1), 'c2').result).toEqual({ ok: true, claimId: 'c2' });
    expect(releaseClaim(state, 'other').result).toBe(false);
  });

  it('after-relaunch: a newer pendingTime joins again, the same one is refused', () => {
    const state = joined('after-relaunch');
    expect(claimInstance(state, claimAt(10, T0, 'after-relaunch'), 'c2').result).toMatchObject({ ok: false, reason: 'already_joined' });
    expect(claimInstance(state, claimAt(10, at(-1), 'after-relaunch'), 'c2').result).toMatchObject({ ok: false, reason: 'already_joined' });
    expect(claimInstance(state, claimAt(10, at(1), 'after-relaunch'), 'c2').result).toEqual({ ok: true, claimId: 'c2' });
  });

  it('always-within-window: joins again (freshness is checked before the ledger)', () => {
    expect(claimInstance(joined(), claimAt(10, T0, 'always-within-window'), 'c2').result).toEqual({ ok: true, claimId: 'c2' });
  });

  it('counts joins across rejoins', () => {
    const { state } = claimInstance(joined(), claimAt(10, at(5), 'after-relaunch'), 'c2');
    expect(commitClaim(state, commitAt(11, 'c2', at(5))).state.record?.joins).toBe(2);
  });

  it('never admits a terminated instance again', () => {
    const state = joined();
    state.record!.terminatedAt = at(100).toISOString();
    expect(claimInstance(state, claimAt(200, at(150), 'always-within-window'), 'c2').result).toEqual({
      ok: false,
      reason: 'terminated',
      detail: `instance was terminated at ${at(100).toISOString()}`,
    });
  });
});

describe('admin reset', () => {
  it('forgets the join so the same document joins again (rejoin: never), and says who and when', () => {
    const { result, state } = resetInstance(joined(), { at: at(30), by: 'admin-token' });
    expect(result).toMatchObject({ found: true, previous: { tokenId: 'abcdef', nodeName: 'ip-10-0-1-23.ec2.internal' }, terminatedAt: undefined });
    expect(state).toEqual({ lastReset: { at: at(30).toISOString(), by: 'admin-token' } });
    expect(claimInstance(state, claimAt(31), 'c2').result).toEqual({ ok: true, claimId: 'c2' });
  });

  it('forgets a termination too', () => {
    const terminated = terminateInstance(joined(), at(10)).state;
    const { result, state } = resetInstance(terminated, { at: at(20), by: 'alice@example.com' });
    expect(result).toMatchObject({ found: true, terminatedAt: at(10).toISOString() });
    expect(claimInstance(state, claimAt(21), 'c2').result).toEqual({ ok: true, claimId: 'c2' });
  });

  it('finds nothing to reset on an unknown instance, or one that only has a claim or a launch', () => {
    expect(resetInstance({}, { at: at(0), by: 'x' })).toEqual({ result: { found: false }, state: {} });
    const claimed = claimInstance({}, claimAt(0), 'c1').state;
    expect(resetInstance(claimed, { at: at(1), by: 'x' })).toEqual({ result: { found: false }, state: claimed });
    const launched = expectLaunch({}, at(0), {}).state;
    expect(resetInstance(launched, { at: at(1), by: 'x' }).result).toEqual({ found: false });
  });

  it('leaves a join in flight and the launch announcement alone', () => {
    const launched = expectLaunch(joined('always-within-window'), at(2), { autoScalingGroupName: 'asg' }).state;
    const inFlight = claimInstance(launched, claimAt(3, T0, 'always-within-window'), 'c2').state;
    const { state } = resetInstance(inFlight, { at: at(4), by: 'x' });
    expect(state.claim?.id).toBe('c2');
    expect(state.launch).toEqual({ expectedAt: at(2).toISOString(), details: { autoScalingGroupName: 'asg' } });
    expect(commitClaim(state, commitAt(5, 'c2')).state.record?.joins).toBe(1);
  });
});

describe('token marks', () => {
  it.each(['tokenRevokedAt', 'tokenUsedAt'] as const)('%s: marks the current token once, keeps the first time, ignores other tokens', (mark) => {
    const first = markToken(joined(), 'abcdef', at(10), mark);
    expect(first.result).toBe('marked');
    expect(first.state.record?.[mark]).toBe(at(10).toISOString());
    const again = markToken(first.state, 'abcdef', at(20), mark);
    expect(again).toEqual({ result: 'already_marked', state: first.state });
    expect(markToken(joined(), 'zzzzzz', at(10), mark)).toEqual({ result: 'unknown_token', state: joined() });
    expect(markToken({}, 'abcdef', at(10), mark)).toEqual({ result: 'unknown_token', state: {} });
  });

  it('a used token can still be marked revoked (and the other way round)', () => {
    const used = markToken(joined(), 'abcdef', at(10), 'tokenUsedAt').state;
    const both = markToken(used, 'abcdef', at(11), 'tokenRevokedAt');
    expect(both.result).toBe('marked');
    expect(both.state.record).toMatchObject({ tokenUsedAt: at(10).toISOString(), tokenRevokedAt: at(11).toISOString() });
  });
});

describe('lifecycle terminate', () => {
  it('marks the record and returns it for the caller to revoke and clean up; later joins are refused', () => {
    const { result, state } = terminateInstance(joined('always-within-window'), at(100));
    expect(result).toMatchObject({ terminatedAt: at(100).toISOString(), alreadyTerminated: false, record: { tokenId: 'abcdef', nodeName: 'ip-10-0-1-23.ec2.internal', terminatedAt: at(100).toISOString() } });
    expect(state.terminatedAt).toBe(at(100).toISOString());
    expect(claimInstance(state, claimAt(101, at(101), 'always-within-window'), 'c2').result).toMatchObject({ ok: false, reason: 'terminated' });
  });

  it('terminates an instance that never joined, so a replay of its document cannot join later', () => {
    const { result, state } = terminateInstance({}, at(5));
    expect(result).toEqual({ record: undefined, terminatedAt: at(5).toISOString(), alreadyTerminated: false });
    expect(state).toEqual({ terminatedAt: at(5).toISOString() });
    expect(claimInstance(state, claimAt(6), 'c1').result).toMatchObject({ ok: false, reason: 'terminated' });
  });

  it('is idempotent: the second call keeps the first time and changes nothing', () => {
    const first = terminateInstance(joined(), at(100)).state;
    const second = terminateInstance(first, at(200));
    expect(second.result).toMatchObject({ terminatedAt: at(100).toISOString(), alreadyTerminated: true });
    expect(second.state).toBe(first);
  });

  it('drops a claim in flight, so that join cannot commit', () => {
    const claimed = claimInstance({}, claimAt(0), 'c1').state;
    const { state } = terminateInstance(claimed, at(1));
    expect(state.claim).toBeUndefined();
    expect(commitClaim(state, commitAt(2, 'c1')).result).toBe(false);
  });
});

describe('lifecycle launch and requireLaunchHook', () => {
  const requiring = (seconds: number): ClaimRequest => ({ ...claimAt(seconds), requireLaunch: true });

  it('refuses an instance no launch hook announced, and admits it once one did', () => {
    // The refusal leaves the state as it was: no claim is taken, so nothing blocks the retry.
    expect(claimInstance({}, requiring(0), 'c1')).toEqual({ result: { ok: false, reason: 'not_announced', detail: 'no launch hook recorded' }, state: {} });
    const { result, state } = expectLaunch({}, at(0), { autoScalingGroupName: 'asg-workers', source: 'sns', eventId: 'm-1' });
    expect(result).toEqual({ alreadyExpected: false, launch: { expectedAt: at(0).toISOString(), details: { autoScalingGroupName: 'asg-workers', source: 'sns', eventId: 'm-1' } } });
    expect(claimInstance(state, requiring(1), 'c1').result).toEqual({ ok: true, claimId: 'c1' });
  });

  it('without the requirement, an unannounced instance joins', () => {
    expect(claimInstance({}, { ...claimAt(0), requireLaunch: false }, 'c1').result).toEqual({ ok: true, claimId: 'c1' });
  });

  it('is idempotent and keeps only the known detail fields', () => {
    const first = expectLaunch({}, at(0), { eventId: 'm-1', extra: 'dropped' } as never).state;
    expect(first.launch).toEqual({ expectedAt: at(0).toISOString(), details: { eventId: 'm-1' } });
    const second = expectLaunch(first, at(9), { eventId: 'm-2' });
    expect(second).toEqual({ result: { launch: first.launch, alreadyExpected: true }, state: first });
  });

  it('the announcement survives the commit (a later rejoin still counts as announced)', () => {
    const launched = expectLaunch({}, at(0), {}).state;
    const claimed = claimInstance(launched, { ...requiring(1), rejoin: 'always-within-window' }, 'c1').state;
    const committed = commitClaim(claimed, commitAt(2, 'c1')).state;
    expect(committed.launch).toBeDefined();
    expect(claimInstance(committed, { ...requiring(3), rejoin: 'always-within-window' }, 'c2').result).toEqual({ ok: true, claimId: 'c2' });
  });
});

describe('isEmptyState', () => {
  it.each([
    [{}, true],
    [{ claim: undefined }, true],
    [{ terminatedAt: 'x' }, false],
    [{ launch: { expectedAt: 'x', details: {} } }, false],
  ] as [InstanceState, boolean][])('%j → %s', (state, empty) => {
    expect(isEmptyState(state)).toBe(empty);
  });
});
