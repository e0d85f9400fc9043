/** When a "revoke later" record is checked again and when it is done (src/audit/revocations.ts), at exact boundaries. */
import { describe, expect, it } from 'vitest';
import type { PendingRevocation } from '../../src/audit/audit.js';
import {
  afterRevocationCheck,
  nextCheckAt,
  pendingRevocation,
  REVOCATION_GIVE_UP_MS,
  REVOCATION_MAX_INTERVAL_MS,
  REVOCATION_SETTLE_MS,
  type RevocationFinding,
} from '../../src/audit/revocations.js';

const T0 = new Date('2026-11-30T12:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const RECORDED = pendingRevocation({
  tokenId: 'abc123',
  key: 'aws/123456789012/i-1',
  provider: 'aws',
  account: '123456789012',
  instanceId: 'i-1',
  nodeName: 'node-1',
  pool: 'workers',
  reason: 'mint_abandoned',
  at: T0.toISOString(),
});

describe('pendingRevocation', () => {
  it('is first checked 2 s after the join gave up', () => {
    expect(RECORDED).toMatchObject({ checkAt: at(2000).toISOString(), checks: 0 });
  });
});

describe('nextCheckAt', () => {
  it.each([
    [1, 4000],
    [2, 8000],
    [3, 16_000],
    [4, REVOCATION_MAX_INTERVAL_MS],
    [40, REVOCATION_MAX_INTERVAL_MS],
  ])('after %i checks: %i ms later', (checks, ms) => {
    expect(nextCheckAt(checks, at(0))).toBe(at(ms).toISOString());
  });
});

describe('afterRevocationCheck', () => {
  const after = (checks: number): PendingRevocation => ({ ...RECORDED, checks });
  it.each<[string, RevocationFinding, number, number, string]>([
    ['deleted: done', 'revoked', 0, 2000, 'settle revoked'],
    ['another token\'s Secret: left alone, done', 'foreign', 0, 2000, 'settle foreign'],
    ['absent within the settle window: a late create may come, look again', 'absent', 0, 2000, `again at +${2000 + 4000}`],
    ['absent one millisecond before the window ends', 'absent', 4, REVOCATION_SETTLE_MS - 1, `again at +${REVOCATION_SETTLE_MS - 1 + REVOCATION_MAX_INTERVAL_MS}`],
    ['absent when the window ends: done', 'absent', 5, REVOCATION_SETTLE_MS, 'settle absent'],
    ['the API could not be asked: look again', 'failed', 0, REVOCATION_SETTLE_MS, `again at +${REVOCATION_SETTLE_MS + 4000}`],
    ['failing for an hour: given up (the token expires at its TTL)', 'failed', 99, REVOCATION_GIVE_UP_MS, 'settle gave_up'],
  ])('%s', (_name, finding, checks, ms, expected) => {
    const step = afterRevocationCheck(after(checks), finding, at(ms));
    expect(step.kind === 'settle' ? `settle ${step.outcome}` : `again at +${Date.parse(step.checkAt) - T0.getTime()}`).toBe(expected);
  });
});
