/**
 * Time source for the emulator. Everything that decides on time (token expiry, certificate
 * validity, condition timestamps, client-certificate checks) reads it from here, so tests can pin
 * or advance it. Real timers (debounce delays, resync ticks) stay on wall time.
 */
export interface Clock {
  now(): Date;
}

/** Wall-clock time plus an adjustable offset (advanced through the control endpoint). */
export class SystemClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  private current: number;
  constructor(start: Date | string | number = '2025-01-01T00:00:00Z') {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date | string | number): void {
    this.current = new Date(at).getTime();
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/** Clocks that the control endpoint may move. */
export interface AdjustableClock extends Clock {
  advance(ms: number): void;
}

export const isAdjustable = (clock: Clock): clock is AdjustableClock =>
  typeof (clock as Partial<AdjustableClock>).advance === 'function';

/** RFC 3339 with second precision and `Z`, as Go's metav1.Time marshals. */
export const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
