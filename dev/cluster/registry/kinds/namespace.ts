/** core/v1 Namespace (pkg/registry/core/namespace): spec.finalizers defaults to ["kubernetes"], status.phase Active. */
import { isDNS1123Label } from '../../apimachinery/validation.js';
import type { ResourceKind } from '../types.js';
import { AGE_COLUMN, isRecord } from './common.js';
import { ageOf } from './secret.js';

export const namespaceKind: ResourceKind = {
  group: '',
  version: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  singular: 'namespace',
  namespaced: false,
  shortNames: ['ns'],
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  fieldOrder: ['spec', 'status'],
  nameValidator: isDNS1123Label,
  allowCreateOnUpdate: false,
  selectableFields: (o) => ({ 'status.phase': String((o.status as { phase?: string } | undefined)?.phase ?? '') }),
  prepareForCreate(obj) {
    const spec = isRecord(obj.spec) ? obj.spec : {};
    if (!Array.isArray(spec.finalizers)) spec.finalizers = ['kubernetes'];
    obj.spec = spec;
    obj.status = { phase: 'Active' };
  },
  prepareForUpdate(obj, old) {
    obj.spec = old.spec;
    obj.status = old.status;
  },
  table: {
    columns: [{ name: 'Status', type: 'string', description: 'The status of the namespace' }, AGE_COLUMN],
    cells: (o, now) => [String((o.status as { phase?: string } | undefined)?.phase ?? ''), ageOf(o, now)],
  },
};
