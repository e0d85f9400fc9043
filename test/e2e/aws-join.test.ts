/**
 * Issue 4 end to end: the built Worker in workerd, the Kubernetes API emulator over HTTPS, real
 * openssl, kubectl, shellcheck and sh.
 */
import type { V1CertificateSigningRequest, V1Secret } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../render/harness.js';
import { run } from '../support/run.js';
import { brokerClient, joinAws, joinText, type BrokerClient, type JoinBundle } from './client.js';
import { csrManifest, kubectl, kubeletClientCsr, writeTemp } from './kubectl.js';
import { instanceDocument, signDocument, startStack, testPolicy, type Stack } from './stack.js';

let stack: Stack;
let broker: BrokerClient;
beforeAll(async () => {
  stack = await startStack({
    policy: testPolicy(
      [{ name: 'workers', nodeLabels: { 'node.kubernetes.io/pool': 'workers' }, nodeTaints: ['dedicated=batch:NoSchedule'] }],
      [{ pool: 'workers', provider: 'aws', accounts: ['111122223333'] }],
    ),
  });
  broker = brokerClient(stack);
});
afterAll(() => stack.stop());

const brokerSecrets = () =>
  stack.cluster.store
    .list('secrets', 'kube-system')
    .filter((s) => (s as unknown as V1Secret).metadata?.labels?.['app.kubernetes.io/managed-by'] === 'kube-join-broker') as unknown as V1Secret[];


describe('a dev-signed document', () => {
  let bundle: JoinBundle;
  const document = instanceDocument({ privateIp: '10.0.7.42', region: 'us-west-2', availabilityZone: 'us-west-2b' });

  beforeAll(async () => {
    const { data, error, response } = await joinAws(broker, await signDocument(document));
    expect(error).toBeUndefined();
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    bundle = data!;
  });

  it('answers a bundle for that instance', () => {
    expect(bundle).toMatchObject({
      nodeName: 'ip-10-0-7-42.us-west-2.compute.internal',
      apiServer: stack.cluster.url,
      identity: { provider: 'aws', account: '111122223333', region: 'us-west-2', instanceId: document.instanceId },
      pool: 'workers',
      nodeLabels: { 'node.kubernetes.io/pool': 'workers' },
      nodeTaints: ['dedicated=batch:NoSchedule'],
    });
    expect(bundle.token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(bundle.joinCommand).toContain(`--discovery-token-ca-cert-hash ${bundle.caCertHashes[0]}`);
    expect(Date.parse(bundle.expiresAt) - Date.now()).toBeGreaterThan(500_000);
    expect(Date.parse(bundle.expiresAt) - Date.now()).toBeLessThanOrEqual(600_000);
  });

  it('created the Secret exactly as kubeadm writes it', async () => {
    const { stdout, code } = await kubectl(stack.cluster.adminKubeconfigPath, ['-n', 'kube-system', 'get', 'secret', `bootstrap-token-${bundle.tokenId}`, '-o', 'json']);
    expect(code).toBe(0);
    const secret = JSON.parse(stdout) as V1Secret;
    const data = Object.fromEntries(Object.entries(secret.data!).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
    expect(secret.type).toBe('bootstrap.kubernetes.io/token');
    expect(data).toEqual({
      'token-id': bundle.tokenId,
      'token-secret': bundle.token.split('.')[1],
      expiration: bundle.expiresAt,
      description: `kube-join-broker: aws 111122223333 ${document.instanceId} as ip-10-0-7-42.us-west-2.compute.internal`,
      'usage-bootstrap-authentication': 'true',
      'usage-bootstrap-signing': 'true',
      'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token',
    });
    expect(secret.metadata?.labels).toMatchObject({ 'kube-join-broker.io/instance': document.instanceId, 'kube-join-broker.io/pool': 'workers' });
  });

  it('pins the CA exactly as `openssl x509 -pubkey | openssl pkey -pubin -outform der | sha256sum`', async () => {
    const { stdout } = await run('sh', ['-c', `openssl x509 -pubkey -noout -in "$1" | openssl pkey -pubin -outform der | sha256sum`, 'sh', stack.cluster.caPath]);
    expect(bundle.caCertHashes).toEqual([`sha256:${stdout.split(' ')[0]}`]);
  });

  it('its kubeconfig lets kubectl create a kubelet client CSR as system:bootstrap:<id>, over TLS verified with the returned CA', async () => {
    const kubeconfigPath = writeTemp('bootstrap-kubelet.conf', bundle.kubeconfig);
    const { csrPem } = await kubeletClientCsr(bundle.nodeName);
    const name = `node-csr-${bundle.tokenId}`;
    const created = await kubectl(kubeconfigPath, ['create', '-f', '-'], csrManifest(name, csrPem));
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const csr = stack.cluster.store.get('certificatesigningrequests.certificates.k8s.io', undefined, name) as unknown as V1CertificateSigningRequest;
    expect(csr.spec.username).toBe(`system:bootstrap:${bundle.tokenId}`);
    expect(csr.spec.groups).toEqual(expect.arrayContaining(['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token', 'system:authenticated']));
    // The returned CA is what made TLS verification pass: a kubeconfig with another CA fails.
    const otherCa = (await run('sh', ['-c', 'openssl req -x509 -newkey rsa:2048 -nodes -keyout /dev/null -subj /CN=other -days 1 2>/dev/null'])).stdout;
    const wrongCa = bundle.kubeconfig.replace(/certificate-authority-data: .*/, `certificate-authority-data: ${Buffer.from(otherCa).toString('base64')}`);
    const refused = await kubectl(writeTemp('wrong-ca.conf', wrongCa), ['get', 'csr', name]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/certificate/);
  });

  it('is also served as bootstrap-kubelet.conf (format=kubeconfig)', async () => {
    const { response, text } = await joinText(broker, 'aws', await signDocument(instanceDocument()), { format: 'kubeconfig' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/yaml');
    const kubeconfig = parseYaml(text!) as { users: { name: string; user: { token: string } }[]; 'current-context': string };
    expect(kubeconfig.users[0]!.name).toBe('tls-bootstrap-token-user');
    expect(kubeconfig.users[0]!.user.token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(kubeconfig['current-context']).toBe('tls-bootstrap-token-user@kubernetes');
  });
});

describe('join scripts from the Worker', () => {
  it.each(['kubeadm', 'kubelet'] as const)('mode=%s passes shellcheck and, run into a temp root, writes the files and calls the tools', async (mode) => {
    const { response, text } = await joinText(broker, 'aws', await signDocument(instanceDocument()), { format: 'script', mode });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/x-shellscript; charset=utf-8');
    const script = text!;
    const check = await run('shellcheck', ['-s', 'sh', '-'], script);
    expect(check.stdout + check.stderr).toBe('');
    expect(check.code).toBe(0);

    const sandbox = new Sandbox();
    try {
      const result = sandbox.run(script);
      expect(result.status, result.stderr).toBe(0);
      const calls = sandbox.calls();
      if (mode === 'kubeadm') {
        expect(calls.map((c) => [c.name, ...c.args])).toEqual([['kubeadm', 'join', '--config', `${sandbox.root}/run/kube-join-broker/join-configuration.yaml`]]);
        const config = parseYaml(calls[0]!.files['/run/kube-join-broker/join-configuration.yaml']!.content) as {
          kind: string;
          nodeRegistration: { name: string };
          discovery: { bootstrapToken: { apiServerEndpoint: string; token: string; caCertHashes: string[] } };
        };
        expect(config.kind).toBe('JoinConfiguration');
        expect(config.nodeRegistration.name).toBe('ip-10-0-1-23.ec2.internal');
        // The pool's discovery is `token` (kubeadm's default shape): the pin and the endpoint.
        const pin = (await run('sh', ['-c', `openssl x509 -pubkey -noout -in "$1" | openssl pkey -pubin -outform der | sha256sum`, 'sh', stack.cluster.caPath])).stdout.split(' ')[0];
        expect(config.discovery.bootstrapToken).toEqual({
          apiServerEndpoint: stack.cluster.url.replace('https://', ''),
          token: expect.stringMatching(/^[a-z0-9]{6}\.[a-z0-9]{16}$/),
          caCertHashes: [`sha256:${pin}`],
        });
      } else {
        expect(calls.map((c) => [c.name, ...c.args])).toEqual([
          ['systemctl', 'daemon-reload'],
          ['systemctl', 'enable', 'kubelet'],
          ['systemctl', 'restart', 'kubelet'],
        ]);
        const files = calls[0]!.files;
        expect(files['/etc/kubernetes/pki/ca.crt']!.content).toBe(readFileSync(stack.cluster.caPath, 'utf8'));
        expect(files['/etc/kubernetes/bootstrap-kubelet.conf']!.mode).toBe('600');
        expect(files['/etc/kube-join-broker/kubelet.env']!.content).toContain('--node-labels=node.kubernetes.io/pool=workers');
        expect(files['/etc/kube-join-broker/kubelet.env']!.content).toContain('--register-with-taints=dedicated=batch:NoSchedule');
        // The kubelet would bootstrap with this file: it authenticates against the cluster.
        const probe = await kubectl(writeTemp('bootstrap-kubelet.conf', files['/etc/kubernetes/bootstrap-kubelet.conf']!.content), ['get', 'csr']);
        expect(probe.code, probe.stderr).toBe(0);
      }
      // Idempotent: a second run finds kubelet.conf and does nothing more.
      expect(sandbox.run(script).status).toBe(0);
      expect(sandbox.calls()).toHaveLength(calls.length);
    } finally {
      sandbox.cleanup();
    }
  });
});

describe('bad input gets a 4xx problem+json and mints nothing', () => {
  let otherSigner: { certPath: string; keyPath: string };
  beforeAll(async () => {
    const dir = writeTemp('x', '').replace(/\/x$/, '');
    otherSigner = { certPath: `${dir}/other.crt`, keyPath: `${dir}/other.key` };
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=not trusted', '-days', '1', '-keyout', otherSigner.keyPath, '-out', otherSigner.certPath]);
  });

  const realDsa = readFileSync('test/fixtures/aws/cloudinit-2018-us-east-2.pkcs7', 'utf8');
  const pem = async (doc = instanceDocument()) => signDocument(doc);
  const cases: [string, number, string, () => Promise<string | Uint8Array<ArrayBuffer>>][] = [
    ['an empty body', 400, 'malformed_document', async () => ''],
    ['garbage base64', 400, 'malformed_document', async () => 'this is !!! not base64 at all'],
    ['random bytes', 400, 'malformed_document', async () => new Uint8Array(Array.from({ length: 512 }, (_, i) => (i * 7919) % 256))],
    ['a truncated PKCS7', 400, 'malformed_document', async () => (await pem()).split('\n').slice(0, 8).join('\n')],
    ['a PKCS7 signed by another key', 403, 'invalid_signature', async () => signDocument(instanceDocument(), otherSigner)],
    ['a document older than the window', 403, 'stale_document', async () => pem(instanceDocument({ pendingTime: new Date(Date.now() - 601_000).toISOString().replace(/\.\d+Z$/, 'Z') }))],
    ['a document from the future', 403, 'stale_document', async () => pem(instanceDocument({ pendingTime: new Date(Date.now() + 120_000).toISOString().replace(/\.\d+Z$/, 'Z') }))],
    ['an unlisted account', 403, 'access_denied', async () => pem(instanceDocument({ accountId: '999988887777' }))],
    ['a real AWS document of an unlisted account', 403, 'access_denied', async () => readFileSync('test/fixtures/aws/teleport-2021-us-west-2.rsa2048', 'utf8')],
    ['the legacy DSA pkcs7', 403, 'unsupported_document', async () => realDsa],
    ['a substituted document', 403, 'document_mismatch', async () => JSON.stringify({ document: JSON.stringify(instanceDocument()), pkcs7: (await pem()).replace(/-----[A-Z ]+-----/g, '').replace(/\s/g, '') })],
    ['an instance ID with shell markup', 403, 'invalid_claims', async () => pem(instanceDocument({ instanceId: "i-1'$(touch pwned)" }))],
    ['a private IP with YAML markup', 403, 'invalid_claims', async () => pem(instanceDocument({ privateIp: '10.0.0.1\nkind: Evil' }))],
  ];

  it('the emulator holds the Secrets of this file\'s successful joins, so "mints nothing" can fail', () => {
    expect(brokerSecrets().length).toBeGreaterThan(0);
  });

  it.each(cases)('%s → %i %s', async (_, status, code, body) => {
    // Names, not a count: meanwhile the broker may delete an earlier test's token as spent (the
    // kubectl CSR above got its client certificate; 5 s later the join index's poller deletes it).
    const names = () => brokerSecrets().map((s) => s.metadata?.name);
    const before = new Set(names());
    const { error: problem, response } = await joinAws(broker, await body());
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(problem?.code).toBe(code);
    expect(names().filter((name) => !before.has(name))).toEqual([]);
    if (code === 'unsupported_document') expect(problem?.detail).toContain('rsa2048');
  });

  it('an unknown format or mode is refused before anything is spent', async () => {
    const document = instanceDocument();
    // Values outside the contract's enums, on purpose.
    expect((await joinAws(broker, await signDocument(document), { format: 'xml' as 'json' })).error?.code).toBe('invalid_request');
    expect((await joinText(broker, 'aws', await signDocument(document), { format: 'script', mode: 'magic' as 'kubeadm' })).error?.code).toBe('invalid_request');
    expect((await joinAws(broker, await signDocument(document))).response.status).toBe(200);
  });
});
