/**
 * When an instance's ledger Durable Object polls the cluster's CSRs, as pure transitions over
 * its `approval` record. No I/O, no clock: `now` is passed in.
 *
 * Latency: a brokered node's CSR must be decided within 10 s of its creation, and a Worker has no
 * long-lived watch. So from the moment a join commits, the instance's Durable Object polls every
 * {@link APPROVAL_POLL_INTERVAL_MS} (an alarm), for that instance's token and node only, until
 * there is nothing left to decide. A CSR created at time t is seen by the first poll that starts
 * after t: decided at most one interval plus one pass (a list and one `/approval` PUT, each under
 * KUBE_TIMEOUT_MS) after it appeared. The cron sweep (every 5 minutes) decides what a poll missed.
 *
 * Polls stop when: the record is replaced (a new join), revoked or terminated; the client
 * certificate was issued and the node's serving CSR decided; {@link SERVING_WINDOW_MS} after the
 * client certificate without a serving CSR (a kubelet without serverTLSBootstrap never asks); or
 * {@link EXPIRY_GRACE_MS} after the token expired without a client certificate (a CSR made just
 * before expiry still gets its decision).
 */
import type { JoinRecord } from '../ledger/ledger.js';
import type { ApprovalReport, CsrOutcome } from './approver.js';

export const APPROVAL_POLL_INTERVAL_MS = 2000;
export const SERVING_WINDOW_MS = 120_000;
export const EXPIRY_GRACE_MS = 30_000;
/** Poll start times kept (the whole of a normal join's polling; older ones are dropped). */
const MAX_POLL_TIMES = 400;
const MAX_DECISIONS = 50;

export type StopReason = 'done' | 'superseded' | 'revoked' | 'terminated' | 'token_expired' | 'serving_window_passed' | 'not_configured';

/** One decision a poll wrote, with the poll that wrote it. */
export interface PolledDecision extends CsrOutcome {
  /** 1-based number of the poll that decided it. */
  readonly poll: number;
  readonly at: string;
}

/** The `approval` record of a ledger Durable Object: its polling for the current token. */
export interface ApprovalPolling {
  readonly tokenId: string;
  readonly nodeName: string;
  readonly startedAt: string;
  /** Polls run so far. */
  readonly polls: number;
  /** Start time of each poll (RFC 3339, oldest first; at most the last 400). */
  readonly pollTimes: readonly string[];
  readonly decisions: readonly PolledDecision[];
  readonly clientIssuedAt?: string;
  readonly servingDecidedAt?: string;
  /** The last poll's failure (what failed, never a response body). */
  readonly lastError?: string;
  readonly stoppedAt?: string;
  readonly stopReason?: StopReason;
}

export function startPolling(record: Pick<JoinRecord, 'tokenId' | 'nodeName'>, now: Date): ApprovalPolling {
  return { tokenId: record.tokenId, nodeName: record.nodeName, startedAt: now.toISOString(), polls: 0, pollTimes: [], decisions: [] };
}

/** The polling after one pass that started at `startedAt` and ended at `now`, with its report or its failure. */
export function recordPoll(polling: ApprovalPolling, startedAt: Date, now: Date, result: { report: ApprovalReport } | { error: string }): ApprovalPolling {
  const poll = polling.polls + 1;
  const next: ApprovalPolling = {
    ...polling,
    polls: poll,
    pollTimes: [...polling.pollTimes, startedAt.toISOString()].slice(-MAX_POLL_TIMES),
  };
  if ('error' in result) return { ...next, lastError: result.error };
  const { report } = result;
  const decided = report.outcomes.filter((o) => o.action === 'approved' || o.action === 'denied').map((o) => ({ ...o, poll, at: now.toISOString() }));
  const { lastError: _dropped, ...rest } = next;
  return {
    ...rest,
    decisions: [...polling.decisions, ...decided].slice(-MAX_DECISIONS),
    ...(polling.clientIssuedAt === undefined && report.clientIssued ? { clientIssuedAt: now.toISOString() } : {}),
    ...(polling.servingDecidedAt === undefined && report.servingDecided ? { servingDecidedAt: now.toISOString() } : {}),
  };
}

export type NextPoll = { readonly kind: 'poll'; readonly at: number } | { readonly kind: 'stop'; readonly reason: StopReason };

/** Whether to poll again, given the ledger's record now. */
export function nextPoll(polling: ApprovalPolling, record: JoinRecord | undefined, now: Date): NextPoll {
  const stop = (reason: StopReason): NextPoll => ({ kind: 'stop', reason });
  if (record === undefined || record.tokenId !== polling.tokenId) return stop('superseded');
  if (record.terminatedAt !== undefined) return stop('terminated');
  if (record.tokenRevokedAt !== undefined) return stop('revoked');
  const t = now.getTime();
  if (polling.clientIssuedAt !== undefined) {
    if (polling.servingDecidedAt !== undefined) return stop('done');
    if (t > Date.parse(polling.clientIssuedAt) + SERVING_WINDOW_MS) return stop('serving_window_passed');
  } else if (t > Date.parse(record.tokenExpiresAt) + EXPIRY_GRACE_MS) {
    return stop('token_expired');
  }
  return { kind: 'poll', at: t + APPROVAL_POLL_INTERVAL_MS };
}

export const stopPolling = (polling: ApprovalPolling, reason: StopReason, now: Date): ApprovalPolling => ({ ...polling, stoppedAt: now.toISOString(), stopReason: reason });
