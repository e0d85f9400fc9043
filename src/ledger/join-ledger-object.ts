import { DurableObject } from 'cloudflare:workers';
import { APPROVAL_KEY, pollInstance, startInstancePolling, type PollerEnv, type PollerHost } from '../approval/instance-poller.js';
import type { ApprovalPolling } from '../approval/polling.js';
import {
  claimInstance,
  commitClaim,
  expectLaunch,
  isEmptyState,
  markToken,
  releaseClaim,
  resetInstance,
  terminateInstance,
  type InstanceState,
  type Transition,
} from './instance-state.js';
import type {
  ClaimRequest,
  ClaimResult,
  CommitRequest,
  JoinRecord,
  LaunchDetails,
  LaunchResult,
  ResetRequest,
  ResetResult,
  TerminateResult,
  TokenMarkResult,
} from './ledger.js';

const STATE_KEY = 'state';

/**
 * One Durable Object per instance identity (see SCHEMA.md). Each RPC reads the state, applies a
 * pure transition and writes it back synchronously (SQLite-backed sync KV), so no two requests
 * for one instance can interleave: this is the compare-and-set KV cannot give.
 */
export class JoinLedgerObject extends DurableObject<PollerEnv> {
  private apply<T>(transition: (state: InstanceState) => Transition<T>): T {
    const kv = this.ctx.storage.kv;
    const { result, state } = transition(kv.get<InstanceState>(STATE_KEY) ?? {});
    if (isEmptyState(state)) kv.delete(STATE_KEY);
    else kv.put(STATE_KEY, state);
    return result;
  }

  claim(request: ClaimRequest, claimId: string): ClaimResult {
    return this.apply((state) => claimInstance(state, request, claimId));
  }

  /**
   * After a join commits, the object polls the cluster's CSRs for this token and node on an
   * alarm (src/approval/polling.ts): the CSR approver's low-latency path.
   */
  async commit(request: CommitRequest): Promise<boolean> {
    const committed = this.apply((state) => commitClaim(state, request));
    const record = this.get();
    if (committed && record !== undefined) await startInstancePolling(this.poller(), record, new Date());
    return committed;
  }

  override async alarm(): Promise<void> {
    await pollInstance(this.poller());
  }

  /** The CSR polling of the current token, for tests and operators' debugging. */
  approvalState(): ApprovalPolling | undefined {
    return this.ctx.storage.kv.get<ApprovalPolling>(APPROVAL_KEY);
  }

  private poller(): PollerHost {
    return {
      storage: this.ctx.storage,
      env: this.env,
      waitUntil: (promise) => this.ctx.waitUntil(promise),
      record: () => this.get(),
      markTokenUsed: (_key, tokenId, at) => this.markTokenUsed(tokenId, at),
    };
  }

  release(claimId: string): boolean {
    return this.apply((state) => releaseClaim(state, claimId));
  }

  get(): JoinRecord | undefined {
    return this.ctx.storage.kv.get<InstanceState>(STATE_KEY)?.record;
  }

  /** The whole state, for tests and operators' debugging. */
  state(): InstanceState {
    return this.ctx.storage.kv.get<InstanceState>(STATE_KEY) ?? {};
  }

  reset(request: ResetRequest): ResetResult {
    return this.apply((state) => resetInstance(state, request));
  }

  markTokenRevoked(tokenId: string, at: Date): TokenMarkResult {
    return this.apply((state) => markToken(state, tokenId, at, 'tokenRevokedAt'));
  }

  markTokenUsed(tokenId: string, at: Date): TokenMarkResult {
    return this.apply((state) => markToken(state, tokenId, at, 'tokenUsedAt'));
  }

  markTerminated(at: Date): TerminateResult {
    return this.apply((state) => terminateInstance(state, at));
  }

  expectLaunch(at: Date, details: LaunchDetails): LaunchResult {
    return this.apply((state) => expectLaunch(state, at, details));
  }
}
