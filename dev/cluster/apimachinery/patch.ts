/**
 * The three PATCH formats kube-apiserver accepts for built-in types:
 * - application/merge-patch+json (RFC 7386),
 * - application/json-patch+json (RFC 6902),
 * - application/strategic-merge-patch+json (staging/src/k8s.io/apimachinery/pkg/util/strategicpatch):
 *   maps merge, `null` deletes, lists replace unless the field has a patch merge key, directives
 *   `$patch`, `$retainKeys`, `$deleteFromPrimitiveList/…` and `$setElementOrder/…` (order only,
 *   ignored here). kubectl's client-side apply sends this.
 * Server-side apply (application/apply-patch+yaml) is not implemented.
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

export class PatchError extends Error {}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => structuredClone(v);

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k] ?? null, v);
  }
  return out;
}

/** Merge keys by dotted field path (list fields whose Go type carries `patchMergeKey`). */
export type MergeKeys = Readonly<Record<string, string>>;

export function strategicMergePatch(target: Json, patch: Json, mergeKeys: MergeKeys, path = ''): Json {
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const rest = clone(patch);
    delete rest.$patch;
    return rest;
  }
  if (patch.$patch === 'delete') return null;
  let out: JsonObject = isObject(target) ? clone(target) : {};
  const retain = patch.$retainKeys;
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$retainKeys' || k === '$patch' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const current = out[field];
      if (Array.isArray(current) && Array.isArray(v)) out[field] = current.filter((x) => !v.some((d) => d === x));
      continue;
    }
    const childPath = path ? `${path}.${k}` : k;
    if (v === null) {
      delete out[k];
      continue;
    }
    const existing = out[k];
    if (Array.isArray(v)) {
      const key = mergeKeys[childPath];
      out[k] = key && Array.isArray(existing) ? mergeList(existing, v, key, mergeKeys, childPath) : replaceList(v);
    } else if (isObject(v)) {
      const merged = strategicMergePatch(existing ?? null, v, mergeKeys, childPath);
      if (merged === null) delete out[k];
      else out[k] = merged;
    } else {
      out[k] = v;
    }
  }
  if (Array.isArray(retain)) {
    const keep = new Set(retain.filter((x): x is string => typeof x === 'string'));
    out = Object.fromEntries(Object.entries(out).filter(([k]) => keep.has(k)));
  }
  return out;
}

function replaceList(v: Json[]): Json[] {
  const replace = v.findIndex((e) => isObject(e) && e.$patch === 'replace');
  if (replace >= 0) return clone(v.filter((_, i) => i !== replace));
  return clone(v);
}

function mergeList(existing: Json[], patch: Json[], key: string, mergeKeys: MergeKeys, path: string): Json[] {
  if (patch.some((e) => isObject(e) && e.$patch === 'replace')) return replaceList(patch);
  const out = clone(existing);
  for (const item of patch) {
    if (!isObject(item)) {
      if (!out.some((e) => e === item)) out.push(item);
      continue;
    }
    const id = item[key];
    const idx = out.findIndex((e) => isObject(e) && e[key] === id);
    if (item.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = strategicMergePatch(out[idx]!, item, mergeKeys, path);
    else out.push(strategicMergePatch(null, item, mergeKeys, path));
  }
  return out;
}

interface JsonPatchOp {
  op: string;
  path: string;
  value?: Json;
  from?: string;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function getAt(doc: Json, tokens: string[]): Json | undefined {
  let cur: Json | undefined = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = Object.prototype.hasOwnProperty.call(cur, t) ? cur[t] : undefined;
    else return undefined;
  }
  return cur;
}

function parentOf(doc: Json, tokens: string[], opPath: string): { parent: Json; last: string } {
  if (tokens.length === 0) throw new PatchError(`cannot operate on the document root at ${opPath}`);
  const parent = getAt(doc, tokens.slice(0, -1));
  if (parent === undefined || (typeof parent !== 'object') || parent === null) {
    throw new PatchError(`doc is missing path: "${opPath}": missing value`);
  }
  return { parent, last: tokens[tokens.length - 1]! };
}

function removeAt(doc: Json, tokens: string[], opPath: string): Json {
  const { parent, last } = parentOf(doc, tokens, opPath);
  if (Array.isArray(parent)) {
    const i = Number(last);
    if (!Number.isInteger(i) || i < 0 || i >= parent.length) throw new PatchError(`Unable to remove nonexistent key: ${last}: missing value`);
    return parent.splice(i, 1)[0]!;
  }
  const obj = parent as JsonObject;
  if (!Object.prototype.hasOwnProperty.call(obj, last)) throw new PatchError(`Unable to remove nonexistent key: ${last}: missing value`);
  const v = obj[last]!;
  delete obj[last];
  return v;
}

function addAt(doc: Json, tokens: string[], value: Json, opPath: string, replace: boolean): Json {
  if (tokens.length === 0) return clone(value);
  const { parent, last } = parentOf(doc, tokens, opPath);
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(i) || i < 0 || i > parent.length || (replace && i >= parent.length)) {
      throw new PatchError(`Unable to access invalid index: ${last}: invalid index referenced`);
    }
    if (replace) parent[i] = clone(value);
    else parent.splice(i, 0, clone(value));
  } else {
    const obj = parent as JsonObject;
    if (replace && !Object.prototype.hasOwnProperty.call(obj, last)) {
      throw new PatchError(`replace operation does not apply: doc is missing key: ${opPath}: missing value`);
    }
    obj[last] = clone(value);
  }
  return doc;
}

export function jsonPatch(target: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw new PatchError('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc = clone(target);
  for (const raw of ops as JsonPatchOp[]) {
    const tokens = parsePointer(raw.path);
    switch (raw.op) {
      case 'add':
        doc = addAt(doc, tokens, raw.value ?? null, raw.path, false);
        break;
      case 'replace':
        doc = addAt(doc, tokens, raw.value ?? null, raw.path, true);
        break;
      case 'remove':
        removeAt(doc, tokens, raw.path);
        break;
      case 'move': {
        const v = removeAt(doc, parsePointer(raw.from ?? ''), raw.from ?? '');
        doc = addAt(doc, tokens, v, raw.path, false);
        break;
      }
      case 'copy': {
        const v = getAt(doc, parsePointer(raw.from ?? ''));
        if (v === undefined) throw new PatchError(`copy from does not exist: ${raw.from}`);
        doc = addAt(doc, tokens, v, raw.path, false);
        break;
      }
      case 'test': {
        const v = getAt(doc, tokens);
        if (JSON.stringify(v) !== JSON.stringify(raw.value)) throw new PatchError(`testing value ${raw.path} failed: test failed`);
        break;
      }
      default:
        throw new PatchError(`Unexpected kind: ${raw.op}`);
    }
  }
  return doc;
}

export type { Json, JsonObject };
