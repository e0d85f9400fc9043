import { describe, expect, it } from 'vitest';
import { checkFreshness } from '../../src/attest/freshness.js';

const issuedAt = new Date('2021-09-03T21:25:44Z');
const at = (seconds: number, ms = 0) => new Date(issuedAt.getTime() + seconds * 1000 + ms);

describe('checkFreshness', () => {
  it.each([
    ['issued right now', at(0), 600, true],
    ['exactly at the window (600 s)', at(600), 600, true],
    ['window + 1 ms', at(600, 1), 600, false],
    ['window + 1 s', at(601), 600, false],
    ['exactly at a 300 s window', at(300), 300, true],
    ['300 s window + 1 s', at(301), 300, false],
    ['a zero window, same instant', at(0), 0, true],
    ['a zero window, 1 s later', at(1), 0, false],
    ['issued 60 s in the future', at(-60), 600, true],
    ['issued 61 s in the future', at(-61), 600, false],
    ['issued 60 s + 1 ms in the future', at(-60, -1), 600, false],
  ])('%s → fresh=%s', (_name, now, maxAgeSeconds, fresh) => {
    expect(checkFreshness(issuedAt, now, { maxAgeSeconds }).ok).toBe(fresh);
  });

  it.each([
    [30, at(-30), true],
    [30, at(-31), false],
    [0, at(0, -1), false],
  ])('maxFutureSeconds=%s', (maxFutureSeconds, now, fresh) => {
    expect(checkFreshness(issuedAt, now, { maxAgeSeconds: 600, maxFutureSeconds }).ok).toBe(fresh);
  });

  it('explains a stale document with the age and the window', () => {
    expect(checkFreshness(issuedAt, at(601), { maxAgeSeconds: 600 })).toEqual({
      ok: false,
      error: { reason: 'stale_document', detail: 'issued 601 s before now (2021-09-03T21:25:44.000Z), window 600 s' },
    });
    expect(checkFreshness(issuedAt, at(-61), { maxAgeSeconds: 600 })).toEqual({
      ok: false,
      error: { reason: 'stale_document', detail: 'issued 61 s after now (2021-09-03T21:25:44.000Z), at most 60 s allowed' },
    });
  });

  it('treats an invalid time as stale', () => {
    expect(checkFreshness(new Date(Number.NaN), at(0), { maxAgeSeconds: 600 })).toMatchObject({ ok: false, error: { reason: 'stale_document' } });
    expect(checkFreshness(issuedAt, new Date(Number.NaN), { maxAgeSeconds: 600 })).toMatchObject({ ok: false, error: { reason: 'stale_document' } });
  });

  it.each([[{ maxAgeSeconds: -1 }], [{ maxAgeSeconds: Number.NaN }], [{ maxAgeSeconds: Infinity }], [{ maxAgeSeconds: 600, maxFutureSeconds: -5 }]])(
    'refuses an invalid window %j as a configuration error',
    (window) => {
      expect(() => checkFreshness(issuedAt, at(0), window)).toThrow(RangeError);
    },
  );
});
