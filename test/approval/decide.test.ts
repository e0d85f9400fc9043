/**
 * The approver's decisions (src/approval/decide.ts), table-driven over facts built here: what
 * the broker approves, denies (with which reason) and leaves to others, for kubelet client and
 * serving CSRs in both approval modes.
 */
import { describe, expect, it } from 'vitest';
import { attestedNames, decideCsr, type CsrContext, type CsrFacts } from '../../src/approval/decide.js';
import type { CertificateRequest, SubjectAltNames } from '../../src/approval/csr.js';
import type { JoinRow } from '../../src/audit/audit.js';
import { parseJoinPolicy } from '../../src/policy/parse.js';

const CLIENT = 'kubernetes.io/kube-apiserver-client-kubelet';
const SERVING = 'kubernetes.io/kubelet-serving';
const NODE = 'ip-10-0-1-23.ec2.internal';
const BROKER_GROUP = 'system:bootstrappers:kube-join-broker:workers';
const KUBEADM_GROUP = 'system:bootstrappers:kubeadm:default-node-token';

const policy = parseJoinPolicy('pools: [{name: workers, approval: broker, servingCertificate: {extraDnsNames: [workers.example.com]}}, {name: capped, servingCertificate: {maxLifetime: 24h}}]');
if (!policy.ok) throw new Error(policy.errors.join());
const [WORKERS, CAPPED] = policy.policy.pools as [typeof policy.policy.pools[0], typeof policy.policy.pools[0]];

const ROW: JoinRow = {
  key: 'aws/111122223333/i-0abc',
  provider: 'aws',
  account: '111122223333',
  region: 'us-east-1',
  instanceId: 'i-0abc',
  nodeName: NODE,
  pool: 'workers',
  tokenId: 'abc123',
  mintedAt: '2026-11-30T12:00:00.000Z',
  expiresAt: '2026-11-30T12:10:00.000Z',
  addresses: { ips: ['10.0.1.23'], dnsNames: [NODE] },
  joins: 1,
};

const NO_NAMES: SubjectAltNames = { dnsNames: [], ipAddresses: [], emailAddresses: [], uris: [], otherForms: 0 };

function request(overrides: Partial<CertificateRequest> = {}): CertificateRequest {
  return {
    der: new Uint8Array(),
    info: new Uint8Array(),
    signatureAlgorithm: '1.2.840.10045.4.3.2',
    signatureParameters: undefined,
    signature: new Uint8Array(),
    spki: new Uint8Array(),
    publicKeyAlgorithm: '1.2.840.10045.2.1',
    commonNames: [`system:node:${NODE}`],
    organizations: ['system:nodes'],
    otherSubjectAttributes: [],
    subjectAltNames: NO_NAMES,
    ...overrides,
  };
}

/** A broker-mode client CSR made with the row's token, as the kubelet makes it. */
function client(overrides: Partial<CsrFacts> = {}, req: Partial<CertificateRequest> = {}): CsrFacts {
  return {
    name: 'node-csr-1',
    signerName: CLIENT,
    username: 'system:bootstrap:abc123',
    groups: ['system:authenticated', 'system:bootstrappers', BROKER_GROUP],
    usages: ['digital signature', 'client auth'],
    createdAt: new Date('2026-11-30T12:00:05Z'),
    request: { ok: true, request: request(req), signature: { ok: true } },
    ...overrides,
  };
}

/** A serving CSR made by the node with its client certificate. */
function serving(overrides: Partial<CsrFacts> = {}, sans: Partial<SubjectAltNames> = { ipAddresses: ['10.0.1.23'], dnsNames: [NODE] }, req: Partial<CertificateRequest> = {}): CsrFacts {
  return client({ name: 'csr-serving', signerName: SERVING, username: `system:node:${NODE}`, groups: ['system:authenticated', 'system:nodes'], usages: ['digital signature', 'server auth'], ...overrides }, { subjectAltNames: { ...NO_NAMES, ...sans }, ...req });
}

const tokenContext: CsrContext = { tokenJoin: ROW };
const nodeContext: CsrContext = { nodeJoin: ROW, pool: WORKERS };

const outcome = (facts: CsrFacts, context: CsrContext): string => {
  const decision = decideCsr(facts, context);
  return decision.kind === 'leave' ? `leave ${decision.why}` : decision.kind === 'deny' ? `deny ${decision.reason}` : 'approve';
};

describe('kubelet client CSRs made with a broker token (approval: broker)', () => {
  it('approves the node the token was minted for, and says so in the condition message', () => {
    const decision = decideCsr(client(), tokenContext);
    expect(decision).toEqual({
      kind: 'approve',
      join: ROW,
      message: `kube-join-broker: kubelet client certificate for system:node:${NODE}, requested with bootstrap token abc123, which the broker minted for aws/111122223333/i-0abc`,
    });
  });

  it.each<[string, CsrFacts, CsrContext, string]>([
    ['key encipherment too (RSA kubelets)', client({ usages: ['digital signature', 'key encipherment', 'client auth'] }), tokenContext, 'approve'],
    ['usages in another order', client({ usages: ['client auth', 'digital signature'] }), tokenContext, 'approve'],
    ['made in the last second of the token', client({ createdAt: new Date(ROW.expiresAt) }), tokenContext, 'approve'],
    ['another node\'s name', client({}, { commonNames: ['system:node:ip-10-0-9-9.ec2.internal'] }), tokenContext, 'deny SubjectMismatch'],
    ['a name that only starts like ours', client({}, { commonNames: [`system:node:${NODE}.evil`] }), tokenContext, 'deny SubjectMismatch'],
    ['two CNs, ours first (Go reads the last)', client({}, { commonNames: [`system:node:${NODE}`, 'system:node:other'] }), tokenContext, 'deny SubjectMismatch'],
    ['no CN', client({}, { commonNames: [] }), tokenContext, 'deny SubjectMismatch'],
    ['O system:masters', client({}, { organizations: ['system:masters'] }), tokenContext, 'deny SubjectMismatch'],
    ['O system:nodes and another', client({}, { organizations: ['system:nodes', 'system:masters'] }), tokenContext, 'deny SubjectMismatch'],
    ['no O', client({}, { organizations: [] }), tokenContext, 'deny SubjectMismatch'],
    ['an OU in the subject', client({}, { otherSubjectAttributes: ['2.5.4.11'] }), tokenContext, 'deny SubjectMismatch'],
    ['a DNS SAN', client({}, { subjectAltNames: { ...NO_NAMES, dnsNames: [NODE] } }), tokenContext, 'deny UnexpectedSubjectAltNames'],
    ['an IP SAN', client({}, { subjectAltNames: { ...NO_NAMES, ipAddresses: ['10.0.1.23'] } }), tokenContext, 'deny UnexpectedSubjectAltNames'],
    ['an email SAN', client({}, { subjectAltNames: { ...NO_NAMES, emailAddresses: ['a@b'] } }), tokenContext, 'deny UnexpectedSubjectAltNames'],
    ['an otherName SAN', client({}, { subjectAltNames: { ...NO_NAMES, otherForms: 1 } }), tokenContext, 'deny UnexpectedSubjectAltNames'],
    ['server auth usage', client({ usages: ['digital signature', 'server auth'] }), tokenContext, 'deny UnexpectedUsages'],
    ['an extra usage', client({ usages: ['digital signature', 'client auth', 'server auth'] }), tokenContext, 'deny UnexpectedUsages'],
    ['a duplicated usage', client({ usages: ['digital signature', 'client auth', 'client auth'] }), tokenContext, 'deny UnexpectedUsages'],
    ['an unreadable request', client({ request: { ok: false, detail: 'certificate request: truncated' } }), tokenContext, 'deny InvalidRequest'],
    ['a bad self-signature', client({ request: { ok: true, request: request(), signature: { ok: false, detail: 'the self-signature does not verify' } } }), tokenContext, 'deny InvalidSignature'],
    ['the serving signer', client({ signerName: SERVING, usages: ['digital signature', 'server auth'] }), tokenContext, 'deny UnexpectedSigner'],
    ['a token already used', client(), { tokenJoin: { ...ROW, usedAt: '2026-11-30T12:01:00.000Z' } }, 'deny TokenAlreadyUsed'],
    ['a second client CSR of the token', client(), { ...tokenContext, tokenHasApprovedClientCsr: true }, 'deny TokenAlreadyUsed'],
    ['a revoked token', client(), { tokenJoin: { ...ROW, revokedAt: '2026-11-30T12:01:00.000Z' } }, 'deny TokenRevoked'],
    ['a terminated instance', client(), { tokenJoin: { ...ROW, terminatedAt: '2026-11-30T12:01:00.000Z' } }, 'deny InstanceTerminated'],
  ])('%s → %s', (_name, facts, context, expected) => {
    expect(outcome(facts, context)).toBe(expected);
  });

  it('names the node the token was minted for when it denies another name', () => {
    const decision = decideCsr(client({}, { commonNames: ['system:node:victim'] }), tokenContext);
    expect(decision).toMatchObject({
      kind: 'deny',
      reason: 'SubjectMismatch',
      message: `kube-join-broker: subject CN must be exactly "system:node:${NODE}", got ["system:node:victim"]: bootstrap token abc123 was minted for node ${NODE}`,
    });
  });
});

describe('CSRs the broker leaves alone', () => {
  it.each<[string, CsrFacts, CsrContext, string]>([
    ['a token the broker did not mint (no index row)', client({ username: 'system:bootstrap:kadm01' }), {}, 'leave not_minted_by_broker'],
    ['a row of another token ID', client({ username: 'system:bootstrap:kadm01' }), tokenContext, 'leave not_minted_by_broker'],
    ['a later token reusing an expired broker token\'s ID', client({ createdAt: new Date('2026-11-30T12:10:01Z') }), tokenContext, 'leave not_minted_by_broker'],
    ['a CSR older than the mint', client({ createdAt: new Date('2026-11-30T11:58:00Z') }), tokenContext, 'leave not_minted_by_broker'],
    ['no creation time', client({ createdAt: undefined }), tokenContext, 'leave not_minted_by_broker'],
    ['a controller-mode token (kubeadm group): the csrapprover decides', client({ groups: ['system:authenticated', 'system:bootstrappers', KUBEADM_GROUP] }), tokenContext, 'leave controller_approval'],
    ['a controller-mode token asking for another node', client({ groups: ['system:bootstrappers', KUBEADM_GROUP] }, { commonNames: ['system:node:other'] }), tokenContext, 'leave controller_approval'],
    ['the broker group of another pool', client({ groups: ['system:bootstrappers', 'system:bootstrappers:kube-join-broker:other'] }), tokenContext, 'leave controller_approval'],
    ['a node renewing its client certificate (selfnodeclient)', client({ username: `system:node:${NODE}`, groups: ['system:nodes'] }), nodeContext, 'leave certificate_rotation'],
    ['a user', client({ username: 'alice', groups: ['system:authenticated'] }), {}, 'leave foreign_requester'],
    ['system:node:<name> without group system:nodes', serving({ groups: ['system:authenticated'] }), nodeContext, 'leave foreign_requester'],
    ['another signer', client({ signerName: 'kubernetes.io/kube-apiserver-client' }), tokenContext, 'leave foreign_signer'],
    ['a serving CSR of a node the broker did not mint', serving({ username: 'system:node:other' }), {}, 'leave not_minted_by_broker'],
    ['a serving CSR whose pool left the policy', serving(), { nodeJoin: ROW }, 'leave pool_not_configured'],
  ])('%s', (_name, facts, context, expected) => {
    expect(outcome(facts, context)).toBe(expected);
  });
});

describe('kubelet serving CSRs made by a brokered node (both modes)', () => {
  it.each<[string, CsrFacts, CsrContext, string]>([
    ['exactly the attested IP and name', serving(), nodeContext, 'approve'],
    ['the IP only', serving({}, { ipAddresses: ['10.0.1.23'] }), nodeContext, 'approve'],
    ['the name in upper case', serving({}, { dnsNames: [NODE.toUpperCase()] }), nodeContext, 'approve'],
    ['a name the pool lists', serving({}, { dnsNames: ['workers.example.com'] }), nodeContext, 'approve'],
    ['key encipherment too', serving({ usages: ['digital signature', 'key encipherment', 'server auth'] }), nodeContext, 'approve'],
    ['a node of a controller-mode pool', serving({ expirationSeconds: 3600 }), { nodeJoin: { ...ROW, pool: 'capped' }, pool: CAPPED }, 'approve'],
    ['an extra IP', serving({}, { ipAddresses: ['10.0.1.23', '10.0.1.24'], dnsNames: [NODE] }), nodeContext, 'deny UnattestedSubjectAltName'],
    ['an extra DNS name', serving({}, { ipAddresses: ['10.0.1.23'], dnsNames: [NODE, 'kubernetes.default.svc'] }), nodeContext, 'deny UnattestedSubjectAltName'],
    ['a guessed DNS name', serving({}, { dnsNames: ['ip-10-0-1-23'] }), nodeContext, 'deny UnattestedSubjectAltName'],
    ['the IPv4-mapped IPv6 form of the attested IP', serving({}, { ipAddresses: ['::ffff:a00:117'] }), nodeContext, 'deny UnattestedSubjectAltName'],
    ['no SAN', serving({}, {}), nodeContext, 'deny NoSubjectAltNames'],
    ['an email SAN', serving({}, { ipAddresses: ['10.0.1.23'], emailAddresses: ['root@node'] }), nodeContext, 'deny UnexpectedSubjectAltNames'],
    ['a URI SAN', serving({}, { ipAddresses: ['10.0.1.23'], uris: ['spiffe://x'] }), nodeContext, 'deny UnexpectedSubjectAltNames'],
    ['an otherName SAN', serving({}, { ipAddresses: ['10.0.1.23'], otherForms: 1 }), nodeContext, 'deny UnexpectedSubjectAltNames'],
    ['a CN other than the requester', serving({}, undefined, { commonNames: ['system:node:other'] }), nodeContext, 'deny SubjectMismatch'],
    ['O other than system:nodes', serving({}, undefined, { organizations: ['system:masters'] }), nodeContext, 'deny SubjectMismatch'],
    ['client auth usage', serving({ usages: ['digital signature', 'client auth'] }), nodeContext, 'deny UnexpectedUsages'],
    ['a bad self-signature', serving({ request: { ok: true, request: request({ subjectAltNames: { ...NO_NAMES, ipAddresses: ['10.0.1.23'] } }), signature: { ok: false, detail: 'x' } } }), nodeContext, 'deny InvalidSignature'],
    ['a terminated instance', serving(), { ...nodeContext, nodeJoin: { ...ROW, terminatedAt: '2026-11-30T13:00:00.000Z' } }, 'deny InstanceTerminated'],
    ['after the token was used and even after it expired (rotation)', serving({ createdAt: new Date('2027-01-01T00:00:00Z') }), { ...nodeContext, nodeJoin: { ...ROW, usedAt: '2026-11-30T12:01:00.000Z' } }, 'approve'],
  ])('%s → %s', (_name, facts, context, expected) => {
    expect(outcome(facts, context)).toBe(expected);
  });

  it.each<[number | undefined, string]>([
    [undefined, 'deny LifetimeNotRequested'],
    [86_400, 'approve'],
    [600, 'approve'],
    [86_401, 'deny LifetimeTooLong'],
  ])('a pool capping lifetimes at 24h: expirationSeconds %s → %s', (seconds, expected) => {
    const facts = serving(seconds === undefined ? {} : { expirationSeconds: seconds });
    expect(outcome(facts, { nodeJoin: { ...ROW, pool: 'capped' }, pool: CAPPED })).toBe(expected);
  });

  it('lists what was not attested and what was', () => {
    expect(decideCsr(serving({}, { ipAddresses: ['10.0.1.23', '192.0.2.1'], dnsNames: ['evil.example'] }), nodeContext)).toMatchObject({
      reason: 'UnattestedSubjectAltName',
      message: 'kube-join-broker: subjectAltName "192.0.2.1", "evil.example" not attested for aws/111122223333/i-0abc (attested: "10.0.1.23", "ip-10-0-1-23.ec2.internal", "workers.example.com")',
    });
  });
});

describe('attestedNames', () => {
  it('canonical IPs and lower-case names, sorted and unique, plus the pool\'s names; unparseable IPs dropped', () => {
    expect(attestedNames({ ips: ['10.0.1.23', 'fd00:0:0::1', '10.0.1.23', 'not-an-ip'], dnsNames: ['Node.EC2.internal'] }, WORKERS)).toEqual({
      ips: ['10.0.1.23', 'fd00::1'],
      dnsNames: ['node.ec2.internal', 'workers.example.com'],
    });
  });
});
