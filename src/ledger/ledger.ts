import type { NodeIdentity, Provider } from '../attest/identity.js';
import type { RejoinPolicy } from '../policy/schema.js';

/** One instance identity: what "join once" is counted against. */
export interface LedgerKey {
  readonly provider: Provider;
  readonly account: string;
  readonly instanceId: string;
}

export const ledgerKeyString = (key: LedgerKey): string => `${key.provider}/${key.account}/${key.instanceId}`;

const KEY_PROVIDERS: ReadonlySet<string> = new Set<Provider>(['aws', 'gcp', 'azure', 'oidc']);

/**
 * The inverse of ledgerKeyString, for keys an admin sends. The account may itself contain `/`
 * (an OIDC issuer URL), so the provider is the first segment and the instance ID the last; any
 * split gives the same key string, which is all that addresses the ledger and the index.
 */
export function parseLedgerKey(text: string): LedgerKey | undefined {
  if (text.length > 1024 || /\p{Cc}/u.test(text)) return undefined;
  const first = text.indexOf('/');
  const last = text.lastIndexOf('/');
  if (first <= 0 || last <= first + 1 || last === text.length - 1) return undefined;
  const provider = text.slice(0, first);
  if (!KEY_PROVIDERS.has(provider)) return undefined;
  return { provider: provider as Provider, account: text.slice(first + 1, last), instanceId: text.slice(last + 1) };
}

export interface JoinRecord {
  key: LedgerKey;
  identity: Pick<NodeIdentity, 'provider' | 'account' | 'region' | 'zone' | 'instanceId'>;
  /** The document's issuedAt (AWS pendingTime) of the join that committed. */
  issuedAt: string;
  nodeName: string;
  pool: string;
  tokenId: string;
  mintedAt: string;
  tokenExpiresAt: string;
  tokenUsedAt?: string;
  tokenRevokedAt?: string;
  terminatedAt?: string;
  joins: number;
}

/** What a lifecycle launch hook said about an instance before it asked to join. */
export interface LaunchDetails {
  /** The Auto Scaling group that announced the instance. */
  autoScalingGroupName?: string;
  /** How the announcement arrived: `sns`, `eventbridge`, `plain`. */
  source?: string;
  /** The announcing event's ID (SNS MessageId, EventBridge id, lifecycle action token). */
  eventId?: string;
}

export interface LaunchExpectation {
  expectedAt: string;
  details: LaunchDetails;
}

export interface ClaimRequest {
  key: LedgerKey;
  issuedAt: Date;
  rejoin: RejoinPolicy;
  now: Date;
  /** How long the claim holds if neither commit nor release follows (a crashed request). */
  leaseMs: number;
  /** The pool's `requireLaunchHook`: only an instance a launch hook announced may claim. */
  requireLaunch?: boolean;
}

export type ClaimResult =
  | { ok: true; claimId: string }
  | { ok: false; reason: 'already_joined'; detail: string }
  | { ok: false; reason: 'in_flight'; detail: string }
  | { ok: false; reason: 'terminated'; detail: string }
  | { ok: false; reason: 'not_announced'; detail: string };

export interface CommitRequest {
  key: LedgerKey;
  claimId: string;
  record: Omit<JoinRecord, 'joins' | 'key'>;
  now: Date;
}

/** Who reset an instance and when (the admin API's authenticated subject). */
export interface ResetRequest {
  at: Date;
  by: string;
}

/** `found: false` when the ledger held no join and no termination for the instance. */
export type ResetResult = { found: false } | { found: true; previous: JoinRecord | undefined; terminatedAt: string | undefined };

/**
 * `record` is the instance's last join, if any (node name, token ID: what the caller revokes and
 * deletes). `alreadyTerminated` is true when an earlier call marked it: a redelivered event.
 */
export interface TerminateResult {
  record: JoinRecord | undefined;
  terminatedAt: string;
  alreadyTerminated: boolean;
}

/** `unknown_token`: the instance's last join minted another token (or there is none). */
export type TokenMarkResult = 'marked' | 'already_marked' | 'unknown_token';

/** `alreadyExpected`: an earlier launch hook recorded the instance (kept as it was). */
export interface LaunchResult {
  launch: LaunchExpectation;
  alreadyExpected: boolean;
}

/**
 * One join per instance identity, strongly consistent. The pipeline claims before minting and
 * either commits after the bundle is built or releases on any failure, so a transient fault
 * never spends an instance's join; a claim that is neither expires after its lease.
 * Admin and lifecycle operations are transitions on the same per-instance state.
 */
export interface JoinLedger {
  claim(request: ClaimRequest): Promise<ClaimResult>;
  /** false when the claim is no longer held (its lease expired); the caller must undo its work. */
  commit(request: CommitRequest): Promise<boolean>;
  release(key: LedgerKey, claimId: string): Promise<void>;
  get(key: LedgerKey): Promise<JoinRecord | undefined>;
  /** Admin: forget the instance's join and termination, so it may join again. */
  reset(key: LedgerKey, request: ResetRequest): Promise<ResetResult>;
  markTokenRevoked(key: LedgerKey, tokenId: string, at: Date): Promise<TokenMarkResult>;
  markTokenUsed(key: LedgerKey, tokenId: string, at: Date): Promise<TokenMarkResult>;
  /** Lifecycle terminate: every later join of the instance is refused. Idempotent. */
  markTerminated(key: LedgerKey, at: Date): Promise<TerminateResult>;
  /** Lifecycle launch: the autoscaling group announced the instance. Idempotent. */
  expectLaunch(key: LedgerKey, at: Date, details: LaunchDetails): Promise<LaunchResult>;
}
