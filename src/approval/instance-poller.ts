/**
 * The ledger Durable Object's side of CSR approval (polling.ts says when and why): on each alarm,
 * one approver pass scoped to the instance's token and node, its bookkeeping in the object's
 * `approval` key, and the next alarm. The Kubernetes adapter, the join index and the policy come
 * from the Worker's own bindings, parsed with the same `loadConfig` as the fetch handler, once
 * per isolate.
 */
import type { JoinIndexObject } from '../audit/join-index-object.js';
import { createDurableObjectAudit } from '../audit/durable-object-audit.js';
import { createKubeApi, KubeApiError } from '../cluster/kube-api.js';
import { loadConfig, type ConfigEnv } from '../config.js';
import { cryptoRandom, systemClock } from '../deps.js';
import type { JoinRecord, LedgerKey, TokenMarkResult } from '../ledger/ledger.js';
import { createConsoleLogger } from '../log.js';
import { runApproval, type ApproverDeps } from './approver.js';
import { nextPoll, recordPoll, startPolling, stopPolling, APPROVAL_POLL_INTERVAL_MS, type ApprovalPolling } from './polling.js';

/** What the poller needs of the Worker's bindings. */
export interface PollerEnv extends ConfigEnv {
  JOIN_INDEX: DurableObjectNamespace<JoinIndexObject>;
}

/** The Durable Object the poller runs in: its storage and its own ledger transition. */
export interface PollerHost {
  readonly storage: DurableObjectStorage;
  readonly env: PollerEnv;
  readonly waitUntil: (promise: Promise<unknown>) => void;
  record(): JoinRecord | undefined;
  markTokenUsed(key: LedgerKey, tokenId: string, at: Date): TokenMarkResult;
}

export const APPROVAL_KEY = 'approval';

const log = createConsoleLogger();
let built: { env: PollerEnv; deps: Omit<ApproverDeps, 'markTokenUsed'> | undefined } | undefined;

/** The approver's dependencies from the bindings, once per isolate (undefined while misconfigured). */
function approverDeps(host: PollerHost): Omit<ApproverDeps, 'markTokenUsed'> | undefined {
  if (built?.env === host.env) return built.deps;
  const result = loadConfig(host.env);
  let deps: Omit<ApproverDeps, 'markTokenUsed'> | undefined;
  if (result.ok) {
    const { config } = result;
    deps = {
      kube: createKubeApi({
        server: config.kubeApiServer,
        token: config.kubeToken,
        fetch: (input, init) => fetch(input, init),
        timeoutMs: config.kubeTimeoutMs,
        headers: config.kubeAccessHeaders,
        random: cryptoRandom,
        // One quick retry at most: the next poll is two seconds away.
        retry: { attempts: 2, baseDelayMs: 100, maxDelayMs: 500 },
      }),
      audit: createDurableObjectAudit(host.env.JOIN_INDEX, { log, waitUntil: host.waitUntil }),
      policy: config.policy,
      clock: systemClock,
      log,
    };
  }
  built = { env: host.env, deps };
  return deps;
}

/**
 * Called when a join commits: start polling for the new token (replacing any previous polling).
 * Never throws: the join has committed whatever happens here, and without polling the cron
 * sweep still decides the node's CSRs, only later.
 */
export async function startInstancePolling(host: PollerHost, record: JoinRecord, now: Date): Promise<void> {
  try {
    host.storage.kv.put(APPROVAL_KEY, startPolling(record, now));
    await host.storage.setAlarm(now.getTime() + APPROVAL_POLL_INTERVAL_MS);
  } catch (error) {
    log.error('csr.poll_not_started', { tokenId: record.tokenId, error: error instanceof Error ? error.name : 'unknown' });
  }
}

/** The alarm: one pass, its bookkeeping, and the next alarm unless polling is over. */
export async function pollInstance(host: PollerHost): Promise<void> {
  let polling = host.storage.kv.get<ApprovalPolling>(APPROVAL_KEY);
  if (polling === undefined || polling.stoppedAt !== undefined) return;
  const startedAt = systemClock.now();
  const record = host.record();
  const before = nextPoll(polling, record, startedAt);
  if (before.kind === 'stop') {
    host.storage.kv.put(APPROVAL_KEY, stopPolling(polling, before.reason, startedAt));
    return;
  }
  const deps = approverDeps(host);
  if (deps === undefined) {
    log.error('csr.poll_skipped', { reason: 'invalid configuration' });
    host.storage.kv.put(APPROVAL_KEY, stopPolling(polling, 'not_configured', startedAt));
    return;
  }
  try {
    const report = await runApproval(
      { ...deps, markTokenUsed: async (key, tokenId, at) => host.markTokenUsed(key, tokenId, at) },
      { kind: 'instance', tokenId: polling.tokenId, nodeName: polling.nodeName },
    );
    polling = recordPoll(polling, startedAt, systemClock.now(), { report });
  } catch (error) {
    const detail = error instanceof KubeApiError ? error.message : error instanceof Error ? error.name : 'unknown';
    log.error('csr.poll_failed', { tokenId: polling.tokenId, error: detail });
    polling = recordPoll(polling, startedAt, systemClock.now(), { error: detail });
  }
  const now = systemClock.now();
  const next = nextPoll(polling, host.record(), now);
  if (next.kind === 'stop') {
    host.storage.kv.put(APPROVAL_KEY, stopPolling(polling, next.reason, now));
    return;
  }
  host.storage.kv.put(APPROVAL_KEY, polling);
  // The interval runs from this poll's start, so a slow pass does not stretch the latency bound.
  await host.storage.setAlarm(Math.max(now.getTime() + 100, startedAt.getTime() + APPROVAL_POLL_INTERVAL_MS));
}
