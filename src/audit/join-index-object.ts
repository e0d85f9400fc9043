import { DurableObject } from 'cloudflare:workers';
import { alarmNoLaterThan, APPROVAL_KEY, armPoller, localAudit, pollCluster, type PollerEnv, type PollerHost } from '../approval/cluster-poller.js';
import type { ApprovalPolling } from '../approval/polling.js';
import type { AuditEvent, AuditPage, AuditQuery, JoinRow, JoinRowEffect, MintedJoin, PendingRevocation, RetentionPolicy, RevocationRequest } from './audit.js';
import { createConsoleLogger } from '../log.js';
import { pendingRevocation } from './revocations.js';
import {
  INDEX_SCHEMA,
  applyEffect,
  countAwaitingClientCsr,
  deleteRevocation,
  insertRevocation,
  rescheduleRevocation,
  revocationFromRow,
  selectDueRevocations,
  selectNextRevocationCheck,
  selectRecentlyUsedNodes,
  eventFromRow,
  insertEvent,
  joinFromRow,
  pruneStatements,
  selectEvents,
  selectJoinByKey,
  selectJoinByToken,
  selectJoinsByNode,
  selectUnsettledJoins,
  upsertJoin,
  type Statement,
} from './sql.js';

const log = createConsoleLogger();

/** The one instance of the index: `JOIN_INDEX.getByName(JOIN_INDEX_NAME)`. */
export const JOIN_INDEX_NAME = 'index';

/**
 * The join index and audit log (SCHEMA.md), SQLite-backed. Every RPC runs its statements
 * synchronously, so each is atomic; the Durable Object's output gate holds the answer until the
 * writes are durable, which is what lets the join pipeline rely on `recordMint` having landed.
 *
 * Its alarm is the cluster's one CSR poller (src/approval/cluster-poller.ts): every mint arms it,
 * and while any brokered node may still send a CSR it lists the cluster's CSRs once per 2 s and
 * decides them all. The same alarm works off the "revoke later" records.
 */
export class JoinIndexObject extends DurableObject<PollerEnv> {
  constructor(ctx: DurableObjectState, env: PollerEnv) {
    super(ctx, env);
    for (const statement of INDEX_SCHEMA) ctx.storage.sql.exec(statement);
  }

  private run(statement: Statement): SqlStorageCursor<Record<string, SqlStorageValue>> {
    return this.ctx.storage.sql.exec(statement.sql, ...statement.params);
  }

  /**
   * The row and its event in one write; arms the CSR poller (the new node's CSRs are coming). A
   * failure to arm never fails the mint: the cron sweep decides the node's CSRs, only later.
   */
  async recordMint(row: MintedJoin, event: AuditEvent): Promise<void> {
    this.run(upsertJoin(row));
    this.run(insertEvent(event));
    await armPoller(this.ctx.storage, new Date()).catch((error: unknown) => {
      log.error('csr.poll_not_armed', { tokenId: row.tokenId, error: error instanceof Error ? error.name : 'unknown' });
    });
  }

  override async alarm(): Promise<void> {
    await pollCluster(this.pollerHost());
  }

  /** The CSR poller's bookkeeping, for tests and operators' debugging. */
  approvalState(): ApprovalPolling | undefined {
    return this.ctx.storage.kv.get<ApprovalPolling>(APPROVAL_KEY);
  }

  async revokeLater(request: RevocationRequest): Promise<void> {
    const pending = pendingRevocation(request);
    this.run(insertRevocation(pending));
    await alarmNoLaterThan(this.ctx.storage, Date.parse(pending.checkAt));
  }

  dueRevocations(now: string, limit: number): PendingRevocation[] {
    return this.run(selectDueRevocations(now, limit)).toArray().map(revocationFromRow);
  }

  rescheduleRevocation(tokenId: string, checkAt: string): void {
    this.run(rescheduleRevocation(tokenId, checkAt));
  }

  settleRevocation(tokenId: string, event?: AuditEvent, effect?: JoinRowEffect): void {
    this.run(deleteRevocation(tokenId));
    if (event !== undefined) this.record(event, effect);
  }

  private pollerHost(): PollerHost {
    return {
      storage: this.ctx.storage,
      env: this.env,
      audit: {
        ...localAudit(this),
        dueRevocations: async (now, limit) => this.dueRevocations(now, limit),
        rescheduleRevocation: async (tokenId, checkAt) => this.rescheduleRevocation(tokenId, checkAt),
        settleRevocation: async (tokenId, event, effect) => this.settleRevocation(tokenId, event, effect),
      },
      awaitingClientCsr: (expiringAfter) => Number(this.run(countAwaitingClientCsr(expiringAfter)).one()['n']),
      recentlyUsedNodes: (usedAfter) => this.run(selectRecentlyUsedNodes(usedAfter)).toArray().map((row) => String(row['node_name'])),
      nextRevocationCheck: () => {
        const at = this.run(selectNextRevocationCheck()).one()['at'];
        return typeof at === 'number' ? at : undefined;
      },
    };
  }

  record(event: AuditEvent, effect?: JoinRowEffect): void {
    this.run(insertEvent(event));
    if (effect !== undefined) this.run(applyEffect(effect));
  }

  events(query: AuditQuery): AuditPage {
    const rows = this.run(selectEvents(query)).toArray().map(eventFromRow);
    const items = rows.slice(0, query.limit);
    return rows.length > query.limit ? { items, nextBefore: items[items.length - 1]!.id } : { items };
  }

  join(key: string): JoinRow | undefined {
    const [row] = this.run(selectJoinByKey(key)).toArray();
    return row === undefined ? undefined : joinFromRow(row);
  }

  joinByToken(tokenId: string): JoinRow | undefined {
    const [row] = this.run(selectJoinByToken(tokenId)).toArray();
    return row === undefined ? undefined : joinFromRow(row);
  }

  joinsByNode(nodeName: string): JoinRow[] {
    return this.run(selectJoinsByNode(nodeName)).toArray().map(joinFromRow);
  }

  unsettledJoins(expiringAfter: string, limit: number): JoinRow[] {
    return this.run(selectUnsettledJoins(expiringAfter, limit)).toArray().map(joinFromRow);
  }

  prune(policy: RetentionPolicy): { events: number; joins: number } {
    const statements = pruneStatements(policy.before, policy.maxEvents);
    let events = 0;
    for (const statement of statements.events) events += this.run(statement).rowsWritten;
    const joins = this.run(statements.joins).rowsWritten;
    return { events, joins };
  }
}
