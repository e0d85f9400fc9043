/** When an instance's ledger Durable Object polls CSRs (src/approval/polling.ts), at exact boundaries. */
import { describe, expect, it } from 'vitest';
import type { ApprovalReport } from '../../src/approval/approver.js';
import { APPROVAL_POLL_INTERVAL_MS, EXPIRY_GRACE_MS, nextPoll, recordPoll, SERVING_WINDOW_MS, startPolling, type ApprovalPolling } from '../../src/approval/polling.js';
import type { JoinRecord } from '../../src/ledger/ledger.js';

const RECORD: JoinRecord = {
  key: { provider: 'aws', account: '1', instanceId: 'i-1' },
  identity: { provider: 'aws', account: '1', instanceId: 'i-1' },
  issuedAt: '2026-11-30T12:00:00.000Z',
  nodeName: 'node-1',
  pool: 'workers',
  tokenId: 'abc123',
  mintedAt: '2026-11-30T12:00:00.000Z',
  tokenExpiresAt: '2026-11-30T12:10:00.000Z',
  joins: 1,
};
const T0 = new Date('2026-11-30T12:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const started = startPolling(RECORD, T0);
const report = (over: Partial<ApprovalReport> = {}): ApprovalReport => ({ examined: 0, outcomes: [], tokensUsed: [], servingDecided: false, clientIssued: false, ...over });

describe('nextPoll', () => {
  const issued: ApprovalPolling = { ...started, clientIssuedAt: at(5000).toISOString() };
  it.each<[string, ApprovalPolling, JoinRecord | undefined, number, string]>([
    ['while the token lives', started, RECORD, 1000, `poll at +${1000 + APPROVAL_POLL_INTERVAL_MS}`],
    ['just after expiry, within the grace', started, RECORD, 600_000 + EXPIRY_GRACE_MS, `poll at +${600_000 + EXPIRY_GRACE_MS + APPROVAL_POLL_INTERVAL_MS}`],
    ['past expiry and grace without a client certificate', started, RECORD, 600_000 + EXPIRY_GRACE_MS + 1, 'stop token_expired'],
    ['client issued, waiting for the serving CSR', issued, RECORD, 5000 + SERVING_WINDOW_MS, `poll at +${5000 + SERVING_WINDOW_MS + APPROVAL_POLL_INTERVAL_MS}`],
    ['client issued, no serving CSR within the window', issued, RECORD, 5000 + SERVING_WINDOW_MS + 1, 'stop serving_window_passed'],
    ['client issued and serving decided', { ...issued, servingDecidedAt: at(6000).toISOString() }, RECORD, 6000, 'stop done'],
    ['serving decided but the token not yet spent', { ...started, servingDecidedAt: at(6000).toISOString() }, RECORD, 6000, `poll at +${6000 + APPROVAL_POLL_INTERVAL_MS}`],
    ['a new join replaced the record', started, { ...RECORD, tokenId: 'zzz999' }, 1000, 'stop superseded'],
    ['the instance was reset', started, undefined, 1000, 'stop superseded'],
    ['the token was revoked', started, { ...RECORD, tokenRevokedAt: at(500).toISOString() }, 1000, 'stop revoked'],
    ['the instance was terminated', started, { ...RECORD, terminatedAt: at(500).toISOString() }, 1000, 'stop terminated'],
  ])('%s', (_name, polling, record, ms, expected) => {
    const next = nextPoll(polling, record, at(ms));
    expect(next.kind === 'poll' ? `poll at +${next.at - T0.getTime()}` : `stop ${next.reason}`).toBe(expected);
  });
});

describe('recordPoll', () => {
  it('counts polls, keeps their start times and each decision with the poll that made it', () => {
    let polling = recordPoll(started, at(2000), at(2100), { report: report() });
    polling = recordPoll(polling, at(4000), at(4200), { report: report({ outcomes: [{ csr: 'c1', signerName: 's', createdAt: at(3000).toISOString(), action: 'approved' }, { csr: 'c2', signerName: 's', action: 'conflict' }] }) });
    expect(polling).toMatchObject({ polls: 2, pollTimes: [at(2000).toISOString(), at(4000).toISOString()] });
    expect(polling.decisions).toEqual([{ csr: 'c1', signerName: 's', createdAt: at(3000).toISOString(), action: 'approved', poll: 2, at: at(4200).toISOString() }]);
  });

  it('a failed poll is recorded and cleared by the next good one; issue and serving times are set once', () => {
    let polling = recordPoll(started, at(2000), at(2000), { error: 'list certificatesigningrequests: timeout' });
    expect(polling.lastError).toBe('list certificatesigningrequests: timeout');
    polling = recordPoll(polling, at(4000), at(4100), { report: report({ clientIssued: true }) });
    polling = recordPoll(polling, at(6000), at(6100), { report: report({ clientIssued: true, servingDecided: true }) });
    expect(polling).toMatchObject({ polls: 3, clientIssuedAt: at(4100).toISOString(), servingDecidedAt: at(6100).toISOString() });
    expect(polling.lastError).toBeUndefined();
  });
});
