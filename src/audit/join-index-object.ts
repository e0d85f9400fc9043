import { DurableObject } from 'cloudflare:workers';
import type { AuditEvent, AuditPage, AuditQuery, JoinRow, JoinRowEffect, MintedJoin, RetentionPolicy } from './audit.js';
import {
  INDEX_SCHEMA,
  applyEffect,
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

/** The one instance of the index: `JOIN_INDEX.getByName(JOIN_INDEX_NAME)`. */
export const JOIN_INDEX_NAME = 'index';

/**
 * The join index and audit log (SCHEMA.md), SQLite-backed. Every RPC runs its statements
 * synchronously, so each is atomic; the Durable Object's output gate holds the answer until the
 * writes are durable, which is what lets the join pipeline rely on `recordMint` having landed.
 */
export class JoinIndexObject extends DurableObject {
  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    for (const statement of INDEX_SCHEMA) ctx.storage.sql.exec(statement);
  }

  private run(statement: Statement): SqlStorageCursor<Record<string, SqlStorageValue>> {
    return this.ctx.storage.sql.exec(statement.sql, ...statement.params);
  }

  recordMint(row: MintedJoin, event: AuditEvent): void {
    this.run(upsertJoin(row));
    this.run(insertEvent(event));
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
