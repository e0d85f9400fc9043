/**
 * When the join index's poller lists the cluster's CSRs, as pure transitions over its `approval`
 * record. No I/O, no clock: `now` is passed in.
 *
 * Latency: a brokered node's CSR must be decided within 10 s of its creation, and a Worker has no
 * long-lived watch. So ONE poller — the join index Durable Object's alarm — lists every CSR once
 * per {@link APPROVAL_POLL_INTERVAL_MS} and decides all of them, for as long as any brokered node
 * may still send one: a token neither spent, revoked nor terminated, within
 * {@link EXPIRY_GRACE_MS} after its expiry (a CSR made just before expiry still gets its decision),
 * or a node whose token was spent within {@link SERVING_WINDOW_MS} and that has no decided serving
 * CSR yet (a kubelet without serverTLSBootstrap never asks: the window ends it). Every mint arms
 * it (the join index's `recordMint`). A CSR created at time t is seen by the first poll that
 * starts after t: decided at most one interval plus one pass (a list and one `/approval` PUT, each
 * under KUBE_TIMEOUT_MS) after it appeared, however many nodes join at once — the cost is one list
 * per interval for the whole cluster, not one per joining node. The cron sweep (every 5 minutes)
 * decides what a poll missed.
 */
import type { ApprovalReport, CsrOutcome } from './approver.js';

export const APPROVAL_POLL_INTERVAL_MS = 2000;
export const SERVING_WINDOW_MS = 120_000;
export const EXPIRY_GRACE_MS = 30_000;
/** Poll start times kept (the last 400, ~13 minutes of polling). */
const MAX_POLL_TIMES = 400;
const MAX_DECISIONS = 200;

export type StopReason = 'idle' | 'not_configured';

/** One decision a poll wrote, with the poll that wrote it. */
export interface PolledDecision extends CsrOutcome {
  /** 1-based number of the poll that decided it. */
  readonly poll: number;
  readonly at: string;
}

/** What keeps polling going, as counted after a pass. */
export interface OpenApprovals {
  /** Brokered tokens whose client CSR may still come. */
  readonly awaitingClientCsr: number;
  /** Nodes whose token was spent and whose serving CSR may still come. */
  readonly awaitingServingCsr: number;
}

/** The join index's `approval` record: its polling, over every run since the object was created. */
export interface ApprovalPolling {
  /** Polls run so far. */
  readonly polls: number;
  /** The poll number of `pollTimes[0]` (older start times are dropped). */
  readonly pollTimesFrom: number;
  /** Start time of each poll (RFC 3339, oldest first; at most the last 400). */
  readonly pollTimes: readonly string[];
  readonly decisions: readonly PolledDecision[];
  /** When a mint (or a revoke-later record) last armed the poller. */
  readonly armedAt?: string;
  /** After the last pass. */
  readonly open?: OpenApprovals;
  /** The last poll's failure (what failed, never a response body). */
  readonly lastError?: string;
  /** Set when polling stopped (nothing open); cleared when armed again. */
  readonly stoppedAt?: string;
  readonly stopReason?: StopReason;
}

export const NEW_POLLING: ApprovalPolling = { polls: 0, pollTimesFrom: 1, pollTimes: [], decisions: [] };

/** A mint (or a revoke-later record) arms the poller: polling runs (again). */
export function armPolling(polling: ApprovalPolling | undefined, now: Date): ApprovalPolling {
  const { stoppedAt: _stoppedAt, stopReason: _stopReason, ...running } = polling ?? NEW_POLLING;
  return { ...running, armedAt: now.toISOString() };
}

/** The polling after one pass that started at `startedAt` and ended at `now`, with its report or its failure. */
export function recordPoll(polling: ApprovalPolling, startedAt: Date, now: Date, result: { report: ApprovalReport } | { error: string }): ApprovalPolling {
  const poll = polling.polls + 1;
  const times = [...polling.pollTimes, startedAt.toISOString()];
  const dropped = Math.max(0, times.length - MAX_POLL_TIMES);
  const next: ApprovalPolling = { ...polling, polls: poll, pollTimesFrom: polling.pollTimesFrom + dropped, pollTimes: times.slice(dropped) };
  if ('error' in result) return { ...next, lastError: result.error };
  const decided = result.report.outcomes.filter((o) => o.action === 'approved' || o.action === 'denied').map((o) => ({ ...o, poll, at: now.toISOString() }));
  const { lastError: _dropped, ...rest } = next;
  return { ...rest, decisions: [...polling.decisions, ...decided].slice(-MAX_DECISIONS) };
}

/**
 * What is still open after a pass: the index's count of tokens awaiting their client CSR, and the
 * recently spent tokens' nodes that have no decided serving CSR in the pass's list.
 */
export function openApprovals(awaitingClientCsr: number, recentlyUsedNodes: readonly string[], servingDecidedNodes: readonly string[]): OpenApprovals {
  const decided = new Set(servingDecidedNodes);
  return { awaitingClientCsr, awaitingServingCsr: recentlyUsedNodes.filter((node) => !decided.has(node)).length };
}

export type NextPoll = { readonly kind: 'poll'; readonly at: number } | { readonly kind: 'stop'; readonly reason: StopReason };

/**
 * Whether to poll again after a pass that started at `startedAt`: one interval after that start
 * (so a slow pass does not stretch the latency bound), while anything is open.
 */
export function nextPoll(open: OpenApprovals, startedAt: Date, now: Date): NextPoll {
  if (open.awaitingClientCsr === 0 && open.awaitingServingCsr === 0) return { kind: 'stop', reason: 'idle' };
  return { kind: 'poll', at: Math.max(now.getTime() + 100, startedAt.getTime() + APPROVAL_POLL_INTERVAL_MS) };
}

export const stopPolling = (polling: ApprovalPolling, reason: StopReason, now: Date): ApprovalPolling => ({ ...polling, stoppedAt: now.toISOString(), stopReason: reason });
