/**
 * The `csr` join script (src/render/script.ts `csrPlan`) in a sandbox with the real openssl and a
 * stub kubectl that records what it is given: what the script submits (CSR manifests, the
 * kubeconfig it authenticates with), how it reads the answer, how it fails — and hostile values
 * (fixtures.ts, HOSTILE) as cluster name, token, node name and serving SANs: data only, written
 * exactly, or refused at render time. Against the emulator with the real kubectl: test/e2e/csr.test.ts.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCertificateRequestPem } from '../../src/approval/csr.js';
import { renderJoinBundle } from '../../src/render/bundle.js';
import { renderKubeletKubeconfig } from '../../src/render/kubelet-kubeconfig.js';
import { renderJoinScript } from '../../src/render/script.js';
import { FLAG_SAFE_VALUE, HOSTILE, joinInput, tokenOf } from './fixtures.js';
import { Sandbox, SHELLS, syntaxCheck, type Shell } from './harness.js';

/**
 * kubectl stand-in: appends each argv (NUL-separated, one call per line) to $KJB_KUBECTL_LOG and
 * `create` stdin to $KJB_KUBECTL_LOG.stdin; `get csr` without -o answers NotFound; the state
 * query answers $KJB_KUBECTL_STATE (default `Denied:`), the message query `stub says no`.
 */
const KUBECTL = `#!/bin/sh
for arg in "$@"; do printf '%s\\0' "$arg" >>"$KJB_KUBECTL_LOG"; done
printf '\\n' >>"$KJB_KUBECTL_LOG"
case "$*" in
*' create -f -'*) cat >>"$KJB_KUBECTL_LOG.stdin"; exit 0 ;;
*'{.status.conditions[*].type}:{.status.certificate}'*) printf '%s' "\${KJB_KUBECTL_STATE:-Denied:}"; exit 0 ;;
*'{.status.conditions[*].message}'*) printf 'stub says no'; exit 0 ;;
*' get csr '*) exit 1 ;;
esac
exit 2
`;

let sandbox: Sandbox | undefined;
afterEach(() => {
  const used = sandbox;
  sandbox = undefined;
  if (used === undefined) return;
  try {
    expect(used.pwned()).toEqual([]);
  } finally {
    used.cleanup();
  }
});

function withKubectl(): Sandbox {
  const box = new Sandbox();
  writeFileSync(join(box.stubs, 'kubectl'), KUBECTL);
  chmodSync(join(box.stubs, 'kubectl'), 0o755);
  return box;
}

const WORK = '/run/kube-join-broker/csr';

function runCsr(box: Sandbox, script: string, shell: Shell = 'dash', env: Record<string, string> = {}) {
  const log = join(box.dir, 'kubectl.log');
  const result = box.run(script, { shell, env: { KJB_KUBECTL_LOG: log, KJB_STUB_SNAPSHOT: '0', KJB_CSR_WAIT_SECONDS: '0', ...env } });
  const calls = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).map((line) => line.slice(0, -1).split('\0')) : [];
  const submitted = existsSync(`${log}.stdin`) ? readFileSync(`${log}.stdin`, 'utf8') : '';
  return { result, calls, submitted };
}

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { request: string; signerName: string; usages: string[]; expirationSeconds?: number };
}

describe('csr mode with a stub kubectl', () => {
  const bundle = renderJoinBundle(joinInput());

  it('submits the kubelet client CSR with the bootstrap kubeconfig, then fails at once on a Denied CSR with the broker\'s message', () => {
    sandbox = withKubectl();
    const { result, calls, submitted } = runCsr(sandbox, renderJoinScript({ mode: 'csr', bundle }));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/kube-join-broker: error: CSR kube-join-broker-kubelet-client-[0-9a-f]{32} was not granted: stub says no\n$/);
    const work = `${sandbox.root}${WORK}`;
    const kubectlPrefix = ['--kubeconfig', `${work}/bootstrap-kubelet.conf`, '--cache-dir', `${work}/cache`, '--request-timeout', '15s'];
    const name = calls[0]!.at(-1)!;
    expect(calls).toEqual([
      [...kubectlPrefix, 'get', 'csr', name],
      [...kubectlPrefix, 'create', '-f', '-'],
      [...kubectlPrefix, 'get', 'csr', name, '-o', 'jsonpath={.status.conditions[*].type}:{.status.certificate}'],
      [...kubectlPrefix, 'get', 'csr', name, '-o', 'jsonpath={.status.conditions[*].message}'],
    ]);
    const manifest = JSON.parse(submitted) as Manifest;
    expect(manifest).toMatchObject({
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name },
      spec: { signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'] },
    });
    const request = parseCertificateRequestPem(Buffer.from(manifest.spec.request, 'base64').toString());
    expect(request.ok && request.request).toMatchObject({ commonNames: ['system:node:ip-10-0-1-23.ec2.internal'], organizations: ['system:nodes'], publicKeyCurve: '1.2.840.10045.3.1.7' });
    // The files it used are exactly the bundle's, 0600 in a 0700 directory; nothing installed yet.
    const tree = sandbox.tree();
    expect(tree[`${WORK}/bootstrap-kubelet.conf`]).toEqual({ mode: '600', content: bundle.kubeconfig });
    expect(tree[`${WORK}/kubelet.conf`]).toEqual({ mode: '600', content: renderKubeletKubeconfig(bundle) });
    expect(tree[`${WORK}/kubelet-client.key`]?.mode).toBe('600');
    expect(tree['/etc/kubernetes/kubelet.conf']).toBeUndefined();
  });

  it('run again, it reuses its key: the same CSR name, found instead of created', () => {
    sandbox = withKubectl();
    const script = renderJoinScript({ mode: 'csr', bundle });
    const first = runCsr(sandbox, script);
    const second = runCsr(sandbox, script);
    expect(second.calls[0]).toEqual(first.calls[0]);
  });

  it('a certificate that does not verify with the cluster CA is refused', () => {
    sandbox = withKubectl();
    const { result } = runCsr(sandbox, renderJoinScript({ mode: 'csr', bundle }), 'bash', { KJB_KUBECTL_STATE: `Approved:${Buffer.from('-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n').toString('base64')}` });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('kube-join-broker: error: the kubelet-client certificate does not verify with the cluster CA');
    expect(sandbox.tree()['/etc/kubernetes/kubelet.conf']).toBeUndefined();
  });

  it.each([
    ['a wait with a unit', '10s'],
    ['a negative wait', '-1'],
  ])('%s is refused before anything is written', (_name, wait) => {
    sandbox = withKubectl();
    const { result, calls } = runCsr(sandbox, renderJoinScript({ mode: 'csr', bundle }), 'dash', { KJB_CSR_WAIT_SECONDS: wait });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('kube-join-broker: error: KJB_CSR_WAIT_SECONDS must be a number of seconds\n');
    expect(calls).toEqual([]);
    expect(sandbox.tree()).toEqual({});
  });

  it('without kubectl on PATH it stops before writing anything', () => {
    sandbox = new Sandbox();
    const result = sandbox.run(renderJoinScript({ mode: 'csr', bundle }), { path: `${sandbox.stubs}:${sandbox.empty}` , env: { KJB_STUB_SNAPSHOT: '0' } });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('kube-join-broker: error: openssl is not on PATH\n');
    expect(sandbox.tree()).toEqual({});
  });

  it('the serving CSR spec carries the pool\'s lifetime cap; with no attested address there is no serving CSR and no TLS flags', () => {
    const capped = renderJoinScript({ mode: 'csr', bundle: renderJoinBundle(joinInput({ servingExpirationSeconds: 86_400 })) });
    expect(capped).toContain(`KJB_SERVING_CSR_SPEC='"signerName":"kubernetes.io/kubelet-serving","usages":["digital signature","server auth"],"expirationSeconds":86400'`);
    expect(capped).toContain("KJB_SERVING_EXTENSION='subjectAltName=DNS:ip-10-0-1-23.ec2.internal,IP:10.0.1.23'\n");
    const bare = renderJoinScript({ mode: 'csr', bundle: renderJoinBundle(joinInput({ servingSans: { ips: [], dnsNames: [] } })) });
    expect(bare).not.toContain('KJB_SERVING_');
    expect(bare).not.toContain('--tls-cert-file');
    expect(bare).toContain('no attested address for a serving certificate');
  });

  it.each([
    ['a DNS name with a comma', { ips: [], dnsNames: ['a,IP:1.2.3.4'] }],
    ['a DNS name with a colon', { ips: [], dnsNames: ['a:b'] }],
    ['an IP that is not one', { ips: ['10.0.1.256'], dnsNames: [] }],
  ])('refuses to render %s into the serving subjectAltName', (_name, servingSans) => {
    expect(() => renderJoinScript({ mode: 'csr', bundle: renderJoinBundle(joinInput({ servingSans })) })).toThrowError(expect.objectContaining({ code: 'invalid_serving_san' }));
  });
});

describe.each(HOSTILE.map((value, index) => [JSON.stringify(value), value, SHELLS[index % SHELLS.length]!] as const))('hostile value %s in the csr-mode script', (_, value, shell) => {
  it(`cluster name and token are only ever data (${shell})`, () => {
    const bundle = renderJoinBundle(joinInput({ clusterName: value, token: tokenOf(value) }));
    const script = renderJoinScript({ mode: 'csr', bundle });
    expect(syntaxCheck(script, shell).status).toBe(0);
    sandbox = withKubectl();
    const { result, calls } = runCsr(sandbox, script, shell);
    expect(result.stderr).not.toContain('pwned');
    expect(result.status).toBe(1);
    expect(calls).toHaveLength(4);
    const kubeconfig = sandbox.tree()[`${WORK}/bootstrap-kubelet.conf`]?.content ?? '';
    expect(kubeconfig).toBe(bundle.kubeconfig);
    expect(parse(kubeconfig).users[0].user.token).toBe(`${value}.${value}`);
  });

  it('as a node name or a serving SAN, is refused unless openssl and kubelet flags carry it unescaped', () => {
    const named = () => renderJoinScript({ mode: 'csr', bundle: renderJoinBundle(joinInput({ nodeName: value })) });
    if (value !== '' && FLAG_SAFE_VALUE.test(value)) expect(named()).toContain(`KJB_SUBJECT='/O=system:nodes/CN=system:node:${value}'\n`);
    else expect(named).toThrowError(expect.objectContaining({ code: 'unsafe_kubelet_flag_value' }));
    const san = () => renderJoinScript({ mode: 'csr', bundle: renderJoinBundle(joinInput({ servingSans: { ips: [], dnsNames: [value] } })) });
    if (/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(value)) expect(san()).toContain(`KJB_SERVING_EXTENSION='subjectAltName=DNS:${value}'\n`);
    else expect(san).toThrowError(expect.objectContaining({ code: 'invalid_serving_san' }));
  });
});
