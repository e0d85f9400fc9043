/**
 * Decoding of `application/vnd.kubernetes.protobuf` request bodies into the JSON shape, for the
 * kinds served here. Typed clients (kubectl's `certificate approve`, `create secret`, `auth
 * whoami`, kubelets) send protobuf; responses stay JSON, which every Kubernetes client accepts.
 * Envelope: magic `k8s\0` + runtime.Unknown{typeMeta=1{apiVersion=1,kind=2}, raw=2,
 * contentEncoding=3, contentType=4} (staging/src/k8s.io/apimachinery/pkg/runtime/serializer/
 * protobuf/protobuf.go); messages and field numbers from each group's generated.proto.
 */
type Scalar = 'string' | 'bytes' | 'int32' | 'int64' | 'bool' | 'time' | 'quantity';
type FieldType = Scalar | { message: Schema } | { map: Scalar | { message: Schema } };
interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  readonly repeated?: boolean;
}
type Schema = Readonly<Record<number, FieldSpec>>;

const f = (name: string, type: FieldType, repeated = false): FieldSpec => ({ name, type, repeated });
const msg = (message: Schema): FieldType => ({ message });

const OWNER_REFERENCE: Schema = {
  1: f('kind', 'string'),
  3: f('name', 'string'),
  4: f('uid', 'string'),
  5: f('apiVersion', 'string'),
  6: f('controller', 'bool'),
  7: f('blockOwnerDeletion', 'bool'),
};
const OBJECT_META: Schema = {
  1: f('name', 'string'),
  2: f('generateName', 'string'),
  3: f('namespace', 'string'),
  4: f('selfLink', 'string'),
  5: f('uid', 'string'),
  6: f('resourceVersion', 'string'),
  7: f('generation', 'int64'),
  8: f('creationTimestamp', 'time'),
  9: f('deletionTimestamp', 'time'),
  10: f('deletionGracePeriodSeconds', 'int64'),
  11: f('labels', { map: 'string' }),
  12: f('annotations', { map: 'string' }),
  13: f('ownerReferences', msg(OWNER_REFERENCE), true),
  14: f('finalizers', 'string', true),
};
const EXTRA_VALUE: Schema = { 1: f('items', 'string', true) };
const CSR_CONDITION: Schema = {
  1: f('type', 'string'),
  6: f('status', 'string'),
  2: f('reason', 'string'),
  3: f('message', 'string'),
  4: f('lastUpdateTime', 'time'),
  5: f('lastTransitionTime', 'time'),
};
const CSR: Schema = {
  1: f('metadata', msg(OBJECT_META)),
  2: f(
    'spec',
    msg({
      1: f('request', 'bytes'),
      7: f('signerName', 'string'),
      8: f('expirationSeconds', 'int32'),
      5: f('usages', 'string', true),
      2: f('username', 'string'),
      3: f('uid', 'string'),
      4: f('groups', 'string', true),
      6: f('extra', { map: { message: EXTRA_VALUE } }),
    }),
  ),
  3: f('status', msg({ 1: f('conditions', msg(CSR_CONDITION), true), 2: f('certificate', 'bytes') })),
};
const SECRET: Schema = {
  1: f('metadata', msg(OBJECT_META)),
  2: f('data', { map: 'bytes' }),
  3: f('type', 'string'),
  4: f('stringData', { map: 'string' }),
  5: f('immutable', 'bool'),
};
const CONFIG_MAP: Schema = {
  1: f('metadata', msg(OBJECT_META)),
  2: f('data', { map: 'string' }),
  3: f('binaryData', { map: 'bytes' }),
  4: f('immutable', 'bool'),
};
const NAMESPACE: Schema = {
  1: f('metadata', msg(OBJECT_META)),
  2: f('spec', msg({ 1: f('finalizers', 'string', true) })),
  3: f('status', msg({ 1: f('phase', 'string') })),
};
const OBJECT_REFERENCE: Schema = {
  1: f('kind', 'string'),
  2: f('namespace', 'string'),
  3: f('name', 'string'),
  4: f('uid', 'string'),
  5: f('apiVersion', 'string'),
  6: f('resourceVersion', 'string'),
  7: f('fieldPath', 'string'),
};
const SERVICE_ACCOUNT: Schema = {
  1: f('metadata', msg(OBJECT_META)),
  2: f('secrets', msg(OBJECT_REFERENCE), true),
  3: f('imagePullSecrets', msg({ 1: f('name', 'string') }), true),
  4: f('automountServiceAccountToken', 'bool'),
};
const NODE: Schema = {
  1: f('metadata', msg(OBJECT_META)),
  2: f(
    'spec',
    msg({
      1: f('podCIDR', 'string'),
      7: f('podCIDRs', 'string', true),
      3: f('providerID', 'string'),
      4: f('unschedulable', 'bool'),
      5: f('taints', msg({ 1: f('key', 'string'), 2: f('value', 'string'), 3: f('effect', 'string'), 4: f('timeAdded', 'time') }), true),
    }),
  ),
  3: f(
    'status',
    msg({
      1: f('capacity', { map: 'quantity' }),
      2: f('allocatable', { map: 'quantity' }),
      3: f('phase', 'string'),
      4: f(
        'conditions',
        msg({
          1: f('type', 'string'),
          2: f('status', 'string'),
          3: f('lastHeartbeatTime', 'time'),
          4: f('lastTransitionTime', 'time'),
          5: f('reason', 'string'),
          6: f('message', 'string'),
        }),
        true,
      ),
      5: f('addresses', msg({ 1: f('type', 'string'), 2: f('address', 'string') }), true),
      7: f(
        'nodeInfo',
        msg({
          1: f('machineID', 'string'),
          2: f('systemUUID', 'string'),
          3: f('bootID', 'string'),
          4: f('kernelVersion', 'string'),
          5: f('osImage', 'string'),
          6: f('containerRuntimeVersion', 'string'),
          7: f('kubeletVersion', 'string'),
          8: f('kubeProxyVersion', 'string'),
          9: f('operatingSystem', 'string'),
          10: f('architecture', 'string'),
        }),
      ),
    }),
  ),
};
const POLICY_RULE: Schema = {
  1: f('verbs', 'string', true),
  2: f('apiGroups', 'string', true),
  3: f('resources', 'string', true),
  4: f('resourceNames', 'string', true),
  5: f('nonResourceURLs', 'string', true),
};
const SUBJECT: Schema = { 1: f('kind', 'string'), 2: f('apiGroup', 'string'), 3: f('name', 'string'), 4: f('namespace', 'string') };
const ROLE_REF: Schema = { 1: f('apiGroup', 'string'), 2: f('kind', 'string'), 3: f('name', 'string') };
const ROLE: Schema = { 1: f('metadata', msg(OBJECT_META)), 2: f('rules', msg(POLICY_RULE), true) };
const BINDING: Schema = { 1: f('metadata', msg(OBJECT_META)), 2: f('subjects', msg(SUBJECT), true), 3: f('roleRef', msg(ROLE_REF)) };
const RESOURCE_ATTRIBUTES: Schema = {
  1: f('namespace', 'string'),
  2: f('verb', 'string'),
  3: f('group', 'string'),
  4: f('version', 'string'),
  5: f('resource', 'string'),
  6: f('subresource', 'string'),
  7: f('name', 'string'),
};
const NON_RESOURCE_ATTRIBUTES: Schema = { 1: f('path', 'string'), 2: f('verb', 'string') };
const SAR: Schema = {
  1: f('metadata', msg(OBJECT_META)),
  2: f(
    'spec',
    msg({
      1: f('resourceAttributes', msg(RESOURCE_ATTRIBUTES)),
      2: f('nonResourceAttributes', msg(NON_RESOURCE_ATTRIBUTES)),
      3: f('user', 'string'),
      4: f('groups', 'string', true),
      5: f('extra', { map: { message: EXTRA_VALUE } }),
      6: f('uid', 'string'),
    }),
  ),
};
const SSAR: Schema = {
  1: f('metadata', msg(OBJECT_META)),
  2: f('spec', msg({ 1: f('resourceAttributes', msg(RESOURCE_ATTRIBUTES)), 2: f('nonResourceAttributes', msg(NON_RESOURCE_ATTRIBUTES)) })),
};
const SELF_SUBJECT_REVIEW: Schema = { 1: f('metadata', msg(OBJECT_META)) };
const DELETE_OPTIONS: Schema = {
  1: f('gracePeriodSeconds', 'int64'),
  2: f('preconditions', msg({ 1: f('uid', 'string'), 2: f('resourceVersion', 'string') })),
  3: f('orphanDependents', 'bool'),
  4: f('propagationPolicy', 'string'),
  5: f('dryRun', 'string', true),
};

const SCHEMAS: Readonly<Record<string, Schema>> = {
  CertificateSigningRequest: CSR,
  Secret: SECRET,
  ConfigMap: CONFIG_MAP,
  Namespace: NAMESPACE,
  ServiceAccount: SERVICE_ACCOUNT,
  Node: NODE,
  Role: ROLE,
  ClusterRole: ROLE,
  RoleBinding: BINDING,
  ClusterRoleBinding: BINDING,
  SubjectAccessReview: SAR,
  SelfSubjectAccessReview: SSAR,
  SelfSubjectReview: SELF_SUBJECT_REVIEW,
  DeleteOptions: DELETE_OPTIONS,
};

export class ProtobufError extends Error {}

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new ProtobufError('truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
      if (shift > 63n) throw new ProtobufError('varint overflow');
    }
  }
  bytes(): Uint8Array {
    const len = Number(this.varint());
    if (this.pos + len > this.buf.length) throw new ProtobufError('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new ProtobufError(`unsupported wire type ${wire}`);
  }
}

const utf8 = new TextDecoder();

function decodeTime(b: Uint8Array): string {
  const r = new Reader(b);
  let seconds = 0n;
  while (!r.done) {
    const tag = Number(r.varint());
    if (tag >>> 3 === 1 && (tag & 7) === 0) seconds = r.varint();
    else r.skip(tag & 7);
  }
  return new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function decodeScalar(type: Scalar, r: Reader, wire: number): unknown {
  switch (type) {
    case 'string':
      return utf8.decode(r.bytes());
    case 'bytes':
      return Buffer.from(r.bytes()).toString('base64');
    case 'int32':
    case 'int64': {
      const v = BigInt.asIntN(64, r.varint());
      return Number(v);
    }
    case 'bool':
      return r.varint() !== 0n;
    case 'time':
      return decodeTime(r.bytes());
    case 'quantity': {
      const inner = new Reader(r.bytes());
      let s = '';
      while (!inner.done) {
        const tag = Number(inner.varint());
        if (tag >>> 3 === 1) s = utf8.decode(inner.bytes());
        else inner.skip(tag & 7);
      }
      return s;
    }
  }
  void wire;
}

function decodeValue(type: Scalar | { message: Schema }, r: Reader, wire: number): unknown {
  if (typeof type === 'string') return decodeScalar(type, r, wire);
  return decodeMessage(r.bytes(), type.message);
}

function decodeMessage(buf: Uint8Array, schema: Schema): Record<string, unknown> {
  const r = new Reader(buf);
  const out: Record<string, unknown> = {};
  while (!r.done) {
    const tag = Number(r.varint());
    const field = schema[tag >>> 3];
    const wire = tag & 7;
    if (!field) {
      r.skip(wire);
      continue;
    }
    const t = field.type;
    if (typeof t === 'object' && 'map' in t) {
      const entry = new Reader(r.bytes());
      let key = '';
      let value: unknown = t.map === 'string' ? '' : undefined;
      while (!entry.done) {
        const etag = Number(entry.varint());
        if (etag >>> 3 === 1) key = utf8.decode(entry.bytes());
        else if (etag >>> 3 === 2) value = decodeValue(t.map, entry, etag & 7);
        else entry.skip(etag & 7);
      }
      const map = (out[field.name] as Record<string, unknown> | undefined) ?? {};
      map[key] = value ?? (typeof t.map === 'object' ? {} : '');
      out[field.name] = map;
      continue;
    }
    if (field.repeated && wire === 2 && (t === 'int32' || t === 'int64' || t === 'bool')) {
      const packed = new Reader(r.bytes());
      const list = (out[field.name] as unknown[] | undefined) ?? [];
      while (!packed.done) list.push(decodeScalar(t, packed, 0));
      out[field.name] = list;
      continue;
    }
    const v = decodeValue(t as Scalar | { message: Schema }, r, wire);
    if (field.repeated) {
      const list = (out[field.name] as unknown[] | undefined) ?? [];
      list.push(v);
      out[field.name] = list;
    } else out[field.name] = v;
  }
  if (out.extra && typeof out.extra === 'object') {
    for (const [k, v] of Object.entries(out.extra as Record<string, { items?: string[] }>)) (out.extra as Record<string, unknown>)[k] = v.items ?? [];
  }
  return out;
}

const MAGIC = [0x6b, 0x38, 0x73, 0x00];

/** Decode a Kubernetes protobuf envelope into `{apiVersion, kind, …}` JSON form. */
export function decodeKubernetesProtobuf(body: Uint8Array): Record<string, unknown> {
  if (body.length < 4 || MAGIC.some((b, i) => body[i] !== b)) throw new ProtobufError('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  const r = new Reader(body.subarray(4));
  let apiVersion = '';
  let kind = '';
  let raw: Uint8Array = new Uint8Array();
  while (!r.done) {
    const tag = Number(r.varint());
    const num = tag >>> 3;
    if (num === 1) {
      const tm = new Reader(r.bytes());
      while (!tm.done) {
        const t = Number(tm.varint());
        if (t >>> 3 === 1) apiVersion = utf8.decode(tm.bytes());
        else if (t >>> 3 === 2) kind = utf8.decode(tm.bytes());
        else tm.skip(t & 7);
      }
    } else if (num === 2) raw = r.bytes();
    else r.skip(tag & 7);
  }
  const schema = SCHEMAS[kind];
  if (!schema) throw new ProtobufError(`no protobuf schema for kind ${JSON.stringify(kind)} in this emulator`);
  return { apiVersion, kind, ...decodeMessage(raw, schema) };
}
