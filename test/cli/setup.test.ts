import { copyFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Document, parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit-codes.js';
import { startCluster, type ClusterHandle } from '../../dev/cluster/index.js';
import { brokerClient, joinAws } from '../e2e/client.js';
import { instanceDocument, runDir, signDocument, testPolicy } from '../e2e/stack.js';
import { run } from '../support/run.js';
import { csrManifest, kubeletClientCsr } from '../e2e/kubectl.js';
import { startWorker, type RunningWorker } from '../worker/harness.js';
import { cliInProcess, cliProcess } from './support.js';

const RBAC = 'rbac.authorization.k8s.io';
/** Everything setup may create; the snapshot covers all of it, so "nothing more" is checked. */
const RESOURCES = ['serviceaccounts', 'secrets', `roles.${RBAC}`, `rolebindings.${RBAC}`, `clusterroles.${RBAC}`, `clusterrolebindings.${RBAC}`, 'configmaps'] as const;
const GROUP = 'system:bootstrappers:kube-join-broker:workers';

/** resource/namespace/name → resourceVersion of every object setup could touch. */
function snapshot(cluster: ClusterHandle): Map<string, string> {
  const objects = new Map<string, string>();
  for (const resource of RESOURCES) {
    for (const o of cluster.store.list(resource)) objects.set(`${resource}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o.metadata.resourceVersion ?? '');
  }
  return objects;
}

const added = (before: Map<string, string>, after: Map<string, string>): string[] => [...after.keys()].filter((k) => !before.has(k)).sort();
const changed = (before: Map<string, string>, after: Map<string, string>): string[] => [...before].filter(([k, v]) => after.get(k) !== v).map(([k]) => k).sort();

const EXPECTED_BROKER = [
  'serviceaccounts/kube-system/kube-join-broker',
  `roles.${RBAC}/kube-system/kube-join-broker`,
  `roles.${RBAC}/kube-public/kube-join-broker:cluster-info`,
  `rolebindings.${RBAC}/kube-system/kube-join-broker`,
  `rolebindings.${RBAC}/kube-public/kube-join-broker:cluster-info`,
  `clusterroles.${RBAC}//kube-join-broker`,
  `clusterrolebindings.${RBAC}//kube-join-broker`,
];
const EXPECTED_GROUP = [
  `clusterrolebindings.${RBAC}//kube-join-broker:kubelet-bootstrap:kube-join-broker:workers`,
  `clusterrolebindings.${RBAC}//kube-join-broker:node-autoapprove-bootstrap:kube-join-broker:workers`,
  `clusterrolebindings.${RBAC}//kube-join-broker:get-nodes:kube-join-broker:workers`,
  `rolebindings.${RBAC}/kube-system/kube-join-broker:nodes-kubeadm-config:kube-join-broker:workers`,
  `rolebindings.${RBAC}/kube-system/kube-join-broker:kubelet-config:kube-join-broker:workers`,
  `rolebindings.${RBAC}/kube-system/kube-join-broker:kube-proxy:kube-join-broker:workers`,
];

describe('setup against the emulator (a kubeadm cluster without the broker)', () => {
  let cluster: ClusterHandle;
  let work: string;
  let initial: Map<string, string>;
  beforeAll(async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'kjb-cluster-'));
    for (const file of ['ca.crt', 'ca.key']) copyFileSync(join(runDir(), 'cluster-ca', file), join(stateDir, file));
    cluster = await startCluster({ port: 0, stateDir, resyncIntervalMs: 200, seedBrokerRbac: false });
    work = mkdtempSync(join(tmpdir(), 'kjb-cli-setup-'));
    initial = snapshot(cluster);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('starts without the broker: no ServiceAccount, Roles or bindings of setup', () => {
    expect([...initial.keys()].filter((k) => k.includes('kube-join-broker'))).toEqual([]);
  });

  it('--dry-run prints every manifest as YAML, with its reason, and creates nothing', async () => {
    const { code, stdout, stderr } = await cliProcess(['setup', '--kubeconfig', cluster.adminKubeconfigPath, '--groups', GROUP, '--dry-run'], { cwd: work });
    expect(stderr).toBe('');
    expect(code).toBe(EXIT.ok);
    const docs = parseAllDocuments(stdout).map((d) => d.toJS() as { kind: string; metadata?: { name: string } });
    expect(docs.map((d) => `${d.kind} ${d.metadata?.name ?? ''}`)).toEqual([
      'ServiceAccount kube-join-broker',
      'Role kube-join-broker',
      'Role kube-join-broker:cluster-info',
      'RoleBinding kube-join-broker',
      'RoleBinding kube-join-broker:cluster-info',
      'ClusterRole kube-join-broker',
      'ClusterRoleBinding kube-join-broker',
      'ClusterRoleBinding kube-join-broker:kubelet-bootstrap:kube-join-broker:workers',
      'ClusterRoleBinding kube-join-broker:node-autoapprove-bootstrap:kube-join-broker:workers',
      'ClusterRoleBinding kube-join-broker:get-nodes:kube-join-broker:workers',
      'RoleBinding kube-join-broker:nodes-kubeadm-config:kube-join-broker:workers',
      'RoleBinding kube-join-broker:kubelet-config:kube-join-broker:workers',
      'RoleBinding kube-join-broker:kube-proxy:kube-join-broker:workers',
      'TokenRequest ',
    ]);
    expect(stdout).toContain('# mint and revoke bootstrap tokens: create/get/list/delete Secrets in kube-system.');
    expect(snapshot(cluster)).toEqual(initial);
    expect(cluster.requests.filter((r) => r.user === 'kubernetes-admin')).toEqual([]);
  });

  let tokenFile: string;
  it('creates exactly the broker objects and the group bindings, nothing more, and writes a 0600 token file', async () => {
    const { code, stdout, stderr } = await cliProcess(['setup', '--kubeconfig', cluster.adminKubeconfigPath, '--groups', GROUP], { cwd: work });
    expect(stderr).toBe('');
    expect(code).toBe(EXIT.ok);
    const after = snapshot(cluster);
    expect(added(initial, after)).toEqual([...EXPECTED_BROKER, ...EXPECTED_GROUP].sort());
    expect(changed(initial, after)).toEqual([]);
    expect(stdout).toContain('objects: 13 created, 0 updated, 0 unchanged\n');
    expect(stdout).toMatch(/\n {2}created {4}ClusterRole kube-join-broker\n/);

    expect(cluster.store.get(`clusterroles.${RBAC}`, undefined, 'kube-join-broker')?.['rules']).toEqual([
      { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'], verbs: ['update'] },
      { apiGroups: ['certificates.k8s.io'], resources: ['signers'], resourceNames: ['kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kubelet-serving'], verbs: ['approve'] },
      { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'delete'] },
    ]);
    expect(cluster.store.get(`clusterrolebindings.${RBAC}`, undefined, 'kube-join-broker:node-autoapprove-bootstrap:kube-join-broker:workers')).toMatchObject({
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient' },
      subjects: [{ apiGroup: RBAC, kind: 'Group', name: GROUP }],
    });

    tokenFile = join(work, 'kube-join-broker.token');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(stdout).not.toContain(token);
    expect(stdout).toContain('  wrangler secret put KUBE_TOKEN < kube-join-broker.token && rm kube-join-broker.token\n');
    expect(stdout).toContain(`  KUBE_API_SERVER = "${cluster.url}"\n  CLUSTER_NAME = "kubernetes"\n`);
  });

  it('a second run changes nothing and says so for every object', async () => {
    const before = snapshot(cluster);
    const { code, stdout } = await cliProcess(['setup', '--kubeconfig', cluster.adminKubeconfigPath, '--groups', GROUP, '--token', 'none'], { cwd: work });
    expect(code).toBe(EXIT.ok);
    expect(snapshot(cluster)).toEqual(before);
    expect(stdout).toContain('objects: 0 created, 0 updated, 13 unchanged\n');
    expect(stdout.match(/^ {2}unchanged {2}/gm)).toHaveLength(13);
  });

  it('puts back what drifted: a narrowed ClusterRole is updated, the rest unchanged', async () => {
    await run('kubectl', ['--kubeconfig', cluster.adminKubeconfigPath, 'patch', 'clusterrole', 'kube-join-broker', '--type', 'json', '-p', '[{"op":"remove","path":"/rules/3"}]']);
    const { code, stdout } = await cliProcess(['setup', '--kubeconfig', cluster.adminKubeconfigPath, '--groups', GROUP, '--token', 'none'], { cwd: work });
    expect(code).toBe(EXIT.ok);
    expect(stdout).toContain('  updated    ClusterRole kube-join-broker (rules)\n');
    expect(stdout).toContain('objects: 0 created, 1 updated, 12 unchanged\n');
    expect(cluster.store.get(`clusterroles.${RBAC}`, undefined, 'kube-join-broker')?.['rules']).toHaveLength(4);
  });

  it('--print-token writes the token alone to stdout and the report to stderr', async () => {
    const { code, stdout, stderr } = await cliProcess(['setup', '--kubeconfig', cluster.adminKubeconfigPath, '--groups', GROUP, '--print-token'], { cwd: work });
    expect(code).toBe(EXIT.ok);
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(stderr).not.toContain(stdout.trim());
    expect(stderr).toContain('written to stdout');
  });

  it('--token secret: a service-account-token Secret the token controller fills; the token works; a rerun leaves it unchanged', async () => {
    const args = ['setup', '--kubeconfig', cluster.adminKubeconfigPath, '--groups', GROUP, '--token', 'secret', '--token-file', 'secret.token'];
    const first = await cliProcess(args, { cwd: work });
    expect(first.code).toBe(EXIT.ok);
    expect(first.stdout).toContain('  created    Secret kube-system/kube-join-broker-token\n');
    expect(first.stdout).toContain('token: Secret kube-system/kube-join-broker-token (no expiry), never expires;');
    const token = readFileSync(join(work, 'secret.token'), 'utf8').trim();
    const { stdout } = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', cluster.caPath, '-H', `Authorization: Bearer ${token}`, `${cluster.url}/api/v1/namespaces/kube-system/secrets`]);
    expect(stdout).toBe('200');
    const second = await cliProcess(args, { cwd: work });
    expect(second.stdout).toContain('  unchanged  Secret kube-system/kube-join-broker-token\n');
    expect(readFileSync(join(work, 'secret.token'), 'utf8').trim()).toBe(token);
  });

  it('with credentials that may not create RBAC: exit 1, the API server\'s reason, nothing created', async () => {
    const before = snapshot(cluster);
    // The emulator's static broker token: authenticated as the ServiceAccount, authorized for nothing setup needs.
    const { code, stdout, stderr } = await cliProcess(['setup', '--kubeconfig', cluster.brokerKubeconfigPath, '--service-account', 'other-broker', '--token', 'none'], { cwd: work });
    expect(code).toBe(EXIT.rejected);
    expect(stderr).toBe(
      'kube-join-broker: create ServiceAccount kube-system/other-broker: HTTP 403: serviceaccounts is forbidden: User "system:serviceaccount:kube-system:kube-join-broker" cannot create resource "serviceaccounts" in API group "" in the namespace "kube-system" (setup needs a cluster administrator: it creates RBAC objects)\n',
    );
    expect(stdout).not.toContain(cluster.brokerToken);
    expect(snapshot(cluster)).toEqual(before);
  });

  it('--broker-approval-pools: the pool group may create CSRs and read what kubeadm join reads, but nothing auto-approves its client CSRs', async () => {
    const before = snapshot(cluster);
    const { code, stdout, stderr } = await cliProcess(['setup', '--kubeconfig', cluster.adminKubeconfigPath, '--groups', GROUP, '--broker-approval-pools', 'brokered', '--token', 'none'], { cwd: work });
    expect(stderr).toBe('');
    expect(code).toBe(EXIT.ok);
    expect(added(before, snapshot(cluster))).toEqual(
      [
        `clusterrolebindings.${RBAC}//kube-join-broker:kubelet-bootstrap:kube-join-broker:brokered`,
        `clusterrolebindings.${RBAC}//kube-join-broker:get-nodes:kube-join-broker:brokered`,
        `rolebindings.${RBAC}/kube-system/kube-join-broker:nodes-kubeadm-config:kube-join-broker:brokered`,
        `rolebindings.${RBAC}/kube-system/kube-join-broker:kubelet-config:kube-join-broker:brokered`,
        `rolebindings.${RBAC}/kube-system/kube-join-broker:kube-proxy:kube-join-broker:brokered`,
      ].sort(),
    );
    expect(stdout).toContain('objects: 5 created, 0 updated, 13 unchanged\n');
    expect(cluster.store.get(`clusterrolebindings.${RBAC}`, undefined, 'kube-join-broker:kubelet-bootstrap:kube-join-broker:brokered')).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'system:node-bootstrapper' },
      subjects: [{ apiGroup: RBAC, kind: 'Group', name: 'system:bootstrappers:kube-join-broker:brokered' }],
    });

    // A bootstrap token carrying only that group, as the broker mints for a broker-approval pool.
    const secret = `apiVersion: v1\nkind: Secret\nmetadata: {name: bootstrap-token-brk001, namespace: kube-system}\ntype: bootstrap.kubernetes.io/token\nstringData: {token-id: brk001, token-secret: 0123456789abcdef, usage-bootstrap-authentication: "true", auth-extra-groups: "system:bootstrappers:kube-join-broker:brokered"}\n`;
    expect((await run('kubectl', ['--kubeconfig', cluster.adminKubeconfigPath, 'apply', '-f', '-'], secret)).code).toBe(0);
    const asToken = ['--server', cluster.url, '--certificate-authority', cluster.caPath, '--token', 'brk001.0123456789abcdef'];
    for (const path of ['/api/v1/namespaces/kube-system/configmaps/kubeadm-config', '/api/v1/namespaces/kube-system/configmaps/kubelet-config', '/api/v1/namespaces/kube-system/configmaps/kube-proxy', '/api/v1/nodes/some-node']) {
      const { stdout: status } = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', cluster.caPath, '-H', 'Authorization: Bearer brk001.0123456789abcdef', `${cluster.url}${path}`]);
      expect([path, status]).toEqual([path, path.includes('/nodes/') ? '404' : '200']);
    }
    const csr = await kubeletClientCsr('any-node');
    const created = await run('kubectl', [...asToken, 'create', '-f', '-'], csrManifest('brokered-client', csr.csrPem));
    expect(created.code, created.stderr).toBe(0);
    await cluster.controllers.syncAll();
    expect(cluster.store.get('certificatesigningrequests.certificates.k8s.io', undefined, 'brokered-client')?.['status']).toEqual({});
  });

  it.each([
    ['a pool name that is not a DNS label', ['--broker-approval-pools', 'Workers'], '--broker-approval-pools: not a pool name: "Workers"'],
    ['its group in --groups as well', ['--broker-approval-pools', 'w', '--groups', 'system:bootstrappers:kube-join-broker:w'], '--broker-approval-pools: system:bootstrappers:kube-join-broker:w must not also be in --groups (that binds it to nodeclient auto-approval)'],
  ])('--broker-approval-pools: %s → exit 2', async (_name, args, message) => {
    const result = await cliInProcess(['setup', '--dry-run', ...args]);
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toContain(message);
  });

  it('a kubeconfig whose user is an exec auth plugin: setup runs the plugin and creates the RBAC with its token', async () => {
    const before = snapshot(cluster);
    const admin = parseAllDocuments(readFileSync(cluster.adminKubeconfigPath, 'utf8'))[0]!.toJS() as { users: { name: string; user: object }[] };
    // The plugin prints an ExecCredential carrying the admin token; the kubeconfig holds no other credential.
    const credential = '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}';
    admin.users = admin.users.map(({ name }) => ({
      name,
      user: {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: 'sh',
          args: ['-c', `printf '${credential}' "$KJB_TEST_TOKEN"`],
          env: [{ name: 'KJB_TEST_TOKEN', value: cluster.adminToken }],
          interactiveMode: 'Never',
        },
      },
    }));
    const kubeconfig = join(work, 'exec.kubeconfig');
    writeFileSync(kubeconfig, new Document(admin).toString(), { mode: 0o600 });
    expect(readFileSync(kubeconfig, 'utf8')).not.toMatch(/\btoken:|client-key/);

    const requestsBefore = cluster.requests.length;
    const { code, stdout, stderr } = await cliProcess(['setup', '--kubeconfig', kubeconfig, '--service-account', 'exec-broker', '--token', 'none'], { cwd: work });
    expect(stderr).toBe('');
    expect(code).toBe(EXIT.ok);
    expect(added(before, snapshot(cluster))).toEqual(
      [
        'serviceaccounts/kube-system/exec-broker',
        `roles.${RBAC}/kube-system/exec-broker`,
        `roles.${RBAC}/kube-public/exec-broker:cluster-info`,
        `rolebindings.${RBAC}/kube-system/exec-broker`,
        `rolebindings.${RBAC}/kube-public/exec-broker:cluster-info`,
        `clusterroles.${RBAC}//exec-broker`,
        `clusterrolebindings.${RBAC}//exec-broker`,
      ].sort(),
    );
    expect(stdout).toContain('objects: 7 created, 0 updated, 0 unchanged\n');
    const creates = cluster.requests.slice(requestsBefore).filter((r) => r.verb === 'create');
    expect(creates.length).toBeGreaterThanOrEqual(7);
    expect(creates.every((r) => r.user === 'kubernetes-admin' && r.status === 201)).toBe(true);
    expect(stdout).not.toContain(cluster.adminToken);
  });

  describe('the broker with the token setup produced', () => {
    let worker: RunningWorker;
    let token: string;
    beforeAll(async () => {
      token = readFileSync(tokenFile, 'utf8').trim();
      worker = await startWorker({
        KUBE_API_SERVER: cluster.url,
        KUBE_TOKEN: token,
        PUBLIC_URL: 'https://broker.test',
        JOIN_POLICY: testPolicy(),
        KUBE_TIMEOUT_MS: '2000',
      });
    });
    afterAll(async () => {
      await worker?.dispose();
    });

    it('joins a node: 200, and the bootstrap-token Secret exists', async () => {
      const document = instanceDocument();
      const { data: bundle, error } = await joinAws(brokerClient(worker), await signDocument(document));
      expect(error).toBeUndefined();
      const secret = cluster.store.get('secrets', 'kube-system', `bootstrap-token-${bundle!.tokenId}`);
      expect(secret?.metadata.labels?.['kube-join-broker.io/instance']).toBe(document.instanceId);
      expect(cluster.requests.some((r) => r.user === 'system:serviceaccount:kube-system:kube-join-broker' && r.verb === 'create' && r.status === 201)).toBe(true);
    });

    it.each([
      ['get secrets in default', '/api/v1/namespaces/default/secrets/anything', 403],
      ['list secrets in default', '/api/v1/namespaces/default/secrets', 403],
      ['list nodes', '/api/v1/nodes', 403],
      ['list configmaps in kube-system', '/api/v1/namespaces/kube-system/configmaps', 403],
      ['get another ConfigMap in kube-public', '/api/v1/namespaces/kube-public/configmaps/other', 403],
      ['list secrets in kube-system (its job)', '/api/v1/namespaces/kube-system/secrets', 200],
      ['get cluster-info', '/api/v1/namespaces/kube-public/configmaps/cluster-info', 200],
    ])('the token: %s → %i', async (_name, path, status) => {
      const { stdout } = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', cluster.caPath, '-H', `Authorization: Bearer ${token}`, `${cluster.url}${path}`]);
      expect(Number(stdout)).toBe(status);
    });
  });
});

describe('setup usage errors (table, in process)', () => {
  it.each([
    ['no kubeconfig', ['setup'], '--kubeconfig <file> is required'],
    ['missing kubeconfig file', ['setup', '--kubeconfig', 'no-such.kubeconfig'], '--kubeconfig no-such.kubeconfig: ENOENT'],
    ['a group that is not a bootstrap group', ['setup', '--dry-run', '--groups', 'system:nodes'], '--groups: not a bootstrap-token group: "system:nodes"'],
    ['unknown token kind', ['setup', '--dry-run', '--token', 'forever'], '--token: "forever" is not one of request, secret, none'],
    ['ttl under 10 minutes', ['setup', '--dry-run', '--token-ttl', '5m'], '--token-ttl: "5m" is not a duration of at least 10m'],
    ['ttl for a Secret token', ['setup', '--dry-run', '--token', 'secret', '--token-ttl', '1h'], '--token-ttl applies to --token request only'],
    ['both token destinations', ['setup', '--dry-run', '--print-token', '--token-file', 'x'], 'use either --print-token or --token-file'],
    ['bad ServiceAccount name', ['setup', '--dry-run', '--service-account', 'Broker'], '--service-account: "Broker" is not a ServiceAccount name'],
    ['a positional argument', ['setup', '--dry-run', 'extra'], 'unexpected argument "extra"'],
  ])('%s → exit 2', async (_name, args, message) => {
    const result = await cliInProcess(args);
    expect(result.code).toBe(EXIT.usage);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
  });

  it('an unreachable API server: exit 1 with the connection error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kjb-cli-unreachable-'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters:\n- name: gone\n  cluster:\n    server: https://127.0.0.1:1\ncontexts:\n- name: gone\n  context:\n    cluster: gone\n    user: admin\ncurrent-context: gone\nusers:\n- name: admin\n  user:\n    token: not-a-real-token\n',
    );
    const result = await cliInProcess(['setup', '--kubeconfig', kubeconfig, '--token', 'none'], { cwd: dir });
    expect(result.code).toBe(EXIT.rejected);
    expect(result.stderr).toMatch(/^kube-join-broker: create ServiceAccount kube-system\/kube-join-broker: .*ECONNREFUSED/);
    expect(result.stderr).not.toContain('not-a-real-token');
  });
});

