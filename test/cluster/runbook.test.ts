/**
 * The operator runbook, verbatim, with the real tools against the emulator over HTTPS:
 * kubectl apply of a bootstrap-token Secret with the admin kubeconfig; anonymous curl of
 * cluster-info and CA extraction with jq; a hand-written bootstrap-kubelet.conf; openssl for the
 * kubelet key and CSR; kubectl apply of the CSR as the token user; auto-approval; retrieval with
 * jsonpath and `openssl verify`. Then a kubelet-serving CSR stays Pending until a person approves it.
 * HOME points at a temp dir so no user kubeconfig or kubectl cache leaks in.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinForCertificate } from '../../dev/cluster/index.js';
import { kubeadmClusterInfoKubeconfig, startTestCluster } from './helpers.js';

type Cluster = Awaited<ReturnType<typeof startTestCluster>>;
let cluster: Cluster;
let work: string;
let env: NodeJS.ProcessEnv;

const execFileAsync = promisify(execFile);
/** Run a real tool asynchronously (the emulator serves from this same event loop). */
async function run(cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync(cmd, args, { cwd: work, env, encoding: 'utf8', timeout: 30_000 });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.stderr ?? err.message}`);
  }
}
const sh = (script: string): Promise<string> => run('bash', ['-euo', 'pipefail', '-c', script]);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'kjb-runbook-'));
  env = { PATH: process.env.PATH, HOME: work, KUBECONFIG: '' };
  cluster = await startTestCluster({ tls: true, stateDir: join(work, 'state') });
});
afterAll(async () => {
  await cluster?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

const TOKEN_SECRET = `apiVersion: v1
kind: Secret
metadata:
  name: bootstrap-token-07401b
  namespace: kube-system
type: bootstrap.kubernetes.io/token
stringData:
  description: "runbook: join worker-1"
  token-id: 07401b
  token-secret: f395accd246ae52d
  expiration: "2099-01-01T00:00:00Z"
  usage-bootstrap-authentication: "true"
  usage-bootstrap-signing: "true"
  auth-extra-groups: system:bootstrappers:kubeadm:default-node-token
`;

describe('operator runbook with kubectl, curl, jq and openssl', () => {
  it('joins worker-1 end to end', async () => {
    const admin = ['--kubeconfig', cluster.adminKubeconfigPath];
    writeFileSync(join(work, 'token.yaml'), TOKEN_SECRET);
    expect(await run('kubectl', [...admin, 'apply', '-f', 'token.yaml'])).toContain('secret/bootstrap-token-07401b created');
    await cluster.controllers.idle();

    // Discovery: anonymous, CA from cluster-info, checked against the pin an operator would compute.
    const kubeconfigYaml = await sh(`curl -fsS --cacert '${cluster.caPath}' '${cluster.url}/api/v1/namespaces/kube-public/configmaps/cluster-info' | jq -r '.data.kubeconfig'`);
    expect(kubeconfigYaml).toBe(`${cluster.clusterInfoKubeconfig}\n`); // jq -r adds a newline
    // …and that text is kubeadm's, layout for layout (SEMANTICS §3.1, clientcmd.Write): the template
    // written out here, filled with the server and the CA file's bytes, not with the emulator's output
    // (the final empty line is jq -r's newline after the value's own).
    const caData = readFileSync(cluster.caPath).toString('base64');
    expect(kubeconfigYaml).toBe(`${kubeadmClusterInfoKubeconfig(cluster.url, caData)}\n`);
    const ci = parse(kubeconfigYaml) as { clusters: { cluster: { 'certificate-authority-data': string; server: string } }[] };
    const caPem = Buffer.from(ci.clusters[0]!.cluster['certificate-authority-data'], 'base64').toString('utf8');
    writeFileSync(join(work, 'ca.crt'), caPem);
    const opensslPin = (await sh(`openssl x509 -pubkey -noout -in ca.crt | openssl pkey -pubin -outform der | openssl dgst -sha256 -hex | sed 's/^.* //'`)).trim();
    expect(pinForCertificate(caPem)).toBe(`sha256:${opensslPin}`);

    writeFileSync(
      join(work, 'bootstrap-kubelet.conf'),
      `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority: ${join(work, 'ca.crt')}
    server: ${ci.clusters[0]!.cluster.server}
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: tls-bootstrap-token-user
  name: tls-bootstrap-token-user@kubernetes
current-context: tls-bootstrap-token-user@kubernetes
preferences: {}
users:
- name: tls-bootstrap-token-user
  user:
    token: 07401b.f395accd246ae52d
`,
    );

    await run('openssl', ['genrsa', '-out', 'kubelet.key', '2048']);
    await run('openssl', ['req', '-new', '-key', 'kubelet.key', '-subj', '/O=system:nodes/CN=system:node:worker-1', '-out', 'kubelet.csr']);
    const request = Buffer.from(readFileSync(join(work, 'kubelet.csr'))).toString('base64');
    writeFileSync(
      join(work, 'csr.yaml'),
      `apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata:
  name: node-csr-worker-1
spec:
  request: ${request}
  signerName: kubernetes.io/kube-apiserver-client-kubelet
  usages:
  - digital signature
  - key encipherment
  - client auth
`,
    );
    const bootstrap = ['--kubeconfig', 'bootstrap-kubelet.conf'];
    expect(await run('kubectl', [...bootstrap, 'apply', '-f', 'csr.yaml'])).toContain('certificatesigningrequest.certificates.k8s.io/node-csr-worker-1 created');
    await cluster.controllers.idle();

    const requestor = await run('kubectl', [...admin, 'get', 'csr', 'node-csr-worker-1', '-o', 'jsonpath={.spec.username}']);
    expect(requestor).toBe('system:bootstrap:07401b');
    expect(await run('kubectl', [...admin, 'get', 'csr', 'node-csr-worker-1'])).toMatch(/node-csr-worker-1\s+\S+\s+kubernetes.io\/kube-apiserver-client-kubelet\s+system:bootstrap:07401b\s+<none>\s+Approved,Issued/);
    const certB64 = await run('kubectl', [...bootstrap, 'get', 'csr', 'node-csr-worker-1', '-o', 'jsonpath={.status.certificate}']);
    writeFileSync(join(work, 'kubelet.crt'), Buffer.from(certB64, 'base64'));
    expect((await run('openssl', ['verify', '-CAfile', 'ca.crt', 'kubelet.crt'])).trim()).toBe('kubelet.crt: OK');
    expect(await run('openssl', ['x509', '-in', 'kubelet.crt', '-noout', '-subject'])).toContain('CN = system:node:worker-1');

    // The issued certificate authenticates the node (x509 client-certificate authentication).
    const node = ['--server', cluster.url, '--certificate-authority', 'ca.crt', '--client-certificate', 'kubelet.crt', '--client-key', 'kubelet.key'];
    expect(await run('kubectl', [...node, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).toBe('system:node:worker-1');

    // A kubelet-serving CSR from the node stays Pending until an admin approves it.
    await run('openssl', ['ecparam', '-genkey', '-name', 'prime256v1', '-noout', '-out', 'serving.key']);
    await run('openssl', ['req', '-new', '-key', 'serving.key', '-subj', '/O=system:nodes/CN=system:node:worker-1', '-addext', 'subjectAltName=DNS:worker-1,IP:10.0.0.5', '-out', 'serving.csr']);
    writeFileSync(
      join(work, 'serving.yaml'),
      `apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata:
  name: csr-serving-worker-1
spec:
  request: ${readFileSync(join(work, 'serving.csr')).toString('base64')}
  signerName: kubernetes.io/kubelet-serving
  usages: [digital signature, server auth]
`,
    );
    const watcher = spawn('kubectl', [...admin, 'get', 'csr', '-w'], { cwd: work, env });
    let watched = '';
    watcher.stdout.on('data', (d: Buffer) => (watched += d.toString()));
    await run('kubectl', [...node, 'create', '-f', 'serving.yaml']);
    await cluster.controllers.syncAll();
    expect(await run('kubectl', [...admin, 'get', 'csr', 'csr-serving-worker-1', '-o', 'jsonpath={.status}'])).toBe('{}');
    expect(await run('kubectl', [...admin, 'certificate', 'approve', 'csr-serving-worker-1'])).toContain('approved');
    await cluster.controllers.idle();
    await run('kubectl', [...admin, 'wait', '--for=condition=Approved', 'csr/csr-serving-worker-1', '--timeout=10s']);
    await run('kubectl', [...admin, 'wait', '--for=jsonpath={.status.certificate}', 'csr/csr-serving-worker-1', '--timeout=10s']);
    for (let i = 0; i < 200 && !/csr-serving-worker-1.*Approved,Issued/.test(watched); i++) await new Promise((r) => setTimeout(r, 25));
    watcher.kill();
    // `kubectl get csr -w`: the list, then the watch from its resourceVersion shows each transition.
    expect(watched).toMatch(/csr-serving-worker-1\s.*Pending/);
    expect(watched).toMatch(/csr-serving-worker-1\s.*Approved,Issued/);
    writeFileSync(join(work, 'serving.crt'), Buffer.from(await run('kubectl', [...admin, 'get', 'csr', 'csr-serving-worker-1', '-o', 'jsonpath={.status.certificate}']), 'base64'));
    expect((await run('openssl', ['verify', '-CAfile', 'ca.crt', 'serving.crt'])).trim()).toBe('serving.crt: OK');
    expect(await run('openssl', ['x509', '-in', 'serving.crt', '-noout', '-ext', 'subjectAltName'])).toContain('DNS:worker-1, IP Address:10.0.0.5');
  });

  it('anonymous curl is refused what RBAC refuses, with the real 403 text', async () => {
    const body = await sh(`curl -sS --cacert '${cluster.caPath}' '${cluster.url}/api/v1/namespaces/kube-system/secrets'`);
    expect(JSON.parse(body)).toMatchObject({
      code: 403,
      message: 'secrets is forbidden: User "system:anonymous" cannot list resource "secrets" in API group "" in the namespace "kube-system"',
    });
  });
});
