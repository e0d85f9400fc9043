/**
 * Join rate limits, over the Workers Rate Limiting bindings declared in wrangler.toml. Keys:
 * the caller's address (before anything is parsed) and the verified instance identity (before
 * the ledger and the Kubernetes API see the request).
 */
export interface RateLimiter {
  /** true when the request may proceed. */
  allow(key: string): Promise<boolean>;
}

/** The period of both limits in wrangler.toml; answered as Retry-After. */
export const RATE_LIMIT_PERIOD_SECONDS = 60;

export interface JoinRateLimits {
  byAddress: RateLimiter;
  byIdentity: RateLimiter;
}

/** No binding configured: nothing is limited (the README says how to declare them). */
export const unlimited: RateLimiter = { allow: async () => true };
