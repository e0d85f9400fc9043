/** Kubeconfig files the emulator writes or publishes. */
import { stringify } from 'yaml';

/**
 * cluster-info's `kubeconfig` value exactly as kubeadm publishes it
 * (cmd/kubeadm/app/phases/bootstraptoken/clusterinfo/clusterinfo.go, rendered by clientcmd.Write):
 * one cluster named "", server and CA data only. The JWS signs these bytes, so they are produced
 * once here and never re-serialised.
 */
export function clusterInfoKubeconfig(server: string, caPem: string | undefined): string {
  const caLine = caPem ? `    certificate-authority-data: ${Buffer.from(caPem, 'utf8').toString('base64')}\n` : '';
  return (
    'apiVersion: v1\n' +
    'clusters:\n' +
    '- cluster:\n' +
    caLine +
    `    server: ${server}\n` +
    '  name: ""\n' +
    'contexts: null\n' +
    'current-context: ""\n' +
    'kind: Config\n' +
    'preferences: {}\n' +
    'users: null\n'
  );
}

export interface KubeconfigUser {
  readonly name: string;
  readonly token?: string;
  readonly clientCertificateData?: string;
  readonly clientKeyData?: string;
}

/** A kubeconfig with one cluster, one user and one context (kubeadm's admin.conf shape). */
export function renderKubeconfig(opts: {
  server: string;
  caPem?: string;
  clusterName?: string;
  user: KubeconfigUser;
}): string {
  const clusterName = opts.clusterName ?? 'kubernetes';
  const context = `${opts.user.name}@${clusterName}`;
  const cluster: Record<string, string> = {};
  if (opts.caPem) cluster['certificate-authority-data'] = Buffer.from(opts.caPem, 'utf8').toString('base64');
  cluster.server = opts.server;
  const user: Record<string, string> = {};
  if (opts.user.clientCertificateData) user['client-certificate-data'] = Buffer.from(opts.user.clientCertificateData).toString('base64');
  if (opts.user.clientKeyData) user['client-key-data'] = Buffer.from(opts.user.clientKeyData).toString('base64');
  if (opts.user.token) user.token = opts.user.token;
  return stringify(
    {
      apiVersion: 'v1',
      clusters: [{ cluster, name: clusterName }],
      contexts: [{ context: { cluster: clusterName, user: opts.user.name }, name: context }],
      'current-context': context,
      kind: 'Config',
      preferences: {},
      users: [{ name: opts.user.name, user }],
    },
    { lineWidth: 0 },
  );
}
