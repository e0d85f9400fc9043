import { DurableObject } from 'cloudflare:workers';
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
/** Where an earlier version kept this instance's CSR polling (now the join index's, cluster-wide). */
const LEGACY_APPROVAL_KEY = 'approval';

/**
 * One Durable Object per instance identity (see SCHEMA.md). Each RPC reads the state, applies a
 * pure transition and writes it back synchronously (SQLite-backed sync KV), so no two requests
 * for one instance can interleave: this is the compare-and-set KV cannot give.
 */
export class JoinLedgerObject extends DurableObject {
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

  commit(request: CommitRequest): boolean {
    return this.apply((state) => commitClaim(state, request));
  }

  /**
   * Objects of an earlier version polled CSRs on their alarm; the join index polls for the whole
   * cluster now (src/approval/cluster-poller.ts). An alarm such an object had set drops that
   * polling state and sets no other.
   */
  override async alarm(): Promise<void> {
    this.ctx.storage.kv.delete(LEGACY_APPROVAL_KEY);
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
