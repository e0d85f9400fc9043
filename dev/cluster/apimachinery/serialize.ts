/**
 * JSON output in Go struct field order (encoding/json writes fields in declaration order), so the
 * emulator's bytes look like kube-apiserver's: kind, apiVersion, metadata, then the kind's fields.
 */
const META_ORDER = [
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
];

function ordered(obj: Record<string, unknown>, order: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of order) if (obj[k] !== undefined) out[k] = obj[k];
  for (const [k, v] of Object.entries(obj)) if (!(k in out) && v !== undefined) out[k] = v;
  return out;
}

export function orderMetadata(meta: Record<string, unknown>): Record<string, unknown> {
  return ordered(meta, META_ORDER);
}

/** Order an object; `withTypeMeta=false` drops kind/apiVersion (items inside a typed list). */
export function orderObject(
  obj: Record<string, unknown>,
  fieldOrder: readonly string[],
  withTypeMeta = true,
): Record<string, unknown> {
  const out = ordered(obj, ['kind', 'apiVersion', 'metadata', ...fieldOrder]);
  if (out.metadata && typeof out.metadata === 'object') out.metadata = orderMetadata(out.metadata as Record<string, unknown>);
  if (!withTypeMeta) {
    delete out.kind;
    delete out.apiVersion;
  }
  return out;
}
