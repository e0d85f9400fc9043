import type { NonceConsumeResult } from './nonce-state.js';

export interface IssueNonceRequest {
  readonly nonce: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

export interface ConsumeNonceRequest {
  readonly nonce: string;
  readonly now: Date;
}

/**
 * Single-use broker nonces, strongly consistent across every isolate of the broker (a Durable
 * Object per nonce in the Worker, see SCHEMA.md). A nonce is accepted at most once, and only
 * until it expires.
 */
export interface NonceStore {
  /** Stores a newly issued nonce; false if that value exists already (the caller draws another). */
  issue(request: IssueNonceRequest): Promise<boolean>;
  /** Spends the nonce atomically: of two concurrent requests with one nonce, exactly one gets `ok`. */
  consume(request: ConsumeNonceRequest): Promise<NonceConsumeResult>;
}
