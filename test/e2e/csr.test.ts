/**
 * Issue 9 end to end: node-bound certificates. The built Worker in workerd (the join index
 * Durable Object polling the cluster's CSRs on its alarm, the ledger, the cron sweep), the
 * Kubernetes API emulator over HTTPS with its csrapprover and csrsigner, `setup
 * --broker-approval-pools` for the RBAC, and the real tools: the `mode=csr` join script run by
 * dash with openssl and kubectl.
 *
 * What bounds the decision latency (no timed assertion here): the join index's one poller lists
 * every CSR each APPROVAL_POLL_INTERVAL_MS (2 s) while any brokered node may still send one; every
 * mint arms it. So a CSR is decided by the first poll that starts after the CSR exists. The tests
 * assert that every decision was written by the first or second poll started at or after the
 * CSR's creation second (the API's timestamps have whole seconds, so the poll just before a CSR
 * may be counted too): decided within two intervals plus one pass, far inside the 10 s the issue
 * requires. The times are recorded (the index's `approval` state) and printed, not asserted.
 */
import type { V1CertificateSigningRequest } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalPolling } from '../../src/approval/polling.js';
import type { InstanceState } from '../../src/ledger/instance-state.js';
import { cliInProcess } from '../cli/support.js';
import { Sandbox } from '../render/harness.js';
import { run } from '../support/run.js';
import { brokerClient, joinAws, joinText, type BrokerClient, type JoinBundle } from './client.js';
import { csrManifest, kubectl, kubeletClientCsr, writeTemp } from './kubectl.js';
import { E2E_ADMIN_TOKEN, instanceDocument, signDocument, startStack, testPolicy, type InstanceDocument, type Stack } from './stack.js';

const ACCOUNT = '111122223333';
const CSRS = 'certificatesigningrequests.certificates.k8s.io';
const POLL_INTERVAL_MS = 2000;

let stack: Stack;
let broker: BrokerClient;
beforeAll(async () => {
  stack = await startStack({
    policy: testPolicy(
      [{ name: 'brokered', approval: 'broker' }, { name: 'legacy' }],
      [
        { pool: 'legacy', provider: 'aws', accounts: [ACCOUNT], regions: ['eu-west-1'] },
        { pool: 'brokered', provider: 'aws', accounts: [ACCOUNT] },
      ],
    ),
  });
  broker = brokerClient(stack);
  // What an operator runs once for the pool: its group may join, nothing auto-approves it.
  const setup = await cliInProcess(['setup', '--kubeconfig', stack.cluster.adminKubeconfigPath, '--broker-approval-pools', 'brokered', '--token', 'none']);
  expect(setup.stderr).toBe('');
  expect(setup.code).toBe(0);
});
afterAll(() => stack.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function ledger(instanceId: string): Promise<{ state(): Promise<InstanceState> }> {
  const namespace = (await stack.worker.miniflare.getDurableObjectNamespace('LEDGER')) as unknown as {
    idFromName(name: string): unknown;
    get(id: unknown): { state(): Promise<InstanceState> };
  };
  return namespace.get(namespace.idFromName(`aws/${ACCOUNT}/${instanceId}`));
}

/** The join index, whose alarm is the cluster's CSR poller. */
async function joinIndex(): Promise<{ approvalState(): Promise<ApprovalPolling | undefined> }> {
  const namespace = (await stack.worker.miniflare.getDurableObjectNamespace('JOIN_INDEX')) as unknown as {
    idFromName(name: string): unknown;
    get(id: unknown): { approvalState(): Promise<ApprovalPolling | undefined> };
  };
  return namespace.get(namespace.idFromName('index'));
}
const approvalState = async (): Promise<ApprovalPolling> => (await (await joinIndex()).approvalState())!;

/** Waits (at most `limitMs`) until `check` holds; returns its last value. Not a timing assertion: a bound on waiting. */
async function eventually<T>(read: () => Promise<T> | T, check: (value: T) => boolean, limitMs = 20_000): Promise<T> {
  const until = Date.now() + limitMs;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > until) return value;
    await sleep(100);
  }
}

const csrOf = (name: string) => stack.cluster.store.get(CSRS, undefined, name) as unknown as V1CertificateSigningRequest | undefined;
const conditionsOf = (name: string) => (csrOf(name)?.status?.conditions ?? []).map((c) => `${c.type}/${c.reason}`);
const decided = (name: string) => conditionsOf(name).some((c) => c.startsWith('Approved') || c.startsWith('Denied'));

/**
 * How many polls of `polling` started at or after the CSR's creation second, up to and
 * including the one that decided it (see the header: 1 or 2 means "the first poll after").
 */
function pollsUntilDecided(polling: ApprovalPolling, csr: string): number {
  const decision = polling.decisions.find((d) => d.csr === csr);
  if (decision === undefined) throw new Error(`no decision recorded for ${csr}: ${JSON.stringify(polling)}`);
  const created = Date.parse(decision.createdAt!);
  const startsBefore = polling.pollTimes.slice(0, decision.poll - polling.pollTimesFrom + 1).filter((t) => Date.parse(t) >= created);
  const decidedAt = Date.parse(decision.at);
  console.log(`${csr}: created ${decision.createdAt}, decided by poll ${decision.poll} at ${decision.at} (${decidedAt - created} ms after its creation second)`);
  return startsBefore.length;
}

async function bootstrapAuthenticates(token: string): Promise<number> {
  const { stdout } = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', stack.cluster.caPath, '-H', `Authorization: Bearer ${token}`, `${stack.cluster.url}/apis/certificates.k8s.io/v1/certificatesigningrequests`]);
  return Number(stdout);
}

async function joinedBundle(document: InstanceDocument): Promise<JoinBundle> {
  const { data, error } = await joinAws(broker, await signDocument(document));
  expect(error).toBeUndefined();
  return data!;
}

/** kubectl as the node with its issued client certificate (what the csr script does for the serving CSR). */
async function asNode(bundle: JoinBundle, clientCsr: string, keyPath: string): Promise<string[]> {
  const certificate = Buffer.from(csrOf(clientCsr)!.status!.certificate!, 'base64').toString();
  const certPath = writeTemp('node.crt', certificate);
  return ['--server', bundle.apiServer, '--certificate-authority', stack.cluster.caPath, '--client-certificate', certPath, '--client-key', keyPath];
}

async function servingCsr(name: string, node: string, keyArgs: string[], sans: string): Promise<void> {
  const key = writeTemp('serving.key', '');
  expect((await run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key])).code).toBe(0);
  const request = await run('openssl', ['req', '-new', '-key', key, '-subj', `/O=system:nodes/CN=system:node:${node}`, '-addext', `subjectAltName=${sans}`]);
  const created = await run('kubectl', [...keyArgs, 'create', '-f', '-'], csrManifest(name, request.stdout, 'kubernetes.io/kubelet-serving', ['digital signature', 'server auth']));
  expect(created.code, created.stderr).toBe(0);
}

describe('mode=csr: the join script obtains node-bound certificates (approval: broker)', () => {
  const document = instanceDocument({ privateIp: '10.0.7.42' });
  const nodeName = 'ip-10-0-7-42.ec2.internal';
  let script: string;
  let tokenId: string;
  let token: string;
  let sandbox: Sandbox;
  let outcome: Awaited<ReturnType<typeof run>>;

  beforeAll(async () => {
    const { response, text } = await joinText(broker, 'aws', await signDocument(document), { format: 'script', mode: 'csr' });
    expect(response.status).toBe(200);
    script = text!;
    const check = await run('shellcheck', ['-s', 'sh', '-'], script);
    expect(check.stdout + check.stderr).toBe('');
    // The token the script carries, from the Secret the broker minted for this node.
    const secret = stack.cluster.store.list('secrets', 'kube-system').find((s) => s.metadata.annotations?.['kube-join-broker.io/node-name'] === nodeName) as unknown as { data: Record<string, string> };
    const field = (key: string) => Buffer.from(secret.data[key]!, 'base64').toString();
    tokenId = field('token-id');
    token = `${tokenId}.${field('token-secret')}`;
    expect(script).toContain(token);
    sandbox = new Sandbox();
    // Asynchronously: the emulator answers kubectl from this very process.
    outcome = await run('dash', [], script, {
      cwd: sandbox.cwd,
      env: { PATH: `${sandbox.stubs}:/usr/local/bin:/usr/bin:/bin`, HOME: sandbox.home, KJB_ROOT: sandbox.root, KJB_STUB_LOG: join(sandbox.dir, 'calls'), KJB_STUB_SNAPSHOT: '0', KJB_CSR_WAIT_SECONDS: '30' },
    });
  });
  afterAll(() => sandbox?.cleanup());

  it('runs to the end and installs both certificates, kubelet.conf and the kubelet settings, then restarts the kubelet', () => {
    expect(outcome.stderr).toContain('kube-join-broker: joined; the bootstrap token is spent');
    expect(outcome.code, outcome.stderr).toBe(0);
    const tree = sandbox.tree();
    expect(Object.keys(tree).sort()).toEqual([
      '/etc/kube-join-broker/kubelet.env',
      '/etc/kubernetes/kubelet.conf',
      '/etc/kubernetes/pki/ca.crt',
      '/etc/systemd/system/kubelet.service.d/20-kube-join-broker.conf',
      '/var/lib/kubelet/pki/kubelet-client-current.pem',
      '/var/lib/kubelet/pki/kubelet-server-current.pem',
    ]);
    expect(tree['/var/lib/kubelet/pki/kubelet-client-current.pem']!.mode).toBe('600');
    expect(tree['/var/lib/kubelet/pki/kubelet-server-current.pem']!.mode).toBe('600');
    expect(tree['/etc/kubernetes/kubelet.conf']!.mode).toBe('600');
    expect(tree['/etc/kube-join-broker/kubelet.env']!.content).toContain(
      `--hostname-override=${nodeName} --tls-cert-file=/var/lib/kubelet/pki/kubelet-server-current.pem --tls-private-key-file=/var/lib/kubelet/pki/kubelet-server-current.pem`,
    );
    expect(sandbox.calls().map((c) => [c.name, ...c.args])).toEqual([
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', 'kubelet'],
      ['systemctl', 'restart', 'kubelet'],
    ]);
    expect(existsSync(join(sandbox.root, 'run/kube-join-broker/csr'))).toBe(false);
  });

  it('both certificates verify against the cluster CA, for system:node:<name> in system:nodes; the serving SANs are exactly the attested ones', async () => {
    for (const file of ['kubelet-client-current.pem', 'kubelet-server-current.pem']) {
      const path = join(sandbox.root, 'var/lib/kubelet/pki', file);
      const verified = await run('openssl', ['verify', '-CAfile', stack.cluster.caPath, path]);
      expect(verified.stdout.trim(), verified.stderr).toBe(`${path}: OK`);
      const subject = await run('openssl', ['x509', '-in', path, '-noout', '-subject', '-nameopt', 'RFC2253']);
      expect(subject.stdout.trim()).toBe(`subject=CN=system:node:${nodeName},O=system:nodes`);
    }
    const server = join(sandbox.root, 'var/lib/kubelet/pki/kubelet-server-current.pem');
    const sans = (await run('openssl', ['x509', '-in', server, '-noout', '-ext', 'subjectAltName'])).stdout.split('\n')[1]!.trim().split(', ').sort();
    expect(sans).toEqual([`DNS:${nodeName}`, 'IP Address:10.0.7.42']);
    const client = join(sandbox.root, 'var/lib/kubelet/pki/kubelet-client-current.pem');
    expect((await run('openssl', ['x509', '-in', client, '-noout', '-ext', 'subjectAltName'])).stdout).toBe('');
  });

  it('the installed kubelet.conf authenticates as the node', async () => {
    const pem = join(sandbox.root, 'var/lib/kubelet/pki/kubelet-client-current.pem');
    const whoami = await kubectl(join(sandbox.root, 'etc/kubernetes/kubelet.conf'), ['--client-certificate', pem, '--client-key', pem, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    expect(whoami.stdout, whoami.stderr).toBe(`system:node:${nodeName}`);
  });

  it('both CSRs were decided by the broker, each by the first or second poll of the join index\'s alarm after it was created', async () => {
    const names = stack.cluster.store.list(CSRS).map((c) => c.metadata.name).filter((n) => [`system:bootstrap:${tokenId}`, `system:node:${nodeName}`].includes(csrOf(n)?.spec.username ?? ''));
    expect(names).toHaveLength(2);
    for (const name of names) expect(conditionsOf(name)).toEqual(['Approved/KubeJoinBrokerApproved']);
    const polling = await approvalState();
    for (const name of names) expect(pollsUntilDecided(polling, name)).toBeLessThanOrEqual(2);
    // The polls run every APPROVAL_POLL_INTERVAL_MS, each scheduled from the previous start.
    const gaps = polling.pollTimes.slice(1).map((t, i) => Date.parse(t) - Date.parse(polling.pollTimes[i]!));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(POLL_INTERVAL_MS - 50);
  });

  it('then the token is spent: its Secret is deleted, it no longer authenticates (401), the ledger, the index and the audit say so, and polling stops (nothing else is open)', async () => {
    const instance = await ledger(document.instanceId);
    const state = await eventually(() => instance.state(), (s) => s.record?.tokenUsedAt !== undefined);
    expect(state.record?.tokenUsedAt).toBeDefined();
    expect(stack.cluster.store.get('secrets', 'kube-system', `bootstrap-token-${tokenId}`)).toBeUndefined();
    expect(await bootstrapAuthenticates(token)).toBe(401);
    const polling = await eventually(approvalState, (p) => p.stopReason !== undefined);
    expect(polling).toMatchObject({ stopReason: 'idle', open: { awaitingClientCsr: 0, awaitingServingCsr: 0 } });
    const { data: audit } = await brokerClient(stack, { adminToken: E2E_ADMIN_TOKEN }).GET('/v1/joins', { params: { query: { instanceId: document.instanceId } } });
    const events = audit!.items.map((e) => [e.event, e.reason ?? null, e.actor ?? null]);
    expect(events).toEqual([
      ['token.used', 'client_certificate_issued', 'csr-approver'],
      ['csr.approved', 'approved', 'csr-approver'],
      ['csr.approved', 'approved', 'csr-approver'],
      ['join.minted', null, null],
    ]);
  });

  it('running the script again does nothing (kubelet.conf exists)', async () => {
    const again = await run('dash', [], script, { cwd: sandbox.cwd, env: { PATH: `${sandbox.stubs}:/usr/bin:/bin`, HOME: sandbox.home, KJB_ROOT: sandbox.root, KJB_STUB_LOG: join(sandbox.dir, 'calls') } });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('exists: this machine has joined already; nothing to do');
    expect(sandbox.calls()).toHaveLength(3);
  });
});

describe('approval: broker refuses what the token was not minted for', () => {
  const document = instanceDocument({ privateIp: '10.0.8.1' });
  const nodeName = 'ip-10-0-8-1.ec2.internal';
  let bundle: JoinBundle;
  let bootstrap: string;
  beforeAll(async () => {
    bundle = await joinedBundle(document);
    bootstrap = writeTemp('bootstrap-kubelet.conf', bundle.kubeconfig);
  });

  it('mints the token with the pool\'s broker group only, never kubeadm\'s default-node-token group', () => {
    const secret = stack.cluster.store.get('secrets', 'kube-system', `bootstrap-token-${bundle.tokenId}`) as unknown as { data: Record<string, string> };
    expect(Buffer.from(secret.data['auth-extra-groups']!, 'base64').toString()).toBe('system:bootstrappers:kube-join-broker:brokered');
  });

  it('a client CSR for another node\'s name, made with a valid broker token, is Denied', async () => {
    const { csrPem } = await kubeletClientCsr('ip-10-0-8-2.ec2.internal');
    const created = await kubectl(bootstrap, ['create', '-f', '-'], csrManifest('impersonate', csrPem));
    expect(created.code, created.stderr).toBe(0);
    await eventually(() => decided('impersonate'), Boolean);
    expect(conditionsOf('impersonate')).toEqual(['Denied/KubeJoinBrokerSubjectMismatch']);
    expect(csrOf('impersonate')?.status?.conditions?.[0]?.message).toBe(
      `kube-join-broker: subject CN must be exactly "system:node:${nodeName}", got ["system:node:ip-10-0-8-2.ec2.internal"]: bootstrap token ${bundle.tokenId} was minted for node ${nodeName}`,
    );
    expect(csrOf('impersonate')?.status?.certificate).toBeUndefined();
    expect(pollsUntilDecided(await approvalState(), 'impersonate')).toBeLessThanOrEqual(2);
  });

  let clientKey: string;
  it('the denial did not spend the token: its own name is approved and issued', async () => {
    const { csrPem, keyPath } = await kubeletClientCsr(nodeName);
    clientKey = keyPath;
    expect((await kubectl(bootstrap, ['create', '-f', '-'], csrManifest('own-name', csrPem))).code).toBe(0);
    await eventually(() => csrOf('own-name')?.status?.certificate, Boolean);
    expect(conditionsOf('own-name')).toEqual(['Approved/KubeJoinBrokerApproved']);
  });

  it('a serving CSR from the node with an extra SAN is Denied; with exactly the attested SANs it is approved', async () => {
    const node = await asNode(bundle, 'own-name', clientKey);
    await servingCsr('serving-extra', nodeName, node, `DNS:${nodeName},IP:10.0.8.1,DNS:kubernetes.default.svc`);
    await eventually(() => decided('serving-extra'), Boolean);
    expect(conditionsOf('serving-extra')).toEqual(['Denied/KubeJoinBrokerUnattestedSubjectAltName']);
    await servingCsr('serving-exact', nodeName, node, `DNS:${nodeName},IP:10.0.8.1`);
    await eventually(() => csrOf('serving-exact')?.status?.certificate, Boolean);
    expect(conditionsOf('serving-exact')).toEqual(['Approved/KubeJoinBrokerApproved']);
  });

  it('a CSR made with a token the broker did not mint is left alone, by the polls and by the cron sweep', async () => {
    // An operator's own token (kubectl, admin kubeconfig) carrying the pool's group: not the broker's to judge.
    const secret = `apiVersion: v1\nkind: Secret\nmetadata: {name: bootstrap-token-adm001, namespace: kube-system}\ntype: bootstrap.kubernetes.io/token\nstringData: {token-id: adm001, token-secret: 0123456789abcdef, usage-bootstrap-authentication: "true", auth-extra-groups: "system:bootstrappers:kube-join-broker:brokered"}\n`;
    expect((await kubectl(stack.cluster.adminKubeconfigPath, ['apply', '-f', '-'], secret)).code).toBe(0);
    const foreign = writeTemp('foreign.conf', bundle.kubeconfig.replace(bundle.token, 'adm001.0123456789abcdef'));
    const { csrPem } = await kubeletClientCsr(nodeName);
    const created = await kubectl(foreign, ['create', '-f', '-'], csrManifest('foreign-token', csrPem));
    expect(created.code, created.stderr).toBe(0);
    const worker = (await stack.worker.miniflare.getWorker()) as unknown as { scheduled(options: { cron: string; scheduledTime: Date }): Promise<{ outcome: string }> };
    // The cron's pass looks at every CSR in the cluster, as the index's polls do.
    expect((await worker.scheduled({ cron: '*/5 * * * *', scheduledTime: new Date() })).outcome).toBe('ok');
    expect(csrOf('foreign-token')?.spec.username).toBe('system:bootstrap:adm001');
    expect(csrOf('foreign-token')?.status).toEqual({});
  });
});

describe('approval: controller (kubeadm\'s shape) keeps working unchanged', () => {
  const document = instanceDocument({ privateIp: '10.0.9.1', region: 'eu-west-1', availabilityZone: 'eu-west-1a' });
  const nodeName = 'ip-10-0-9-1.eu-west-1.compute.internal';
  let bundle: JoinBundle;

  it('the token carries kubeadm\'s default group; the csrapprover auto-approves the kubelet client CSR, the broker approves the serving CSR', async () => {
    bundle = await joinedBundle(document);
    expect(bundle).toMatchObject({ nodeName, pool: 'legacy', servingSans: { ips: ['10.0.9.1'], dnsNames: [nodeName] } });
    const secret = stack.cluster.store.get('secrets', 'kube-system', `bootstrap-token-${bundle.tokenId}`) as unknown as { data: Record<string, string> };
    expect(Buffer.from(secret.data['auth-extra-groups']!, 'base64').toString()).toBe('system:bootstrappers:kubeadm:default-node-token');

    const bootstrap = writeTemp('bootstrap-kubelet.conf', bundle.kubeconfig);
    const { csrPem, keyPath } = await kubeletClientCsr(nodeName);
    expect((await kubectl(bootstrap, ['create', '-f', '-'], csrManifest('legacy-client', csrPem))).code).toBe(0);
    await eventually(() => csrOf('legacy-client')?.status?.certificate, Boolean);
    expect(conditionsOf('legacy-client')).toEqual(['Approved/AutoApproved']);

    await servingCsr('legacy-serving', nodeName, await asNode(bundle, 'legacy-client', keyPath), `DNS:${nodeName},IP:10.0.9.1`);
    await eventually(() => csrOf('legacy-serving')?.status?.certificate, Boolean);
    expect(conditionsOf('legacy-serving')).toEqual(['Approved/KubeJoinBrokerApproved']);
    expect(pollsUntilDecided(await approvalState(), 'legacy-serving')).toBeLessThanOrEqual(2);
  });

  it('and the token is single use here too: deleted once the client certificate is issued', async () => {
    const state = await eventually(() => ledger(document.instanceId).then((l) => l.state()), (s) => s.record?.tokenUsedAt !== undefined);
    expect(state.record?.tokenUsedAt).toBeDefined();
    expect(await bootstrapAuthenticates(bundle.token)).toBe(401);
  });
});
