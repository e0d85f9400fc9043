/**
 * Discovery documents (staging/src/k8s.io/apiserver/pkg/endpoints/discovery): /api (APIVersions),
 * /apis (APIGroupList), /apis/<group> (APIGroup), /api/v1 and /apis/<g>/<v> (APIResourceList with
 * subresources as `resource/sub` entries), /version. Aggregated discovery (v2) is not offered;
 * clients fall back to these.
 */
import type { Registry } from '../registry/index.js';
import type { ResourceKind } from '../registry/types.js';
import { KUBERNETES_VERSION } from '../auth/policy/kubeadm.js';

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupEntry(name: string, versions: string[]): Record<string, unknown> {
  const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupList(registry: Registry): Record<string, unknown> {
  const groups = [...registry.groups()].filter(([g]) => g !== '').map(([g, v]) => groupEntry(g, v));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function apiGroup(registry: Registry, group: string): Record<string, unknown> | undefined {
  const versions = registry.groups().get(group);
  if (!versions || group === '') return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group, versions) };
}

function resourceEntries(k: ResourceKind): Record<string, unknown>[] {
  const main: Record<string, unknown> = {
    name: k.plural,
    singularName: k.singular,
    namespaced: k.namespaced,
    kind: k.kind,
    verbs: [...k.verbs],
  };
  if (k.shortNames) main.shortNames = [...k.shortNames];
  if (k.categories) main.categories = [...k.categories];
  const subs = Object.entries(k.subresources ?? {}).map(([sub, s]) => ({
    name: `${k.plural}/${sub}`,
    singularName: '',
    namespaced: k.namespaced,
    kind: k.kind,
    verbs: [...s.verbs],
  }));
  const creates = Object.entries(k.createSubresources ?? {}).map(([sub, s]) => ({
    name: `${k.plural}/${sub}`,
    singularName: '',
    namespaced: k.namespaced,
    group: s.group,
    version: s.version,
    kind: s.kind,
    verbs: ['create'],
  }));
  return [main, ...subs, ...creates];
}

export function apiResourceList(registry: Registry, group: string, version: string): Record<string, unknown> | undefined {
  const kinds = registry.kinds.filter((k) => k.group === group && k.version === version);
  if (kinds.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: kinds.flatMap(resourceEntries),
  };
}

export function versionInfo(): Record<string, unknown> {
  const [major, minor] = KUBERNETES_VERSION.slice(1).split('.');
  return {
    major,
    minor,
    gitVersion: KUBERNETES_VERSION,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2025-04-22T16:00:00Z',
    goVersion: 'go1.23.8',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}
