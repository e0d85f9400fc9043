/**
 * core/v1 Secret: pkg/registry/core/secret/strategy.go, pkg/apis/core/validation ValidateSecret /
 * ValidateSecretUpdate, defaulting (type Opaque) and the v1 conversion that merges `stringData`
 * into `data` (stringData wins) and never stores it. Bootstrap-token contents are not validated
 * (SEMANTICS §1): a malformed token Secret is stored and simply never authenticates.
 */
import { age } from '../../apimachinery/duration.js';
import { type FieldError, forbidden, invalid, required, tooLong } from '../../apimachinery/field-errors.js';
import { badRequest } from '../../apimachinery/status.js';
import { isConfigMapKey, isDNS1123Subdomain } from '../../apimachinery/validation.js';
import type { KubeObject } from '../../storage/store.js';
import type { ResourceKind } from '../types.js';
import { AGE_COLUMN, immutable, isRecord } from './common.js';

const MAX_SECRET_SIZE = 1024 * 1024;

/** Go's base64.StdEncoding as encoding/json uses it for []byte: padding required, CR/LF ignored. */
export function base64Error(value: string): string | undefined {
  const s = value.replace(/[\r\n]/g, '');
  const m = /[^A-Za-z0-9+/=]/.exec(s);
  if (m) return `illegal base64 data at input byte ${m.index}`;
  const pad = s.indexOf('=');
  if (s.length % 4 !== 0 || (pad >= 0 && (pad < s.length - 2 || !/^=*$/.test(s.slice(pad))))) {
    return `illegal base64 data at input byte ${Math.max(0, pad >= 0 ? pad : s.length - (s.length % 4))}`;
  }
  return undefined;
}

export function decodeByteMap(obj: KubeObject, field: string, kind: string): void {
  const m = obj[field];
  if (m === undefined || m === null) return;
  if (!isRecord(m)) throw badRequest(`${kind} in version "v1" cannot be handled as a ${kind}: json: cannot unmarshal ${Array.isArray(m) ? 'array' : typeof m} into Go struct field ${kind}.${field} of type map[string][]uint8`);
  for (const v of Object.values(m)) {
    if (typeof v !== 'string') throw badRequest(`${kind} in version "v1" cannot be handled as a ${kind}: json: cannot unmarshal ${typeof v} into Go value of type []uint8`);
    const err = base64Error(v);
    if (err) throw badRequest(`${kind} in version "v1" cannot be handled as a ${kind}: ${err}`);
  }
}

const decodedSize = (m: Record<string, unknown> | undefined): number =>
  Object.values(m ?? {}).reduce<number>((n, v) => n + Buffer.from(String(v), 'base64').length, 0);

export const secretKind: ResourceKind = {
  group: '',
  version: 'v1',
  kind: 'Secret',
  plural: 'secrets',
  singular: 'secret',
  namespaced: true,
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  fieldOrder: ['immutable', 'data', 'stringData', 'type'],
  nameValidator: isDNS1123Subdomain,
  allowCreateOnUpdate: false,
  selectableFields: (o) => ({ type: String(o.type ?? '') }),
  decode(obj) {
    decodeByteMap(obj, 'data', 'Secret');
    const stringData = obj.stringData;
    if (stringData !== undefined && stringData !== null) {
      if (!isRecord(stringData)) throw badRequest('Secret in version "v1" cannot be handled as a Secret: json: cannot unmarshal into Go struct field Secret.stringData of type map[string]string');
      const data: Record<string, string> = isRecord(obj.data) ? (obj.data as Record<string, string>) : {};
      for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
      obj.data = data;
    }
    delete obj.stringData;
  },
  prepareForCreate(obj) {
    if (!obj.type) obj.type = 'Opaque';
  },
  prepareForUpdate(obj) {
    if (!obj.type) obj.type = 'Opaque';
  },
  validate(obj) {
    return validateSecretData(obj);
  },
  validateUpdate(obj, old) {
    const errs = validateSecretData(obj);
    errs.push(...immutable(obj.type, old.type, 'type'));
    if (old.immutable === true) {
      if (obj.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
      if (JSON.stringify(obj.data ?? {}) !== JSON.stringify(old.data ?? {})) {
        errs.push(forbidden('data', 'field is immutable when `immutable` is set'));
      }
    }
    return errs;
  },
  table: {
    columns: [
      { name: 'Type', type: 'string', description: 'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types' },
      { name: 'Data', type: 'integer', description: 'Data contains the secret data. Each key must consist of alphanumeric characters, \'-\', \'_\' or \'.\'.' },
      AGE_COLUMN,
    ],
    cells: (o, now) => [String(o.type ?? ''), Object.keys(isRecord(o.data) ? o.data : {}).length, ageOf(o, now)],
  },
};

function validateSecretData(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const data = isRecord(obj.data) ? obj.data : {};
  for (const key of Object.keys(data).sort()) {
    for (const msg of isConfigMapKey(key)) errs.push(invalid(`data[${key}]`, key, msg));
  }
  if (decodedSize(data) > MAX_SECRET_SIZE) errs.push(tooLong('data', MAX_SECRET_SIZE));
  if (obj.type === 'kubernetes.io/tls') {
    if (!('tls.crt' in data)) errs.push(required('data[tls.crt]'));
    if (!('tls.key' in data)) errs.push(required('data[tls.key]'));
  }
  if (obj.type === 'kubernetes.io/service-account-token') {
    const ann = obj.metadata.annotations ?? {};
    if (!ann['kubernetes.io/service-account.name']) errs.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
  }
  return errs;
}

export const ageOf = (o: KubeObject, now: Date): string => age(o.metadata.creationTimestamp as unknown as string | undefined, now);
