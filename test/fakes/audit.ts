import type { AuditEvent, JoinAudit, JoinRow, JoinRowEffect, PendingRevocation, StoredAuditEvent } from '../../src/audit/audit.js';
import { pendingRevocation } from '../../src/audit/revocations.js';
import { auditEventMatches } from '../../src/audit/query.js';

/**
 * The join index and audit log in memory, with the semantics of src/audit/sql.ts (the Durable
 * Object is exercised inside workerd by test/e2e/admin*.test.ts). `recordLater` applies at once
 * unless `deferLater` is set; then `flushLater()` applies what was deferred.
 */
export function inMemoryAudit(): JoinAudit & {
  stored: StoredAuditEvent[];
  joins: Map<string, JoinRow>;
  /** "Revoke later" records by token ID. */
  revocations: Map<string, PendingRevocation>;
  failWith: Error | undefined;
  deferLater: boolean;
  flushLater(): void;
} {
  const events: StoredAuditEvent[] = [];
  const joins = new Map<string, JoinRow>();
  const revocations = new Map<string, PendingRevocation>();
  const deferred: [AuditEvent, JoinRowEffect | undefined][] = [];
  let nextId = 1;
  const clone = <T>(value: T): T => structuredClone(value);
  const append = (event: AuditEvent) => void events.push({ ...clone(event), id: nextId++ });
  const apply = (effect: JoinRowEffect) => {
    for (const row of joins.values()) {
      if (effect.kind === 'terminated') {
        if (row.key === effect.key && row.terminatedAt === undefined) row.terminatedAt = effect.at;
        continue;
      }
      if (row.tokenId !== effect.tokenId || (effect.key !== undefined && row.key !== effect.key)) continue;
      const field = effect.kind === 'token_used' ? 'usedAt' : 'revokedAt';
      if (row[field] === undefined) row[field] = effect.at;
    }
  };
  const fake = {
    stored: events,
    joins,
    revocations,
    failWith: undefined as Error | undefined,
    deferLater: false,
    check() {
      if (fake.failWith) throw fake.failWith;
    },
    flushLater() {
      for (const [event, effect] of deferred.splice(0)) {
        append(event);
        if (effect) apply(effect);
      }
    },
    async recordMint(row, event) {
      fake.check();
      const previous = joins.get(row.key);
      joins.set(row.key, { ...clone(row), joins: (previous?.joins ?? 0) + 1 });
      append(event);
    },
    async record(event, effect) {
      fake.check();
      append(event);
      if (effect) apply(effect);
    },
    recordLater(event, effect) {
      if (fake.failWith) return;
      if (fake.deferLater) deferred.push([clone(event), effect && clone(effect)]);
      else {
        append(event);
        if (effect) apply(effect);
      }
    },
    async events(query) {
      fake.check();
      const matching = events.filter((e) => auditEventMatches(e, query)).sort((a, b) => b.id - a.id);
      const items = clone(matching.slice(0, query.limit));
      return matching.length > query.limit ? { items, nextBefore: items[items.length - 1]!.id } : { items };
    },
    async join(key) {
      fake.check();
      return clone(joins.get(key));
    },
    async joinByToken(tokenId) {
      fake.check();
      return clone([...joins.values()].filter((r) => r.tokenId === tokenId).sort((a, b) => Date.parse(b.mintedAt) - Date.parse(a.mintedAt))[0]);
    },
    async joinsByNode(nodeName) {
      fake.check();
      return clone([...joins.values()].filter((r) => r.nodeName === nodeName));
    },
    async unsettledJoins(expiringAfter, limit) {
      fake.check();
      return clone(
        [...joins.values()]
          .filter((r) => Date.parse(r.expiresAt) > Date.parse(expiringAfter) && !r.usedAt && !r.revokedAt && !r.terminatedAt)
          .sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt))
          .slice(0, limit),
      );
    },
    async prune(policy) {
      fake.check();
      const before = Date.parse(policy.before);
      const keep = events.filter((e) => Date.parse(e.at) >= before).slice(-policy.maxEvents);
      const removed = events.length - keep.length;
      events.splice(0, events.length, ...keep);
      let prunedJoins = 0;
      for (const [key, row] of joins) if (Date.parse(row.expiresAt) < before) joins.delete(key), prunedJoins++;
      return { events: removed, joins: prunedJoins };
    },
    async revokeLater(request) {
      fake.check();
      if (!revocations.has(request.tokenId)) revocations.set(request.tokenId, pendingRevocation(clone(request)));
    },
    async dueRevocations(now, limit) {
      fake.check();
      return clone(
        [...revocations.values()]
          .filter((r) => Date.parse(r.checkAt) <= Date.parse(now))
          .sort((a, b) => Date.parse(a.checkAt) - Date.parse(b.checkAt))
          .slice(0, limit),
      );
    },
    async rescheduleRevocation(tokenId, checkAt) {
      fake.check();
      const pending = revocations.get(tokenId);
      if (pending !== undefined) revocations.set(tokenId, { ...pending, checkAt, checks: pending.checks + 1 });
    },
    async settleRevocation(tokenId, event, effect) {
      fake.check();
      revocations.delete(tokenId);
      if (event) append(event);
      if (effect) apply(effect);
    },
  } satisfies JoinAudit & Record<string, unknown>;
  return fake;
}
