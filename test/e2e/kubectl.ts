import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type RunResult } from '../support/run.js';

/** Real kubectl with a private HOME, so no user kubeconfig or cache leaks in. */
export function kubectl(kubeconfigPath: string, args: string[], input?: string): Promise<RunResult> {
  const home = mkdtempSync(join(tmpdir(), 'kjb-kubectl-home-'));
  return run('kubectl', ['--kubeconfig', kubeconfigPath, ...args], input, { env: { PATH: process.env['PATH'], HOME: home } });
}

/** A kubelet client key and CSR made with openssl, as the operator runbook does. */
export async function kubeletClientCsr(nodeName: string): Promise<{ csrPem: string; keyPath: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'kjb-csr-'));
  const keyPath = join(dir, 'kubelet.key');
  await run('openssl', ['genrsa', '-out', keyPath, '2048']);
  const csr = await run('openssl', ['req', '-new', '-key', keyPath, '-subj', `/O=system:nodes/CN=system:node:${nodeName}`]);
  if (csr.code !== 0) throw new Error(csr.stderr);
  return { csrPem: csr.stdout, keyPath };
}

export function csrManifest(name: string, csrPem: string, signerName = 'kubernetes.io/kube-apiserver-client-kubelet', usages = ['digital signature', 'key encipherment', 'client auth']): string {
  return JSON.stringify({
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: { request: Buffer.from(csrPem).toString('base64'), signerName, usages },
  });
}

export function writeTemp(name: string, content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'kjb-file-')), name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}
