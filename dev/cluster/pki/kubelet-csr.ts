/**
 * The kubelet CSR checks of pkg/apis/certificates/helpers.go (`ValidateKubeletClientCSR`,
 * `ValidateKubeletServingCSR`): the csrapprover uses the client check to recognise requests, and
 * the csrsigner re-validates both before it signs. Error texts are the upstream ones.
 */
import type { ParsedCsr } from './csr.js';

const ORG_NOT_SYSTEM_NODES = 'subject organization is not system:nodes';
const CN_NOT_SYSTEM_NODE = 'subject common name does not begin with system:node:';

const sameSet = (a: ReadonlySet<string>, b: readonly string[]): boolean =>
  a.size === b.length && b.every((x) => a.has(x));

const CLIENT_USAGES = ['client auth', 'digital signature', 'key encipherment'];
const CLIENT_USAGES_NO_RSA = ['client auth', 'digital signature'];
const SERVING_USAGES = ['digital signature', 'key encipherment', 'server auth'];
const SERVING_USAGES_NO_RSA = ['digital signature', 'server auth'];

const isSystemNodesOnly = (org: readonly string[]): boolean => org.length === 1 && org[0] === 'system:nodes';

export function validateKubeletClientCsr(req: ParsedCsr, usages: readonly string[]): string | undefined {
  if (!isSystemNodesOnly(req.organization)) return ORG_NOT_SYSTEM_NODES;
  if (req.dnsNames.length > 0) return 'DNS subjectAltNames are not allowed';
  if (req.emailAddresses.length > 0) return 'Email subjectAltNames are not allowed';
  if (req.ipAddresses.length > 0) return 'IP subjectAltNames are not allowed';
  if (req.uris.length > 0) return 'URI subjectAltNames are not allowed';
  if (!req.commonName.startsWith('system:node:')) return CN_NOT_SYSTEM_NODE;
  const set = new Set(usages);
  if (!sameSet(set, CLIENT_USAGES) && !sameSet(set, CLIENT_USAGES_NO_RSA)) {
    return `usages did not match [${CLIENT_USAGES.join(' ')}]`;
  }
  return undefined;
}

export function validateKubeletServingCsr(req: ParsedCsr, usages: readonly string[]): string | undefined {
  if (!isSystemNodesOnly(req.organization)) return ORG_NOT_SYSTEM_NODES;
  if (req.dnsNames.length === 0 && req.ipAddresses.length === 0) return 'DNS or IP subjectAltName is required';
  if (req.emailAddresses.length > 0) return 'Email subjectAltNames are not allowed';
  if (req.uris.length > 0) return 'URI subjectAltNames are not allowed';
  const set = new Set(usages);
  if (!sameSet(set, SERVING_USAGES) && !sameSet(set, SERVING_USAGES_NO_RSA)) {
    return `usages did not match [${SERVING_USAGES.join(' ')}]`;
  }
  if (!req.commonName.startsWith('system:node:')) return CN_NOT_SYSTEM_NODE;
  return undefined;
}

/** signer.go validAPIServerClientUsages, for kubernetes.io/kube-apiserver-client. */
export function validateApiServerClientUsages(usages: readonly string[]): string | undefined {
  let hasClientAuth = false;
  for (const u of usages) {
    if (u === 'digital signature' || u === 'key encipherment') continue;
    if (u === 'client auth') hasClientAuth = true;
    else return `invalid usage for client certificate: ${u}`;
  }
  return hasClientAuth ? undefined : 'missing required usage for client certificate: client auth';
}
