/**
 * Switchable faults, changed at run time through the handle or `POST /__emulator/faults`:
 * - `latencyMs`: added to every API request (inside the in-flight window);
 * - `maxInFlight`: non-long-running requests beyond this many in flight get the max-in-flight 429
 *   (text/plain `Too many requests, please try again later.`, `Retry-After: 1`, as
 *   staging/src/k8s.io/apiserver/pkg/server/filters/maxinflight.go `tooManyRequests`);
 * - `errorRate` (0..1, from a seeded PRNG so runs repeat) and `failNext` (exactly the next N API
 *   requests) answer `errorStatus` (default 500 InternalError Status);
 * - `resetPathPrefix`: requests whose path starts with it get their connection destroyed;
 * - `unavailable`: `'503'` answers ServiceUnavailable, `'refuse'` closes every new connection;
 * - `jwsDelayMs`: the bootstrapsigner's delay (SEMANTICS §3.2: "delayed JWS appearance").
 * `errorPathPrefix` limits errorRate/failNext to matching paths, `errorMethod` to one HTTP method
 * (e.g. `POST`: only creates, not a background DELETE or GET under the same prefix).
 */
export interface FaultSettings {
  latencyMs: number;
  maxInFlight: number | null;
  errorRate: number;
  failNext: number;
  errorStatus: number;
  errorPathPrefix: string | null;
  errorMethod: string | null;
  resetPathPrefix: string | null;
  unavailable: false | '503' | 'refuse';
  jwsDelayMs: number;
}

export const defaultFaults = (jwsDelayMs = 0): FaultSettings => ({
  latencyMs: 0,
  maxInFlight: null,
  errorRate: 0,
  failNext: 0,
  errorStatus: 500,
  errorPathPrefix: null,
  errorMethod: null,
  resetPathPrefix: null,
  unavailable: false,
  jwsDelayMs,
});

export class FaultError extends Error {}

export class Faults {
  private settings: FaultSettings;
  private seed: number;

  constructor(
    private readonly initial: FaultSettings,
    seed = 0x5eed,
  ) {
    this.settings = { ...initial };
    this.seed = seed >>> 0;
  }

  get current(): Readonly<FaultSettings> {
    return { ...this.settings };
  }

  /** Merge a partial update; unknown keys or bad values throw FaultError. */
  set(update: Partial<FaultSettings>): Readonly<FaultSettings> {
    const next = { ...this.settings };
    for (const [k, v] of Object.entries(update)) {
      if (!(k in next)) throw new FaultError(`unknown fault ${JSON.stringify(k)}`);
      (next as Record<string, unknown>)[k] = v;
    }
    const numberOk = (v: unknown, min: number, max = Number.POSITIVE_INFINITY) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
    if (!numberOk(next.latencyMs, 0)) throw new FaultError('latencyMs must be a number ≥ 0');
    if (next.maxInFlight !== null && !(Number.isInteger(next.maxInFlight) && next.maxInFlight >= 0)) throw new FaultError('maxInFlight must be null or an integer ≥ 0');
    if (!numberOk(next.errorRate, 0, 1)) throw new FaultError('errorRate must be within 0..1');
    if (!(Number.isInteger(next.failNext) && next.failNext >= 0)) throw new FaultError('failNext must be an integer ≥ 0');
    if (!(Number.isInteger(next.errorStatus) && next.errorStatus >= 500 && next.errorStatus <= 599)) throw new FaultError('errorStatus must be 5xx');
    if (next.errorPathPrefix !== null && typeof next.errorPathPrefix !== 'string') throw new FaultError('errorPathPrefix must be a string or null');
    if (next.errorMethod !== null && !(typeof next.errorMethod === 'string' && /^[A-Z]+$/.test(next.errorMethod))) throw new FaultError('errorMethod must be an upper-case HTTP method or null');
    if (next.resetPathPrefix !== null && typeof next.resetPathPrefix !== 'string') throw new FaultError('resetPathPrefix must be a string or null');
    if (![false, '503', 'refuse'].includes(next.unavailable as never)) throw new FaultError("unavailable must be false, '503' or 'refuse'");
    if (!numberOk(next.jwsDelayMs, 0)) throw new FaultError('jwsDelayMs must be a number ≥ 0');
    this.settings = next;
    return this.current;
  }

  reset(): Readonly<FaultSettings> {
    this.settings = { ...this.initial };
    return this.current;
  }

  /** mulberry32 */
  private random(): number {
    this.seed = (this.seed + 0x6d2b79f5) >>> 0;
    let t = this.seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Should this request fail with a 5xx? Consumes one `failNext` or one PRNG draw. */
  shouldFail(path: string, method: string): boolean {
    const s = this.settings;
    if (s.errorPathPrefix !== null && !path.startsWith(s.errorPathPrefix)) return false;
    if (s.errorMethod !== null && method !== s.errorMethod) return false;
    if (s.failNext > 0) {
      s.failNext--;
      return true;
    }
    return s.errorRate > 0 && this.random() < s.errorRate;
  }
}
