import { OUTCOME_EVENTS, type AuditEvent, type AuditQuery, type JoinRow, type JoinRowEffect, type MintedJoin, type PendingRevocation, type StoredAuditEvent } from './audit.js';

/**
 * The join index's SQLite schema and statements (see src/ledger/SCHEMA.md). Times are stored as
 * integer milliseconds since the epoch so ranges compare as numbers. Every write is one small
 * statement with bound parameters; nothing is ever spliced into SQL text but fixed fragments.
 */

export type SqlValue = string | number | null;
export interface Statement {
  sql: string;
  params: SqlValue[];
}

export const INDEX_SCHEMA: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS joins (
    key TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    account TEXT NOT NULL,
    region TEXT,
    instance_id TEXT NOT NULL,
    node_name TEXT NOT NULL,
    pool TEXT NOT NULL,
    token_id TEXT NOT NULL,
    minted_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    revoked_at INTEGER,
    terminated_at INTEGER,
    ips TEXT NOT NULL,
    dns_names TEXT NOT NULL,
    joins INTEGER NOT NULL
  ) STRICT`,
  'CREATE INDEX IF NOT EXISTS joins_node_name ON joins (node_name)',
  'CREATE INDEX IF NOT EXISTS joins_token_id ON joins (token_id)',
  'CREATE INDEX IF NOT EXISTS joins_expires_at ON joins (expires_at)',
  `CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    event TEXT NOT NULL,
    provider TEXT,
    account TEXT,
    region TEXT,
    instance_id TEXT,
    node_name TEXT,
    pool TEXT,
    token_id TEXT,
    code TEXT,
    reason TEXT,
    detail TEXT,
    source TEXT,
    actor TEXT
  ) STRICT`,
  'CREATE INDEX IF NOT EXISTS audit_at ON audit (at)',
  'CREATE INDEX IF NOT EXISTS audit_instance ON audit (instance_id)',
  'CREATE INDEX IF NOT EXISTS audit_node_name ON audit (node_name)',
  // Tokens no bundle carries that may exist in the cluster: "revoke later" (src/audit/revocations.ts).
  `CREATE TABLE IF NOT EXISTS revocations (
    token_id TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    provider TEXT NOT NULL,
    account TEXT NOT NULL,
    region TEXT,
    instance_id TEXT NOT NULL,
    node_name TEXT NOT NULL,
    pool TEXT NOT NULL,
    reason TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    check_at INTEGER NOT NULL,
    checks INTEGER NOT NULL
  ) STRICT`,
  'CREATE INDEX IF NOT EXISTS revocations_check_at ON revocations (check_at)',
];

const ms = (iso: string | undefined): number | null => (iso === undefined ? null : Date.parse(iso));
const iso = (value: unknown): string | undefined => (typeof value === 'number' ? new Date(value).toISOString() : undefined);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const opt = (value: string | undefined): SqlValue => value ?? null;

/** A new join of an instance replaces its row and clears the previous token's marks. */
export function upsertJoin(row: MintedJoin): Statement {
  return {
    sql: `INSERT INTO joins (key, provider, account, region, instance_id, node_name, pool, token_id, minted_at, expires_at, ips, dns_names, joins)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
      ON CONFLICT (key) DO UPDATE SET region = excluded.region, node_name = excluded.node_name, pool = excluded.pool,
        token_id = excluded.token_id, minted_at = excluded.minted_at, expires_at = excluded.expires_at, used_at = NULL,
        revoked_at = NULL, terminated_at = NULL, ips = excluded.ips, dns_names = excluded.dns_names, joins = joins.joins + 1`,
    params: [
      row.key,
      row.provider,
      row.account,
      opt(row.region),
      row.instanceId,
      row.nodeName,
      row.pool,
      row.tokenId,
      ms(row.mintedAt),
      ms(row.expiresAt),
      JSON.stringify(row.addresses.ips),
      JSON.stringify(row.addresses.dnsNames),
    ],
  };
}

export function insertEvent(event: AuditEvent): Statement {
  return {
    sql: `INSERT INTO audit (at, event, provider, account, region, instance_id, node_name, pool, token_id, code, reason, detail, source, actor)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    params: [
      ms(event.at),
      event.event,
      opt(event.provider),
      opt(event.account),
      opt(event.region),
      opt(event.instanceId),
      opt(event.nodeName),
      opt(event.pool),
      opt(event.tokenId),
      opt(event.code),
      opt(event.reason),
      opt(event.detail),
      opt(event.source),
      opt(event.actor),
    ],
  };
}

/** Marks only an unmarked column: the first time wins, as in the ledger. */
export function applyEffect(effect: JoinRowEffect): Statement {
  if (effect.kind === 'terminated') {
    return { sql: 'UPDATE joins SET terminated_at = ? WHERE key = ? AND terminated_at IS NULL', params: [ms(effect.at), effect.key] };
  }
  const column = effect.kind === 'token_used' ? 'used_at' : 'revoked_at';
  const byKey = effect.key === undefined ? '' : ' AND key = ?';
  return {
    sql: `UPDATE joins SET ${column} = ? WHERE token_id = ?${byKey} AND ${column} IS NULL`,
    params: effect.key === undefined ? [ms(effect.at), effect.tokenId] : [ms(effect.at), effect.tokenId, effect.key],
  };
}

/** Newest first; one row more than the page, to know whether another page follows. */
export function selectEvents(query: AuditQuery): Statement {
  const where: string[] = [];
  const params: SqlValue[] = [];
  const add = (clause: string, value: SqlValue) => {
    where.push(clause);
    params.push(value);
  };
  if (query.provider !== undefined) add('provider = ?', query.provider);
  if (query.account !== undefined) add('account = ?', query.account);
  if (query.nodeName !== undefined) add('node_name = ?', query.nodeName);
  if (query.instanceId !== undefined) add('instance_id = ?', query.instanceId);
  if (query.since !== undefined) add('at >= ?', ms(query.since));
  if (query.until !== undefined) add('at < ?', ms(query.until));
  if (query.outcome !== undefined) add('event = ?', OUTCOME_EVENTS[query.outcome]);
  if (query.before !== undefined) add('id < ?', query.before);
  const clause = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
  return { sql: `SELECT * FROM audit${clause} ORDER BY id DESC LIMIT ?`, params: [...params, query.limit + 1] };
}

export const selectJoinByKey = (key: string): Statement => ({ sql: 'SELECT * FROM joins WHERE key = ?', params: [key] });
export const selectJoinByToken = (tokenId: string): Statement => ({
  sql: 'SELECT * FROM joins WHERE token_id = ? ORDER BY minted_at DESC LIMIT 1',
  params: [tokenId],
});
export const selectJoinsByNode = (nodeName: string): Statement => ({
  sql: 'SELECT * FROM joins WHERE node_name = ? ORDER BY minted_at DESC LIMIT 20',
  params: [nodeName],
});
export const selectUnsettledJoins = (expiringAfter: string, limit: number): Statement => ({
  sql: `SELECT * FROM joins WHERE expires_at > ? AND used_at IS NULL AND revoked_at IS NULL AND terminated_at IS NULL
    ORDER BY expires_at ASC LIMIT ?`,
  params: [ms(expiringAfter), limit],
});

/** The first record of a token wins (a second give-up of the same token changes nothing). */
export function insertRevocation(pending: PendingRevocation): Statement {
  return {
    sql: `INSERT INTO revocations (token_id, key, provider, account, region, instance_id, node_name, pool, reason, recorded_at, check_at, checks)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (token_id) DO NOTHING`,
    params: [
      pending.tokenId,
      pending.key,
      pending.provider,
      pending.account,
      opt(pending.region),
      pending.instanceId,
      pending.nodeName,
      pending.pool,
      pending.reason,
      ms(pending.at),
      ms(pending.checkAt),
      pending.checks,
    ],
  };
}
export const selectDueRevocations = (now: string, limit: number): Statement => ({
  sql: 'SELECT * FROM revocations WHERE check_at <= ? ORDER BY check_at ASC LIMIT ?',
  params: [ms(now), limit],
});
export const selectNextRevocationCheck = (): Statement => ({ sql: 'SELECT MIN(check_at) AS at FROM revocations', params: [] });
export const rescheduleRevocation = (tokenId: string, checkAt: string): Statement => ({
  sql: 'UPDATE revocations SET check_at = ?, checks = checks + 1 WHERE token_id = ?',
  params: [ms(checkAt), tokenId],
});
export const deleteRevocation = (tokenId: string): Statement => ({ sql: 'DELETE FROM revocations WHERE token_id = ?', params: [tokenId] });

export function revocationFromRow(row: Record<string, unknown>): PendingRevocation {
  const pending: PendingRevocation = {
    tokenId: String(row['token_id']),
    key: String(row['key']),
    provider: row['provider'] as PendingRevocation['provider'],
    account: String(row['account']),
    instanceId: String(row['instance_id']),
    nodeName: String(row['node_name']),
    pool: String(row['pool']),
    reason: row['reason'] as PendingRevocation['reason'],
    at: iso(row['recorded_at'])!,
    checkAt: iso(row['check_at'])!,
    checks: Number(row['checks']),
  };
  const region = text(row['region']);
  if (region !== undefined) pending.region = region;
  return pending;
}

/**
 * What keeps the CSR poller going: tokens not yet spent, revoked or terminated whose expiry (plus
 * `expiringAfter`'s grace) is still ahead — their client CSR may come — counted.
 */
export const countAwaitingClientCsr = (expiringAfter: string): Statement => ({
  sql: 'SELECT COUNT(*) AS n FROM joins WHERE expires_at > ? AND used_at IS NULL AND revoked_at IS NULL AND terminated_at IS NULL',
  params: [ms(expiringAfter)],
});
/** …and the nodes whose token was spent after `usedAfter`: their serving CSR may still come. */
export const selectRecentlyUsedNodes = (usedAfter: string): Statement => ({
  sql: 'SELECT DISTINCT node_name FROM joins WHERE used_at > ? AND revoked_at IS NULL AND terminated_at IS NULL',
  params: [ms(usedAfter)],
});

export function pruneStatements(before: string, maxEvents: number): { events: Statement[]; joins: Statement } {
  return {
    events: [
      { sql: 'DELETE FROM audit WHERE at < ?', params: [ms(before)] },
      { sql: 'DELETE FROM audit WHERE id <= (SELECT id FROM audit ORDER BY id DESC LIMIT 1 OFFSET ?)', params: [maxEvents] },
    ],
    joins: { sql: 'DELETE FROM joins WHERE expires_at < ?', params: [ms(before)] },
  };
}

export function eventFromRow(row: Record<string, unknown>): StoredAuditEvent {
  const event: StoredAuditEvent = { id: Number(row['id']), at: iso(row['at'])!, event: row['event'] as StoredAuditEvent['event'] };
  const fields = [
    ['provider', 'provider'],
    ['account', 'account'],
    ['region', 'region'],
    ['instanceId', 'instance_id'],
    ['nodeName', 'node_name'],
    ['pool', 'pool'],
    ['tokenId', 'token_id'],
    ['code', 'code'],
    ['reason', 'reason'],
    ['detail', 'detail'],
    ['source', 'source'],
    ['actor', 'actor'],
  ] as const;
  for (const [field, column] of fields) {
    const value = text(row[column]);
    if (value !== undefined) (event as unknown as Record<string, string>)[field] = value;
  }
  return event;
}

export function joinFromRow(row: Record<string, unknown>): JoinRow {
  const join: JoinRow = {
    key: String(row['key']),
    provider: row['provider'] as JoinRow['provider'],
    account: String(row['account']),
    instanceId: String(row['instance_id']),
    nodeName: String(row['node_name']),
    pool: String(row['pool']),
    tokenId: String(row['token_id']),
    mintedAt: iso(row['minted_at'])!,
    expiresAt: iso(row['expires_at'])!,
    addresses: { ips: JSON.parse(String(row['ips'])) as string[], dnsNames: JSON.parse(String(row['dns_names'])) as string[] },
    joins: Number(row['joins']),
  };
  const region = text(row['region']);
  if (region !== undefined) join.region = region;
  for (const [field, column] of [['usedAt', 'used_at'], ['revokedAt', 'revoked_at'], ['terminatedAt', 'terminated_at']] as const) {
    const value = iso(row[column]);
    if (value !== undefined) join[field] = value;
  }
  return join;
}
