import type { NodeIdentity, Provider } from '../attest/identity.js';
import type { RejoinPolicy } from '../policy/schema.js';

/** One instance identity: what "join once" is counted against. */
export interface LedgerKey {
  readonly provider: Provider;
  readonly account: string;
  readonly instanceId: string;
}

export const ledgerKeyString = (key: LedgerKey): string => `${key.provider}/${key.account}/${key.instanceId}`;

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

export interface ClaimRequest {
  key: LedgerKey;
  issuedAt: Date;
  rejoin: RejoinPolicy;
  now: Date;
  /** How long the claim holds if neither commit nor release follows (a crashed request). */
  leaseMs: number;
}

export type ClaimResult =
  | { ok: true; claimId: string }
  | { ok: false; reason: 'already_joined'; detail: string }
  | { ok: false; reason: 'in_flight'; detail: string };

export interface CommitRequest {
  key: LedgerKey;
  claimId: string;
  record: Omit<JoinRecord, 'joins' | 'key'>;
  now: Date;
}

/**
 * One join per instance identity, strongly consistent. The pipeline claims before minting and
 * either commits after the bundle is built or releases on any failure, so a transient fault
 * never spends an instance's join; a claim that is neither expires after its lease.
 */
export interface JoinLedger {
  claim(request: ClaimRequest): Promise<ClaimResult>;
  /** false when the claim is no longer held (its lease expired); the caller must undo its work. */
  commit(request: CommitRequest): Promise<boolean>;
  release(key: LedgerKey, claimId: string): Promise<void>;
  get(key: LedgerKey): Promise<JoinRecord | undefined>;
}
