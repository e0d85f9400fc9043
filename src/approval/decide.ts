/**
 * Which kubelet CSRs the broker approves, denies or leaves to others. No I/O, no clock: the
 * CSR's facts (parsed request, self-signature check), the join index rows and the pool are
 * inputs; `src/approval/approver.ts` reads them and acts on the decision.
 *
 * Trust is decided here (DESIGN "Beyond the anchors", SEMANTICS §4–5):
 * - A kubelet **client** CSR made with a bootstrap token the broker minted for a `broker`-approval
 *   pool is approved only for the node that token was minted for: signer
 *   `kubernetes.io/kube-apiserver-client-kubelet`, CN exactly `system:node:<that node>`, O exactly
 *   `system:nodes`, nothing else in the subject, no SANs, kubelet client usages — and only one per
 *   token (single use). kubeadm's nodeclient auto-approval ties none of this to the token: any
 *   holder of a default-node token gets a certificate for any node name.
 * - A kubelet **serving** CSR (both modes) is approved only when its requester is the node
 *   itself, `system:node:<name>` (authenticated with the client certificate the node obtained),
 *   of a node the broker minted, and every SAN is an IP address or DNS name attested for that
 *   instance by its identity document (or listed for the pool): nothing is guessed from DNS.
 * - A CSR whose requester the broker did not mint (kubeadm's own tokens, other nodes, users)
 *   is left alone: not the broker's to judge. So are client CSRs of `controller`-mode tokens
 *   (kube-controller-manager decides) and certificate rotations (`selfnodeclient`).
 */
import type { JoinRow } from '../audit/audit.js';
import { brokerApprovalGroup, type NodePool } from '../policy/schema.js';
import type { CertificateRequest } from './csr.js';
import { canonicalIpAddress } from './ip.js';
import type { SignatureCheck } from './signature.js';

export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
export const KUBELET_SERVING_SIGNER = 'kubernetes.io/kubelet-serving';
/** The signers the broker may approve (its ClusterRole's `approve` on `signers`, cli/setup/rbac.ts). */
export const BROKER_SIGNERS: readonly string[] = [KUBELET_CLIENT_SIGNER, KUBELET_SERVING_SIGNER];

export const NODE_USER_PREFIX = 'system:node:';
export const NODES_GROUP = 'system:nodes';
const BOOTSTRAP_USER = /^system:bootstrap:([a-z0-9]{6})$/;

/** `status.conditions[].reason` of the broker's approvals. */
export const APPROVED_REASON = 'KubeJoinBrokerApproved';

/** Why a CSR was denied; its `Denied` condition's reason is `KubeJoinBroker<reason>`. */
export type DenyReason =
  | 'TokenRevoked'
  | 'InstanceTerminated'
  | 'TokenAlreadyUsed'
  | 'UnexpectedSigner'
  | 'InvalidRequest'
  | 'InvalidSignature'
  | 'SubjectMismatch'
  | 'UnexpectedSubjectAltNames'
  | 'NoSubjectAltNames'
  | 'UnattestedSubjectAltName'
  | 'UnexpectedUsages'
  | 'LifetimeNotRequested'
  | 'LifetimeTooLong';

export const deniedConditionReason = (reason: DenyReason): string => `KubeJoinBroker${reason}`;

/** Why a CSR is not the broker's to decide. */
export type LeaveReason =
  | 'foreign_signer'
  | 'foreign_requester'
  | 'not_minted_by_broker'
  | 'controller_approval'
  | 'certificate_rotation'
  | 'pool_not_configured';

/** A CSR as the decisions read it; the edge extracts it from the API object. */
export interface CsrFacts {
  readonly name: string;
  readonly signerName: string;
  /** `spec.username`/`spec.groups`: the requester, filled in by the API server (never the client). */
  readonly username: string;
  readonly groups: readonly string[];
  readonly usages: readonly string[];
  readonly expirationSeconds?: number;
  /** `metadata.creationTimestamp`. */
  readonly createdAt: Date | undefined;
  /** The parsed request and its self-signature check, or why it could not be read. */
  readonly request: { readonly ok: true; readonly request: CertificateRequest; readonly signature: SignatureCheck } | { readonly ok: false; readonly detail: string };
}

/** What the edge looked up for one CSR. */
export interface CsrContext {
  /** The index row of the token a `system:bootstrap:<id>` requester authenticated with, if the broker minted it. */
  readonly tokenJoin?: JoinRow;
  /** The newest index row of the node a `system:node:<name>` requester is, if the broker minted one. */
  readonly nodeJoin?: JoinRow;
  /** The row's pool in the current policy. */
  readonly pool?: NodePool;
  /** Another kubelet client CSR of the same token is already approved (the token is spent). */
  readonly tokenHasApprovedClientCsr?: boolean;
}

export type CsrDecision =
  | { readonly kind: 'approve'; readonly join: JoinRow; readonly message: string }
  | { readonly kind: 'deny'; readonly join: JoinRow; readonly reason: DenyReason; readonly message: string }
  | { readonly kind: 'leave'; readonly why: LeaveReason };

export type Requester = { readonly kind: 'bootstrap'; readonly tokenId: string } | { readonly kind: 'node'; readonly nodeName: string } | { readonly kind: 'other' };

/** Who made the CSR: a bootstrap token (by ID), a node (by name, only with group system:nodes), or anyone else. */
export function requesterOf(username: string, groups: readonly string[]): Requester {
  const token = BOOTSTRAP_USER.exec(username);
  if (token !== null) return { kind: 'bootstrap', tokenId: token[1]! };
  if (username.startsWith(NODE_USER_PREFIX) && username.length > NODE_USER_PREFIX.length && groups.includes(NODES_GROUP)) {
    return { kind: 'node', nodeName: username.slice(NODE_USER_PREFIX.length) };
  }
  return { kind: 'other' };
}

/** Clock skew allowed between the broker (mintedAt) and the API server (creationTimestamp). */
const MINT_SKEW_MS = 60_000;

/**
 * Whether the CSR was made while the row's token could have authenticated. A token ID is six
 * characters: after a broker token expired, kubeadm (or anyone) may create a token with the same
 * ID, and that token's CSRs are not the broker's.
 */
export const madeWithRowToken = (createdAt: Date | undefined, row: JoinRow): boolean =>
  createdAt !== undefined && createdAt.getTime() >= Date.parse(row.mintedAt) - MINT_SKEW_MS && createdAt.getTime() <= Date.parse(row.expiresAt);

const CLIENT_USAGE_SETS: readonly (readonly string[])[] = [
  ['client auth', 'digital signature', 'key encipherment'],
  ['client auth', 'digital signature'],
];
const SERVING_USAGE_SETS: readonly (readonly string[])[] = [
  ['digital signature', 'key encipherment', 'server auth'],
  ['digital signature', 'server auth'],
];

/** SEMANTICS §4 (`ValidateKubeletClientCSR`/`ValidateKubeletServingCSR`): the usage set equals one of two; no duplicates. */
function usagesAllowed(usages: readonly string[], allowed: readonly (readonly string[])[]): boolean {
  const set = new Set(usages);
  if (set.size !== usages.length) return false;
  return allowed.some((candidate) => candidate.length === set.size && candidate.every((u) => set.has(u)));
}

const quoteList = (values: readonly string[]): string => values.map((v) => JSON.stringify(v)).join(', ');

/**
 * The subject a kubelet certificate must have: exactly one organization, `system:nodes` (the
 * group the API server's x509 authenticator derives from O), exactly one commonName (Go reads the
 * last one: with two, the name checked and the name used could differ), nothing else.
 */
function subjectProblem(request: CertificateRequest, expectedCommonName: string): string | undefined {
  if (request.organizations.length !== 1 || request.organizations[0] !== NODES_GROUP) {
    return `subject O must be exactly ["${NODES_GROUP}"], got [${quoteList(request.organizations)}]`;
  }
  if (request.commonNames.length !== 1 || request.commonNames[0] !== expectedCommonName) {
    return `subject CN must be exactly "${expectedCommonName}", got [${quoteList(request.commonNames)}]`;
  }
  if (request.otherSubjectAttributes.length > 0) return `subject carries other attributes (${request.otherSubjectAttributes.join(', ')})`;
  return undefined;
}

type Checked = { readonly ok: true; readonly request: CertificateRequest } | { readonly ok: false; readonly reason: DenyReason; readonly message: string };

function readable(csr: CsrFacts): Checked {
  if (!csr.request.ok) return { ok: false, reason: 'InvalidRequest', message: csr.request.detail };
  if (!csr.request.signature.ok) return { ok: false, reason: 'InvalidSignature', message: csr.request.signature.detail };
  return { ok: true, request: csr.request.request };
}

const deny = (join: JoinRow, reason: DenyReason, message: string): CsrDecision => ({ kind: 'deny', join, reason, message: `kube-join-broker: ${message}` });

/** Decides one pending CSR (no Approved/Denied condition, no certificate). */
export function decideCsr(csr: CsrFacts, context: CsrContext): CsrDecision {
  if (!BROKER_SIGNERS.includes(csr.signerName)) return { kind: 'leave', why: 'foreign_signer' };
  const requester = requesterOf(csr.username, csr.groups);
  switch (requester.kind) {
    case 'bootstrap':
      return decideTokenCsr(csr, requester.tokenId, context);
    case 'node':
      // A node renewing its client certificate is kube-controller-manager's (selfnodeclient).
      if (csr.signerName === KUBELET_CLIENT_SIGNER) return { kind: 'leave', why: 'certificate_rotation' };
      return decideServingCsr(csr, requester.nodeName, context);
    case 'other':
      return { kind: 'leave', why: 'foreign_requester' };
  }
}

/** A CSR made with a bootstrap token: the broker's only if it minted the token (its index row). */
function decideTokenCsr(csr: CsrFacts, tokenId: string, context: CsrContext): CsrDecision {
  const row = context.tokenJoin;
  if (row === undefined || row.tokenId !== tokenId || !madeWithRowToken(csr.createdAt, row)) return { kind: 'leave', why: 'not_minted_by_broker' };
  // The token's groups are what the API server authenticated, so they say which mode it was
  // minted for even if the policy changed since; a controller-mode token's client CSR is the
  // controller's to approve.
  const brokerMode = csr.groups.includes(brokerApprovalGroup(row.pool));
  if (csr.signerName === KUBELET_SERVING_SIGNER) {
    // Serving certificates are requested by the node with its own client certificate.
    return deny(row, 'UnexpectedSigner', `a bootstrap token may not request a ${KUBELET_SERVING_SIGNER} certificate; the node requests it as ${NODE_USER_PREFIX}${row.nodeName}`);
  }
  if (!brokerMode) return { kind: 'leave', why: 'controller_approval' };
  if (row.terminatedAt !== undefined) return deny(row, 'InstanceTerminated', `instance ${row.key} was terminated at ${row.terminatedAt}`);
  if (row.revokedAt !== undefined) return deny(row, 'TokenRevoked', `bootstrap token ${tokenId} was revoked at ${row.revokedAt}`);
  if (row.usedAt !== undefined || context.tokenHasApprovedClientCsr === true) {
    return deny(row, 'TokenAlreadyUsed', `bootstrap token ${tokenId} already obtained a client certificate for node ${row.nodeName}: one per token`);
  }
  const checked = readable(csr);
  if (!checked.ok) return deny(row, checked.reason, checked.message);
  const expected = `${NODE_USER_PREFIX}${row.nodeName}`;
  const subject = subjectProblem(checked.request, expected);
  if (subject !== undefined) return deny(row, 'SubjectMismatch', `${subject}: bootstrap token ${tokenId} was minted for node ${row.nodeName}`);
  const names = checked.request.subjectAltNames;
  const sanCount = names.dnsNames.length + names.ipAddresses.length + names.emailAddresses.length + names.uris.length + names.otherForms;
  if (sanCount > 0) return deny(row, 'UnexpectedSubjectAltNames', 'a kubelet client certificate carries no subjectAltName');
  if (!usagesAllowed(csr.usages, CLIENT_USAGE_SETS)) {
    return deny(row, 'UnexpectedUsages', `usages must be [client auth, digital signature(, key encipherment)], got [${quoteList(csr.usages)}]`);
  }
  return {
    kind: 'approve',
    join: row,
    message: `kube-join-broker: kubelet client certificate for ${expected}, requested with bootstrap token ${tokenId}, which the broker minted for ${row.key}`,
  };
}

/**
 * The SANs a serving certificate of an instance's node may carry: the addresses and names its
 * identity document attests (AWS: private IP and default hostname; GCP: the zonal internal DNS
 * name) and the pool's `servingCertificate.extraDnsNames`. IPs in canonical text, names lower-case,
 * sorted, without duplicates; an attested IP that does not parse is dropped. The join bundle
 * carries the same list (`servingSans`), so the csr join script asks for exactly what is approved.
 */
export function attestedNames(addresses: { readonly ips: readonly string[]; readonly dnsNames: readonly string[] }, pool: Pick<NodePool, 'servingCertificate'>): { ips: string[]; dnsNames: string[] } {
  const ips = new Set(addresses.ips.flatMap((ip) => canonicalIpAddress(ip) ?? []));
  const dnsNames = new Set([...addresses.dnsNames, ...pool.servingCertificate.extraDnsNames].map((name) => name.toLowerCase()));
  return { ips: [...ips].sort(), dnsNames: [...dnsNames].sort() };
}

/** A kubelet-serving CSR made by a node: the broker's only if it minted that node. */
function decideServingCsr(csr: CsrFacts, nodeName: string, context: CsrContext): CsrDecision {
  const row = context.nodeJoin;
  if (row === undefined || row.nodeName !== nodeName) return { kind: 'leave', why: 'not_minted_by_broker' };
  const pool = context.pool;
  if (pool === undefined || pool.name !== row.pool) return { kind: 'leave', why: 'pool_not_configured' };
  if (row.terminatedAt !== undefined) return deny(row, 'InstanceTerminated', `instance ${row.key} was terminated at ${row.terminatedAt}`);
  const checked = readable(csr);
  if (!checked.ok) return deny(row, checked.reason, checked.message);
  const subject = subjectProblem(checked.request, csr.username);
  if (subject !== undefined) return deny(row, 'SubjectMismatch', subject);
  const names = checked.request.subjectAltNames;
  if (names.emailAddresses.length > 0 || names.uris.length > 0 || names.otherForms > 0) {
    return deny(row, 'UnexpectedSubjectAltNames', 'a kubelet serving certificate carries only DNS and IP subjectAltNames');
  }
  if (names.dnsNames.length + names.ipAddresses.length === 0) return deny(row, 'NoSubjectAltNames', 'a kubelet serving certificate needs at least one DNS or IP subjectAltName');
  const attested = attestedNames(row.addresses, pool);
  const unattested = [...names.ipAddresses.filter((ip) => !attested.ips.includes(ip)), ...names.dnsNames.filter((name) => !attested.dnsNames.includes(name.toLowerCase()))];
  if (unattested.length > 0) {
    return deny(
      row,
      'UnattestedSubjectAltName',
      `subjectAltName ${quoteList(unattested)} not attested for ${row.key} (attested: ${quoteList([...attested.ips, ...attested.dnsNames])})`,
    );
  }
  if (!usagesAllowed(csr.usages, SERVING_USAGE_SETS)) {
    return deny(row, 'UnexpectedUsages', `usages must be [digital signature, server auth(, key encipherment)], got [${quoteList(csr.usages)}]`);
  }
  const cap = pool.servingCertificate.maxLifetime;
  if (cap !== undefined) {
    if (csr.expirationSeconds === undefined) return deny(row, 'LifetimeNotRequested', `pool ${pool.name} caps serving certificates at ${cap} s: set spec.expirationSeconds`);
    if (csr.expirationSeconds > cap) return deny(row, 'LifetimeTooLong', `spec.expirationSeconds ${csr.expirationSeconds} exceeds the pool's ${cap} s`);
  }
  return {
    kind: 'approve',
    join: row,
    message: `kube-join-broker: kubelet serving certificate for ${csr.username}; every subjectAltName is attested for ${row.key}`,
  };
}
