/** core/v1 ConfigMap: pkg/apis/core/validation ValidateConfigMap / ValidateConfigMapUpdate. */
import { type FieldError, forbidden, invalid, tooLong } from '../../apimachinery/field-errors.js';
import { isConfigMapKey, isDNS1123Subdomain } from '../../apimachinery/validation.js';
import type { KubeObject } from '../../storage/store.js';
import type { ResourceKind } from '../types.js';
import { AGE_COLUMN, isRecord } from './common.js';
import { ageOf, decodeByteMap } from './secret.js';

const MAX_SIZE = 1024 * 1024;

function validateConfigMap(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const data = isRecord(obj.data) ? obj.data : {};
  const binary = isRecord(obj.binaryData) ? obj.binaryData : {};
  let size = 0;
  for (const key of Object.keys(data).sort()) {
    for (const msg of isConfigMapKey(key)) errs.push(invalid(`data[${key}]`, key, msg));
    if (key in binary) errs.push(invalid(`data[${key}]`, key, 'duplicate of key present in binaryData'));
    size += Buffer.byteLength(String(data[key]), 'utf8');
  }
  for (const key of Object.keys(binary).sort()) {
    for (const msg of isConfigMapKey(key)) errs.push(invalid(`binaryData[${key}]`, key, msg));
    if (key in data) errs.push(invalid(`binaryData[${key}]`, key, 'duplicate of key present in data'));
    size += Buffer.from(String(binary[key]), 'base64').length;
  }
  if (size > MAX_SIZE) errs.push(tooLong('', MAX_SIZE));
  return errs;
}

export const configMapKind: ResourceKind = {
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  plural: 'configmaps',
  singular: 'configmap',
  namespaced: true,
  shortNames: ['cm'],
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  fieldOrder: ['immutable', 'data', 'binaryData'],
  nameValidator: isDNS1123Subdomain,
  allowCreateOnUpdate: false,
  decode(obj) {
    decodeByteMap(obj, 'binaryData', 'ConfigMap');
    const data = obj.data;
    if (isRecord(data)) for (const [k, v] of Object.entries(data)) if (typeof v !== 'string') data[k] = String(v);
  },
  validate: validateConfigMap,
  validateUpdate(obj, old) {
    const errs = validateConfigMap(obj);
    if (old.immutable === true) {
      if (obj.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
      if (JSON.stringify(obj.data ?? {}) !== JSON.stringify(old.data ?? {})) errs.push(forbidden('data', 'field is immutable when `immutable` is set'));
      if (JSON.stringify(obj.binaryData ?? {}) !== JSON.stringify(old.binaryData ?? {})) errs.push(forbidden('binaryData', 'field is immutable when `immutable` is set'));
    }
    return errs;
  },
  table: {
    columns: [{ name: 'Data', type: 'integer', description: 'Data contains the configuration data.' }, AGE_COLUMN],
    cells: (o, now) => [
      Object.keys(isRecord(o.data) ? o.data : {}).length + Object.keys(isRecord(o.binaryData) ? o.binaryData : {}).length,
      ageOf(o, now),
    ],
  },
};
