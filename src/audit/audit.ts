import type { Provider } from '../attest/identity.js';

/**
 * The join index and the audit log: what the admin API lists, the cron reconciles and (later)
 * the CSR approver reads. One SQLite-backed Durable Object (`JoinIndexObject`); the schema,
 * the durability rules and the retention are in src/ledger/SCHEMA.md.
 */

export const AUDIT_EVENTS = [
  'join.minted',
  'join.refused',
  'token.revoked',
  'token.used',
  'token.expired_deleted',
  'instance.reset',
  'instance.terminated',
  'instance.launch_expected',
  'csr.approved',
  'csr.denied',
] as const;
export type AuditEventName = (typeof AUDIT_EVENTS)[number];

/** `GET /v1/joins?outcome=`: which events count as a join's outcome. */
export const OUTCOME_EVENTS = { joined: 'join.minted', refused: 'join.refused' } as const satisfies Record<string, AuditEventName>;
export type JoinOutcome = keyof typeof OUTCOME_EVENTS;

/**
 * One audit event. Identity fields are the verified ones (a refusal before verification has
 * none). `detail` is the detailed reason admins may read; like everything here it never holds a
 * token secret or a credential.
 */
export interface AuditEvent {
  /** RFC 3339, broker clock. */
  at: string;
  event: AuditEventName;
  provider?: Provider;
  account?: string;
  region?: string;
  instanceId?: string;
  nodeName?: string;
  pool?: string;
  tokenId?: string;
  /** The wire code the caller got (join.refused). */
  code?: string;
  /** The stable internal reason (e.g. `invalid_signature`, `stale_document`, `not_announced`). */
  reason?: string;
  detail?: string;
  /** The caller's address (joins). */
  source?: string;
  /** Who did it: the admin subject, `lifecycle-hook`, `cron`. */
  actor?: string;
}

export interface StoredAuditEvent extends AuditEvent {
  /** Monotonic: newest first is id descending. */
  id: number;
}

/** One row per instance identity: its last minted token and what became of it. */
export interface JoinRow {
  /** `<provider>/<account>/<instanceId>`, the ledger key. */
  key: string;
  provider: Provider;
  account: string;
  region?: string;
  instanceId: string;
  nodeName: string;
  pool: string;
  tokenId: string;
  mintedAt: string;
  expiresAt: string;
  usedAt?: string;
  revokedAt?: string;
  terminatedAt?: string;
  /** Attested addresses and names: the only SANs a kubelet serving CSR for this node may carry. */
  addresses: { ips: string[]; dnsNames: string[] };
  /** Joins of this identity recorded in the index (a reset does not clear it). */
  joins: number;
}

export type MintedJoin = Omit<JoinRow, 'joins' | 'usedAt' | 'revokedAt' | 'terminatedAt'>;

type JoinSubject = 'provider' | 'account' | 'region' | 'instanceId' | 'nodeName' | 'pool' | 'tokenId';

/** The audit fields that name a join's machine and token, and nothing else of its index row or revoke-later record. */
export const aboutJoin = (join: Pick<JoinRow, JoinSubject>): Pick<AuditEvent, JoinSubject> => ({
  provider: join.provider,
  account: join.account,
  ...(join.region === undefined ? {} : { region: join.region }),
  instanceId: join.instanceId,
  nodeName: join.nodeName,
  pool: join.pool,
  tokenId: join.tokenId,
});

/** What an event changes on the joins row, applied in the same write as the event. */
export type JoinRowEffect =
  | { kind: 'token_revoked' | 'token_used'; tokenId: string; key?: string; at: string }
  | { kind: 'terminated'; key: string; at: string };

export interface AuditQuery {
  provider?: Provider;
  account?: string;
  nodeName?: string;
  instanceId?: string;
  /** Inclusive lower bound, RFC 3339. */
  since?: string;
  /** Exclusive upper bound, RFC 3339. */
  until?: string;
  outcome?: JoinOutcome;
  limit: number;
  /** Continue below this event id (from the previous page's cursor). */
  before?: number;
}

export interface AuditPage {
  items: StoredAuditEvent[];
  /** Set when more events match: pass as `before` for the next page. */
  nextBefore?: number;
}

export interface RetentionPolicy {
  /** Events older than this (RFC 3339) are deleted; joins rows whose token expired before it too. */
  before: string;
  /** At most this many events are kept (the newest). */
  maxEvents: number;
}

/** 30 days or 200 000 events, whichever is less; pruned by the cron. */
export const AUDIT_RETENTION = { days: 30, maxEvents: 200_000 } as const;

export const retentionAt = (now: Date): RetentionPolicy => ({
  before: new Date(now.getTime() - AUDIT_RETENTION.days * 86_400_000).toISOString(),
  maxEvents: AUDIT_RETENTION.maxEvents,
});

/**
 * Why a token is to be revoked later: a mint gave up while one of its creates might still land
 * (`mint_abandoned`), or a join that failed after minting could not delete its token before its
 * deadline (`revoke_failed`). Either way no node received the token.
 */
export type RevocationReason = 'mint_abandoned' | 'revoke_failed';

/** A durable "revoke this token later" record (the index's `revocations` table; src/audit/revocations.ts). */
export interface RevocationRequest {
  tokenId: string;
  /** The ledger key of the join that minted (or tried to mint) it. */
  key: string;
  provider: Provider;
  account: string;
  region?: string;
  instanceId: string;
  nodeName: string;
  pool: string;
  reason: RevocationReason;
  /** When the join gave up on it, RFC 3339. */
  at: string;
}

export interface PendingRevocation extends RevocationRequest {
  /** The next check, RFC 3339. */
  checkAt: string;
  /** Checks made so far. */
  checks: number;
}

/**
 * The join index and audit log.
 * Durability: every method but `recordLater` resolves only once its write is durable (a Durable
 * Object's output gate holds the RPC's answer until the write is stored). `recordLater` is for
 * refusals only: fire-and-forget, possibly lost if the isolate dies (SCHEMA.md says why that is
 * accepted) and never able to delay or fail the request that caused it.
 */
export interface JoinAudit {
  /** The joins row of a minted token and its `join.minted` event, in one write. */
  recordMint(row: MintedJoin, event: AuditEvent): Promise<void>;
  record(event: AuditEvent, effect?: JoinRowEffect): Promise<void>;
  recordLater(event: AuditEvent, effect?: JoinRowEffect): void;
  events(query: AuditQuery): Promise<AuditPage>;
  join(key: string): Promise<JoinRow | undefined>;
  joinByToken(tokenId: string): Promise<JoinRow | undefined>;
  joinsByNode(nodeName: string): Promise<JoinRow[]>;
  /** Rows whose token is neither used, revoked nor terminated and expires after `expiringAfter`, oldest first. */
  unsettledJoins(expiringAfter: string, limit: number): Promise<JoinRow[]>;
  prune(policy: RetentionPolicy): Promise<{ events: number; joins: number }>;
  /**
   * Records a token no bundle carries, to be deleted soon by the index's poller (or the cron):
   * durable when it resolves. Recording the same token again keeps the first record.
   */
  revokeLater(request: RevocationRequest): Promise<void>;
  /** Records whose next check is at or before `now`, oldest first. */
  dueRevocations(now: string, limit: number): Promise<PendingRevocation[]>;
  /** Moves a record's next check to `checkAt` and counts the check. */
  rescheduleRevocation(tokenId: string, checkAt: string): Promise<void>;
  /** Drops a record, with its audit event (if any) in the same write. */
  settleRevocation(tokenId: string, event?: AuditEvent, effect?: JoinRowEffect): Promise<void>;
}
