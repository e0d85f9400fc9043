import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { run } from './run.js';

/** A throwaway CA made by openssl, and its kubeadm pin computed by the openssl recipe. */
export async function opensslCa(name = 'test-ca'): Promise<{ pem: string; pin: string; certPath: string; keyPath: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'kjb-ca-'));
  const keyPath = join(dir, 'ca.key');
  const certPath = join(dir, 'ca.crt');
  const made = await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', `/CN=${name}`]);
  if (made.code !== 0) throw new Error(made.stderr);
  const { stdout } = await run('sh', ['-c', `openssl x509 -pubkey -noout -in "${certPath}" | openssl pkey -pubin -outform der | openssl dgst -sha256 -hex`]);
  return { pem: readFileSync(certPath, 'utf8'), pin: `sha256:${stdout.trim().split(' ').pop()}`, certPath, keyPath };
}

/** `kube-public/cluster-info` as kubeadm writes it (SEMANTICS §3.1). */
export function clusterInfoConfigMap(server: string, caPem: string) {
  return {
    metadata: { name: 'cluster-info', namespace: 'kube-public' },
    data: {
      kubeconfig: stringify({
        apiVersion: 'v1',
        clusters: [{ cluster: { 'certificate-authority-data': Buffer.from(caPem).toString('base64'), server }, name: '' }],
        contexts: null,
        'current-context': '',
        kind: 'Config',
        preferences: {},
        users: null,
      }),
    },
  };
}
