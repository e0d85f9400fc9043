import { describe, expect, it } from 'vitest';
import type { Random } from '../../src/deps.js';
import { BROKER_NONCE, generateNonce } from '../../src/nonce/nonce.js';
import { consumeNonceRecord, issueNonceRecord, type NonceRecord } from '../../src/nonce/nonce-state.js';
import { counterRandom } from '../fakes/deps.js';

/** Hands out `bytes` in order, then zeros. */
function scripted(bytes: number[]): Random {
  let at = 0;
  return {
    fill(buffer) {
      for (let i = 0; i < buffer.length; i++) buffer[i] = bytes[at++] ?? 0;
      return buffer;
    },
  };
}

describe('generateNonce', () => {
  it('draws 32 decimal digits, one per random byte', () => {
    expect(generateNonce(counterRandom(0))).toBe('01234567890123456789012345678901');
    expect(generateNonce(counterRandom(0))).toMatch(BROKER_NONCE);
  });

  it('discards bytes 250–255, so each digit is uniform (250 = 25 × 10)', () => {
    expect(generateNonce(scripted([250, 251, 252, 253, 254, 255, 249, 9, 19]))).toBe(`999${'0'.repeat(29)}`);
    // Bytes 240–249 give each digit once; 250–255 give none.
    expect(generateNonce(scripted([240, 241, 242, 243, 244, 250, 245, 246, 247, 248, 249, 255]))).toBe(`0123456789${'0'.repeat(22)}`);
  });

  it('fits what IMDS and the first-boot program accept: at most 32 letters and digits', () => {
    const nonce = generateNonce({ fill: (b) => crypto.getRandomValues(b) });
    expect(nonce).toMatch(/^[A-Za-z0-9]{1,32}$/);
    expect(nonce).toHaveLength(32);
  });
});

describe('nonce transitions', () => {
  const issuedAt = new Date('2026-11-30T12:00:00Z');
  const expiresAt = new Date('2026-11-30T12:05:00Z');
  const fresh: NonceRecord = { issuedAt: issuedAt.toISOString(), expiresAt: expiresAt.toISOString() };

  it('issues once', () => {
    expect(issueNonceRecord(undefined, { issuedAt, expiresAt })).toEqual({ result: true, record: fresh });
    expect(issueNonceRecord(fresh, { issuedAt, expiresAt })).toEqual({ result: false, record: fresh });
  });

  it.each([
    ['unknown', undefined, '2026-11-30T12:01:00Z', { ok: false, reason: 'unknown' }],
    ['live', fresh, '2026-11-30T12:01:00Z', { ok: true }],
    ['live at expiresAt exactly', fresh, '2026-11-30T12:05:00.000Z', { ok: true }],
    ['expired 1 ms after', fresh, '2026-11-30T12:05:00.001Z', { ok: false, reason: 'expired' }],
    ['used', { ...fresh, usedAt: '2026-11-30T12:00:30.000Z' }, '2026-11-30T12:01:00Z', { ok: false, reason: 'used' }],
    ['used and expired', { ...fresh, usedAt: '2026-11-30T12:00:30.000Z' }, '2026-11-30T13:00:00Z', { ok: false, reason: 'used' }],
  ] as const)('consume: %s', (_, record, now, expected) => {
    const { result, record: after } = consumeNonceRecord(record, new Date(now));
    expect(result).toEqual(expected);
    expect(after).toEqual(result.ok ? { ...fresh, usedAt: new Date(now).toISOString() } : record);
  });

  it('a nonce is spent once: the second consume is refused', () => {
    const first = consumeNonceRecord(fresh, new Date('2026-11-30T12:01:00Z'));
    const second = consumeNonceRecord(first.record, new Date('2026-11-30T12:01:00Z'));
    expect([first.result, second.result]).toEqual([{ ok: true }, { ok: false, reason: 'used' }]);
  });
});
