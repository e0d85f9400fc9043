/**
 * core/v1 Node (pkg/registry/core/node/strategy.go): status is kept on create (kubelets register
 * with it), main-resource updates keep the stored status, `/status` updates only status.
 */
import { isDNS1123Subdomain } from '../../apimachinery/validation.js';
import type { KubeObject } from '../../storage/store.js';
import type { ResourceKind } from '../types.js';
import { AGE_COLUMN, isRecord } from './common.js';
import { ageOf } from './secret.js';

interface NodeCondition {
  type?: string;
  status?: string;
}

function nodeStatus(o: KubeObject): string {
  const status = isRecord(o.status) ? o.status : {};
  const conditions = (Array.isArray(status.conditions) ? status.conditions : []) as NodeCondition[];
  const ready = conditions.find((c) => c.type === 'Ready');
  let s = !ready ? 'Unknown' : ready.status === 'True' ? 'Ready' : ready.status === 'False' ? 'NotReady' : 'Unknown';
  if (isRecord(o.spec) && o.spec.unschedulable === true) s += ',SchedulingDisabled';
  return s;
}

function nodeRoles(o: KubeObject): string {
  const roles = Object.keys(o.metadata.labels ?? {})
    .filter((l) => l.startsWith('node-role.kubernetes.io/'))
    .map((l) => l.slice('node-role.kubernetes.io/'.length))
    .filter((r) => r.length > 0);
  return roles.length ? roles.sort().join(',') : '<none>';
}

export const nodeKind: ResourceKind = {
  group: '',
  version: 'v1',
  kind: 'Node',
  plural: 'nodes',
  singular: 'node',
  namespaced: false,
  shortNames: ['no'],
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  fieldOrder: ['spec', 'status'],
  mergeKeys: { 'spec.taints': 'key', 'status.conditions': 'type', 'status.addresses': 'type' },
  nameValidator: isDNS1123Subdomain,
  allowCreateOnUpdate: false,
  selectableFields: (o) => ({ 'spec.unschedulable': String(isRecord(o.spec) && o.spec.unschedulable === true) }),
  prepareForCreate(obj) {
    if (!isRecord(obj.spec)) obj.spec = {};
    if (!isRecord(obj.status)) obj.status = {};
  },
  prepareForUpdate(obj, old) {
    obj.status = old.status;
  },
  subresources: {
    status: {
      verbs: ['get', 'patch', 'update'],
      prepareForUpdate(obj, old) {
        obj.spec = old.spec;
      },
      validateUpdate: () => [],
    },
  },
  table: {
    columns: [
      { name: 'Status', type: 'string', description: 'The status of the node' },
      { name: 'Roles', type: 'string', description: 'The roles of the node' },
      AGE_COLUMN,
      { name: 'Version', type: 'string', description: 'Kubelet Version reported by the node.' },
    ],
    cells: (o, now) => {
      const status = isRecord(o.status) ? o.status : {};
      const info = isRecord(status.nodeInfo) ? status.nodeInfo : {};
      return [nodeStatus(o), nodeRoles(o), ageOf(o, now), String(info.kubeletVersion ?? '')];
    },
  },
};
