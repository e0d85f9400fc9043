/**
 * Server-side printing: `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` turns a get/list/
 * watch response into a meta.k8s.io Table (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/
 * response.go `asTable`), rows carrying PartialObjectMetadata unless `includeObject=Object|None`.
 * Columns follow pkg/printers/internalversion/printers.go for the kinds served here.
 */
import { orderMetadata } from '../apimachinery/serialize.js';
import { rfc3339 } from '../clock.js';
import type { ResourceKind, TableColumn } from '../registry/types.js';
import type { KubeObject } from '../storage/store.js';

export interface TableRequest {
  readonly groupVersion: string;
  readonly includeObject: 'Object' | 'Metadata' | 'None';
}

/** The first Accept entry that asks for a Table, or undefined for plain JSON. */
export function tableRequest(accept: string | undefined, includeObject: string | null): TableRequest | undefined {
  if (!accept) return undefined;
  for (const entry of accept.split(',')) {
    const [type, ...params] = entry.split(';').map((s) => s.trim());
    if (type !== 'application/json' && type !== '*/*') continue;
    const p = Object.fromEntries(params.map((x) => x.split('=').map((s) => s.trim()) as [string, string]));
    if (p.as === 'Table' && p.g === 'meta.k8s.io' && (p.v === 'v1' || p.v === 'v1beta1')) {
      const include = includeObject === 'Object' || includeObject === 'None' ? includeObject : 'Metadata';
      return { groupVersion: `meta.k8s.io/${p.v}`, includeObject: include };
    }
    if (!p.as) return undefined;
  }
  return undefined;
}

const NAME_COLUMN: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description:
    'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
};

const DEFAULT_COLUMNS: readonly TableColumn[] = [
  { name: 'Created At', type: 'date', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' },
];

function columns(kind: ResourceKind): Record<string, unknown>[] {
  return [NAME_COLUMN, ...(kind.table?.columns ?? DEFAULT_COLUMNS)].map((c) => ({
    name: c.name,
    type: c.type,
    format: c.format ?? '',
    description: c.description,
    priority: c.priority ?? 0,
  }));
}

function row(kind: ResourceKind, obj: KubeObject, now: Date, req: TableRequest): Record<string, unknown> {
  const cells = kind.table
    ? kind.table.cells(obj, now)
    : [obj.metadata.creationTimestamp ? rfc3339(new Date(obj.metadata.creationTimestamp as unknown as string)) : ''];
  const r: Record<string, unknown> = { cells: [obj.metadata.name, ...cells] };
  if (req.includeObject === 'Object') r.object = obj;
  else if (req.includeObject === 'Metadata') {
    r.object = { kind: 'PartialObjectMetadata', apiVersion: req.groupVersion, metadata: orderMetadata(obj.metadata as unknown as Record<string, unknown>) };
  }
  return r;
}

export function toTable(
  kind: ResourceKind,
  objects: readonly KubeObject[],
  now: Date,
  req: TableRequest,
  resourceVersion: string | undefined,
  withHeaders = true,
): Record<string, unknown> {
  return {
    kind: 'Table',
    apiVersion: req.groupVersion,
    metadata: resourceVersion ? { resourceVersion } : {},
    columnDefinitions: withHeaders ? columns(kind) : null,
    rows: objects.map((o) => row(kind, o, now, req)),
  };
}
