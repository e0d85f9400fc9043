/**
 * The join index Durable Object's side of CSR approval (polling.ts says when and why): on each
 * alarm, the due "revoke later" records (src/sweep/revocations.ts), then one approver pass over
 * every CSR of the cluster while polling runs, its bookkeeping in the object's `approval` key, and
 * the next alarm. The Kubernetes adapter, the ledger and the policy come from the Worker's own
 * bindings, parsed with the same `loadConfig` as the fetch handler, once per isolate; the join
 * index is the object itself (no RPC to itself).
 */
import type { AuditEvent, JoinAudit, JoinRow, JoinRowEffect } from '../audit/audit.js';
import { createKubeApi, KubeApiError } from '../cluster/kube-api.js';
import { loadConfig, type ConfigEnv } from '../config.js';
import { cryptoRandom, systemClock } from '../deps.js';
import { createDurableObjectLedger } from '../ledger/durable-object-ledger.js';
import type { JoinLedgerObject } from '../ledger/join-ledger-object.js';
import { createConsoleLogger } from '../log.js';
import { runRevocations } from '../sweep/revocations.js';
import { runApproval, type ApprovalReport, type ApproverDeps } from './approver.js';
import {
  APPROVAL_POLL_INTERVAL_MS,
  armPolling,
  EXPIRY_GRACE_MS,
  NEW_POLLING,
  nextPoll,
  openApprovals,
  recordPoll,
  SERVING_WINDOW_MS,
  stopPolling,
  type ApprovalPolling,
} from './polling.js';

/** What the poller needs of the Worker's bindings. */
export interface PollerEnv extends ConfigEnv {
  LEDGER: DurableObjectNamespace<JoinLedgerObject>;
}

/** The join index object the poller runs in: its storage and its own tables. */
export interface PollerHost {
  readonly storage: DurableObjectStorage;
  readonly env: PollerEnv;
  readonly audit: Pick<JoinAudit, 'joinByToken' | 'joinsByNode' | 'record' | 'dueRevocations' | 'rescheduleRevocation' | 'settleRevocation'>;
  /** Tokens whose client CSR may still come (expiring after `expiringAfter`, not spent, revoked or terminated). */
  awaitingClientCsr(expiringAfter: string): number;
  /** Nodes whose token was spent after `usedAfter`. */
  recentlyUsedNodes(usedAfter: string): string[];
  /** The earliest revoke-later check, epoch ms, if any record is left. */
  nextRevocationCheck(): number | undefined;
}

export const APPROVAL_KEY = 'approval';

const log = createConsoleLogger();
type PollerDeps = Omit<ApproverDeps, 'audit'>;
let built: { env: PollerEnv; deps: PollerDeps | undefined } | undefined;

/** The approver's dependencies from the bindings, once per isolate (undefined while misconfigured). */
function pollerDeps(env: PollerEnv): PollerDeps | undefined {
  if (built?.env === env) return built.deps;
  const result = loadConfig(env);
  let deps: PollerDeps | undefined;
  if (result.ok) {
    const { config } = result;
    const ledger = createDurableObjectLedger(env.LEDGER);
    deps = {
      kube: createKubeApi({
        server: config.kubeApiServer,
        token: config.kubeToken,
        fetch: (input, init) => fetch(input, init),
        timeoutMs: config.kubeTimeoutMs,
        headers: config.kubeAccessHeaders,
        random: cryptoRandom,
        // One quick retry at most: the next poll is two seconds away.
        retry: { attempts: 2, throttledAttempts: 2, baseDelayMs: 100, maxDelayMs: 500 },
      }),
      markTokenUsed: (key, tokenId, at) => ledger.markTokenUsed(key, tokenId, at),
      policy: config.policy,
      clock: systemClock,
      log,
    };
  }
  built = { env, deps };
  return deps;
}

/**
 * A mint arms the poller: polling runs (again) and the alarm fires within one interval. Cheap
 * enough for every mint: one read of the object's own KV and of its alarm, a write only when
 * polling had stopped or the alarm is further away.
 */
export async function armPoller(storage: DurableObjectStorage, now: Date): Promise<void> {
  const polling = storage.kv.get<ApprovalPolling>(APPROVAL_KEY);
  if (polling === undefined || polling.stoppedAt !== undefined) storage.kv.put(APPROVAL_KEY, armPolling(polling, now));
  await alarmNoLaterThan(storage, now.getTime() + APPROVAL_POLL_INTERVAL_MS);
}

/** Sets the alarm to `at` unless it is already set sooner. */
export async function alarmNoLaterThan(storage: DurableObjectStorage, at: number): Promise<void> {
  const current = await storage.getAlarm();
  if (current === null || current > at) await storage.setAlarm(at);
}

/** The alarm: due revocations, one approval pass while polling runs, the bookkeeping and the next alarm. */
export async function pollCluster(host: PollerHost): Promise<void> {
  const startedAt = systemClock.now();
  const deps = pollerDeps(host.env);
  const kv = host.storage.kv;
  if (deps === undefined) {
    log.error('csr.poll_skipped', { reason: 'invalid configuration' });
    kv.put(APPROVAL_KEY, stopPolling(kv.get<ApprovalPolling>(APPROVAL_KEY) ?? NEW_POLLING, 'not_configured', startedAt));
    return;
  }

  await runRevocations({ kube: deps.kube, audit: host.audit, clock: systemClock, log }).catch((error: unknown) => {
    log.error('revocations.failed', { error: error instanceof Error ? error.name : 'unknown' });
  });

  let nextApproval: number | undefined;
  if (kv.get<ApprovalPolling>(APPROVAL_KEY)?.stoppedAt === undefined) {
    let result: { report: ApprovalReport } | { error: string };
    try {
      result = { report: await runApproval({ ...deps, audit: host.audit }, { kind: 'cluster' }) };
    } catch (error) {
      const detail = error instanceof KubeApiError ? error.message : error instanceof Error ? error.name : 'unknown';
      log.error('csr.poll_failed', { error: detail });
      result = { error: detail };
    }
    const now = systemClock.now();
    // Counted after the pass, so a mint that landed during it keeps polling going.
    const recentlyUsed = host.recentlyUsedNodes(new Date(now.getTime() - SERVING_WINDOW_MS).toISOString());
    const open = openApprovals(
      host.awaitingClientCsr(new Date(now.getTime() - EXPIRY_GRACE_MS).toISOString()),
      recentlyUsed,
      // A failed list decided nothing: every recently spent node is still open.
      'report' in result ? result.report.servingDecidedNodes : [],
    );
    // Read again: a mint during the pass may have armed it meanwhile.
    let polling: ApprovalPolling = { ...recordPoll(kv.get<ApprovalPolling>(APPROVAL_KEY) ?? NEW_POLLING, startedAt, now, result), open };
    const next = nextPoll(open, startedAt, now);
    if (next.kind === 'stop') polling = stopPolling(polling, next.reason, now);
    else nextApproval = next.at;
    kv.put(APPROVAL_KEY, polling);
  }

  const nextRevocation = host.nextRevocationCheck();
  const floor = systemClock.now().getTime() + 100;
  const candidates = [nextApproval, nextRevocation === undefined ? undefined : Math.max(floor, nextRevocation)].filter((at): at is number => at !== undefined);
  if (candidates.length > 0) await host.storage.setAlarm(Math.min(...candidates));
}

/** The join index as the approver reads and writes it, inside the index object itself. */
export function localAudit(index: {
  joinByToken(tokenId: string): JoinRow | undefined;
  joinsByNode(nodeName: string): JoinRow[];
  record(event: AuditEvent, effect?: JoinRowEffect): void;
}): Pick<JoinAudit, 'joinByToken' | 'joinsByNode' | 'record'> {
  return {
    joinByToken: async (tokenId) => index.joinByToken(tokenId),
    joinsByNode: async (nodeName) => index.joinsByNode(nodeName),
    record: async (event, effect) => index.record(event, effect),
  };
}
