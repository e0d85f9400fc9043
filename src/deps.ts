import type { Config } from './config.js';
import type { KubeApi } from './cluster/kube-api.js';
import type { JoinAudit } from './audit/audit.js';
import type { JoinLedger } from './ledger/ledger.js';
import type { JoinRateLimits } from './http/rate-limit.js';
import type { Logger } from './log.js';
import type { NonceStore } from './nonce/nonce-store.js';

export interface Clock {
  now(): Date;
}

export interface Random {
  /** Fills the array with cryptographically secure random bytes and returns it. */
  fill<T extends Uint8Array<ArrayBuffer>>(bytes: T): T;
}

export type Fetch = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

/**
 * Everything the app reads from the outside world. The Worker entry builds the real one;
 * tests pass fakes. Nothing below `createApp` reads globals for time, randomness or I/O.
 */
export interface Deps {
  config: Config;
  clock: Clock;
  random: Random;
  fetch: Fetch;
  kube: KubeApi;
  ledger: JoinLedger;
  /** The join index and audit log (admin API, cron sweep, CSR approval). */
  audit: JoinAudit;
  rateLimits: JoinRateLimits;
  log: Logger;
  /** Single-use nonces for Azure attested data (src/nonce/). */
  nonces: NonceStore;
}

export const systemClock: Clock = { now: () => new Date() };
export const cryptoRandom: Random = { fill: (bytes) => crypto.getRandomValues(bytes) };
