import { describe, expect, it } from 'vitest';
import { claimInstance, commitClaim, releaseClaim, type InstanceState } from '../../src/ledger/instance-state.js';
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
    expect(claimInstance(state, claimAt(200, at(150), 'always-within-window'), 'c2').result).toMatchObject({ ok: false, reason: 'already_joined' });
  });
});
