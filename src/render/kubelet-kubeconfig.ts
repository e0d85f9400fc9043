/**
 * /etc/kubernetes/kubelet.conf for a node that obtained its client certificate itself (the join
 * script's `csr` mode). No I/O.
 */
import { parseApiServer } from './api-server.js';
import { base64Utf8, checkCaBundle } from './ca.js';
import { toKubernetesYaml } from './yaml.js';

/** Where the kubelet keeps its current client certificate and key, one PEM file (its certificate store). */
export const KUBELET_CLIENT_PEM = '/var/lib/kubelet/pki/kubelet-client-current.pem';

/**
 * Renders kubelet.conf as the kubelet writes it after its own TLS bootstrap
 * (pkg/kubelet/certificate/bootstrap/bootstrap.go `writeKubeconfigFromBootstrapping`, SEMANTICS
 * §7.4): cluster `default-cluster` with the CA data inline, user `default-auth` whose certificate
 * and key are both {@link KUBELET_CLIENT_PEM}, context `default-context`. So the kubelet starts
 * with the certificate and rotates it later as if it had bootstrapped it.
 *
 * @throws {RenderError} `invalid_api_server`, `invalid_ca_bundle`, `unrepresentable_value`.
 */
export function renderKubeletKubeconfig(input: { readonly apiServer: string; readonly caCertificates: string }): string {
  return toKubernetesYaml({
    apiVersion: 'v1',
    clusters: [{ cluster: { 'certificate-authority-data': base64Utf8(checkCaBundle(input.caCertificates)), server: parseApiServer(input.apiServer).url }, name: 'default-cluster' }],
    contexts: [{ context: { cluster: 'default-cluster', namespace: 'default', user: 'default-auth' }, name: 'default-context' }],
    'current-context': 'default-context',
    kind: 'Config',
    preferences: {},
    users: [{ name: 'default-auth', user: { 'client-certificate': KUBELET_CLIENT_PEM, 'client-key': KUBELET_CLIENT_PEM } }],
  });
}
