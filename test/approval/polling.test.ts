/** When the join index's one CSR poller polls (src/approval/polling.ts), at exact boundaries. */
import { describe, expect, it } from 'vitest';
import type { ApprovalReport } from '../../src/approval/approver.js';
import { APPROVAL_POLL_INTERVAL_MS, armPolling, NEW_POLLING, nextPoll, openApprovals, recordPoll, stopPolling, type OpenApprovals } from '../../src/approval/polling.js';

const T0 = new Date('2026-11-30T12:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const report = (over: Partial<ApprovalReport> = {}): ApprovalReport => ({ examined: 0, outcomes: [], tokensUsed: [], servingDecided: false, clientIssued: false, servingDecidedNodes: [], ...over });

describe('openApprovals: what keeps the poller going after a pass', () => {
  it.each<[string, number, string[], string[], OpenApprovals]>([
    ['nothing joined', 0, [], [], { awaitingClientCsr: 0, awaitingServingCsr: 0 }],
    ['three tokens awaiting their client CSR', 3, [], [], { awaitingClientCsr: 3, awaitingServingCsr: 0 }],
    ['two spent tokens, one node\'s serving CSR decided', 0, ['node-a', 'node-b'], ['node-a'], { awaitingClientCsr: 0, awaitingServingCsr: 1 }],
    ['a decided serving CSR of a node the index does not wait for', 0, ['node-a'], ['node-a', 'node-z'], { awaitingClientCsr: 0, awaitingServingCsr: 0 }],
  ])('%s', (_name, awaiting, recentlyUsed, decided, expected) => {
    expect(openApprovals(awaiting, recentlyUsed, decided)).toEqual(expected);
  });
});

describe('nextPoll', () => {
  it.each<[string, OpenApprovals, number, number, string]>([
    ['a token awaits its client CSR: one interval after the pass started', { awaitingClientCsr: 1, awaitingServingCsr: 0 }, 0, 300, `poll at +${APPROVAL_POLL_INTERVAL_MS}`],
    ['a node awaits its serving CSR', { awaitingClientCsr: 0, awaitingServingCsr: 1 }, 0, 300, `poll at +${APPROVAL_POLL_INTERVAL_MS}`],
    ['a pass longer than the interval: 100 ms after it ended', { awaitingClientCsr: 1000, awaitingServingCsr: 0 }, 0, 2500, 'poll at +2600'],
    ['nothing open: polling stops until the next mint arms it', { awaitingClientCsr: 0, awaitingServingCsr: 0 }, 0, 300, 'stop idle'],
  ])('%s', (_name, open, startedMs, nowMs, expected) => {
    const next = nextPoll(open, at(startedMs), at(nowMs));
    expect(next.kind === 'poll' ? `poll at +${next.at - T0.getTime()}` : `stop ${next.reason}`).toBe(expected);
  });
});

describe('recordPoll and armPolling', () => {
  it('counts polls, keeps their start times and each decision with the poll that made it', () => {
    let polling = recordPoll(NEW_POLLING, at(2000), at(2100), { report: report() });
    polling = recordPoll(polling, at(4000), at(4200), { report: report({ outcomes: [{ csr: 'c1', signerName: 's', createdAt: at(3000).toISOString(), action: 'approved' }, { csr: 'c2', signerName: 's', action: 'conflict' }] }) });
    expect(polling).toMatchObject({ polls: 2, pollTimesFrom: 1, pollTimes: [at(2000).toISOString(), at(4000).toISOString()] });
    expect(polling.decisions).toEqual([{ csr: 'c1', signerName: 's', createdAt: at(3000).toISOString(), action: 'approved', poll: 2, at: at(4200).toISOString() }]);
  });

  it('keeps the last 400 start times and says which poll the first of them was', () => {
    let polling = NEW_POLLING;
    for (let i = 0; i < 405; i++) polling = recordPoll(polling, at(i * 2000), at(i * 2000 + 10), { report: report() });
    expect(polling).toMatchObject({ polls: 405, pollTimesFrom: 6 });
    expect(polling.pollTimes).toHaveLength(400);
    expect(polling.pollTimes[0]).toBe(at(5 * 2000).toISOString());
  });

  it('a failed poll is recorded and cleared by the next good one', () => {
    let polling = recordPoll(NEW_POLLING, at(2000), at(2000), { error: 'list certificatesigningrequests: timeout' });
    expect(polling.lastError).toBe('list certificatesigningrequests: timeout');
    polling = recordPoll(polling, at(4000), at(4100), { report: report() });
    expect(polling).toMatchObject({ polls: 2 });
    expect(polling.lastError).toBeUndefined();
  });

  it('a mint arms stopped polling again, keeping the count and the history', () => {
    const stopped = stopPolling(recordPoll(NEW_POLLING, at(2000), at(2100), { report: report() }), 'idle', at(2100));
    expect(stopped).toMatchObject({ stoppedAt: at(2100).toISOString(), stopReason: 'idle' });
    const armed = armPolling(stopped, at(9000));
    expect(armed).toEqual({ polls: 1, pollTimesFrom: 1, pollTimes: [at(2000).toISOString()], decisions: [], armedAt: at(9000).toISOString() });
    expect(armPolling(undefined, at(9000))).toEqual({ ...NEW_POLLING, armedAt: at(9000).toISOString() });
  });
});
