/**
 * Kubernetes naming rules the broker enforces before any value reaches a Secret, a kubeconfig,
 * a script or a kubelet flag. Sources: apimachinery `pkg/util/validation/validation.go`
 * (IsDNS1123Subdomain, IsQualifiedName, IsValidLabelValue) and cluster-bootstrap `types.go`
 * (BootstrapGroupPattern).
 */
const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_LABEL}(\\.${DNS1123_LABEL})*$`);
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** `auth-extra-groups` entries; an invalid one makes the whole token fail authentication. */
export const BOOTSTRAP_GROUP_PATTERN = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;

/** A Node name: a DNS-1123 subdomain of at most 253 characters. */
export function isNodeName(value: string): boolean {
  return value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

/** A label key: `[prefix/]name`, prefix a DNS-1123 subdomain ≤ 253, name ≤ 63 of `[-A-Za-z0-9_.]`. */
export function isLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) return false;
  return name.length > 0 && name.length <= 63 && QUALIFIED_NAME_PART.test(name);
}

export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/**
 * The NodeRestriction admission plugin lets a kubelet set labels in the kubernetes.io and k8s.io
 * namespaces only when they are on this list or under kubelet.kubernetes.io/ or
 * node.kubernetes.io/ (plugin/pkg/admission/noderestriction, kubelet `IsKubeletLabel`). A pool
 * label outside it would make the kubelet fail to register, so policy rejects it up front.
 */
const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname',
  'kubernetes.io/arch',
  'kubernetes.io/os',
  'beta.kubernetes.io/arch',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type',
  'failure-domain.beta.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'topology.kubernetes.io/zone',
]);
const KUBELET_LABEL_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

export function isKubeletSettableLabel(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash === -1) return true;
  const prefix = key.slice(0, slash);
  const restricted = (ns: string) => prefix === ns || prefix.endsWith(`.${ns}`);
  if (!restricted('kubernetes.io') && !restricted('k8s.io')) return true;
  if (KUBELET_LABELS.has(key)) return true;
  return KUBELET_LABEL_NAMESPACES.some((ns) => prefix === ns || prefix.endsWith(`.${ns}`));
}
