/**
 * The generic registry (staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go and
 * rest/create.go, rest/update.go, rest/delete.go) over the in-memory store: create (with
 * generateName retries, dryRun, namespace lifecycle, existence check), get/list with selectors,
 * update with optimistic concurrency, the three patch types, delete with preconditions.
 * The HTTP layer authorizes before calling in; controllers call in directly.
 */
import { randomUUID } from 'node:crypto';
import { type FieldError, invalid } from '../apimachinery/field-errors.js';
import { generateName } from '../apimachinery/names.js';
import { type Json, type JsonObject, jsonPatch, mergePatch, PatchError, strategicMergePatch } from '../apimachinery/patch.js';
import {
  fieldsMatch,
  labelsMatch,
  parseFieldSelector,
  parseLabelSelector,
  type FieldRequirement,
  type LabelRequirement,
  SelectorParseError,
} from '../apimachinery/selectors.js';
import { orderObject } from '../apimachinery/serialize.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  generateNameConflict,
  internalError,
  invalidError,
  notFound,
  OPTIMISTIC_LOCK_MSG,
  StatusError,
  type StatusBody,
  unsupportedMediaType,
} from '../apimachinery/status.js';
import { validateObjectMeta } from '../apimachinery/validation.js';
import type { Authorizer } from '../auth/authz/attributes.js';
import type { UserInfo } from '../auth/user.js';
import { type Clock, rfc3339 } from '../clock.js';
import type { KubeObject, ObjectStore } from '../storage/store.js';
import { Registry } from './index.js';
import { namespaceKind } from './kinds/namespace.js';
import { apiVersionOf, groupResource, type OperationContext, type ResourceKind, storageKey } from './types.js';

export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
] as const;
export type PatchType = (typeof PATCH_TYPES)[number];

export interface WriteOptions {
  readonly dryRun?: boolean;
}

export interface DeleteOptions extends WriteOptions {
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
}

export interface ListOptions {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

export interface ParsedSelectors {
  readonly labels: LabelRequirement[];
  readonly fields: FieldRequirement[];
}

/** Identity the controllers use when they write (they run with full privileges here). */
export const CONTROLLER_USER: UserInfo = { name: 'system:kube-controller-manager', groups: ['system:masters', 'system:authenticated'] };

const MAX_GENERATE_NAME_ATTEMPTS = 8;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class ApiCore {
  readonly registry: Registry;

  constructor(
    readonly store: ObjectStore,
    readonly authorizer: Authorizer,
    readonly clock: Clock,
    registry?: Registry,
  ) {
    this.registry = registry ?? new Registry();
  }

  context(user: UserInfo, dryRun = false): OperationContext {
    return { user, clock: this.clock, dryRun, store: this.store, authorizer: this.authorizer };
  }

  /** The wire form: kind/apiVersion set, Go field order. */
  present(kind: ResourceKind, obj: KubeObject, withTypeMeta = true): KubeObject {
    const o = { ...obj, kind: kind.kind, apiVersion: apiVersionOf(kind) };
    return orderObject(o, kind.fieldOrder, withTypeMeta) as KubeObject;
  }

  get(kind: ResourceKind, namespace: string | undefined, name: string): KubeObject {
    const o = this.store.get(storageKey(kind), kind.namespaced ? namespace : undefined, name);
    if (!o) throw notFound(groupResource(kind), name);
    return this.present(kind, o);
  }

  parseSelectors(kind: ResourceKind, opts: ListOptions): ParsedSelectors {
    try {
      const labels = opts.labelSelector ? parseLabelSelector(opts.labelSelector) : [];
      const fields = opts.fieldSelector ? parseFieldSelector(opts.fieldSelector) : [];
      const supported = new Set(['metadata.name', 'metadata.namespace']);
      for (const f of fields) {
        const extra = kind.selectableFields ? Object.keys(kind.selectableFields({ metadata: { name: '' } })) : [];
        if (!supported.has(f.field) && !extra.includes(f.field)) throw badRequest(`field label not supported: ${f.field}`);
      }
      return { labels, fields };
    } catch (e) {
      if (e instanceof SelectorParseError) throw badRequest(e.message);
      throw e;
    }
  }

  matches(kind: ResourceKind, obj: KubeObject, sel: ParsedSelectors): boolean {
    if (!labelsMatch(sel.labels, obj.metadata.labels)) return false;
    if (sel.fields.length === 0) return true;
    const fields = {
      'metadata.name': obj.metadata.name,
      'metadata.namespace': obj.metadata.namespace ?? '',
      ...(kind.selectableFields?.(obj) ?? {}),
    };
    return fieldsMatch(sel.fields, fields);
  }

  list(kind: ResourceKind, namespace: string | undefined, opts: ListOptions = {}): { items: KubeObject[]; resourceVersion: string } {
    const sel = this.parseSelectors(kind, opts);
    const items = this.store
      .list(storageKey(kind), kind.namespaced ? namespace : undefined)
      .filter((o) => this.matches(kind, o, sel))
      .map((o) => this.present(kind, o, false));
    return { items, resourceVersion: String(this.store.currentRevision) };
  }

  /** Decode a request body into an object of this kind (400 on anything else). */
  private decodeBody(kind: ResourceKind, body: unknown): KubeObject {
    if (!isObject(body)) throw badRequest(`Object '${kind.kind}' is missing in '${JSON.stringify(body)}'`);
    const o = structuredClone(body) as KubeObject;
    if (o.kind !== undefined && o.kind !== kind.kind) {
      throw badRequest(`${kind.kind} in version "${kind.version}" cannot be handled as a ${kind.kind}: no kind "${String(o.kind)}" is registered for version "${String(o.apiVersion ?? '')}" in scheme "pkg/api/legacyscheme/scheme.go:30"`);
    }
    if (o.apiVersion !== undefined && o.apiVersion !== apiVersionOf(kind)) {
      throw badRequest(`the API version in the data (${String(o.apiVersion)}) does not match the expected API version (${apiVersionOf(kind)})`);
    }
    if (!isObject(o.metadata)) o.metadata = { name: '' };
    o.kind = kind.kind;
    o.apiVersion = apiVersionOf(kind);
    kind.decode?.(o);
    return o;
  }

  private checkNamespace(kind: ResourceKind, o: KubeObject, namespace: string | undefined): void {
    if (kind.namespaced) {
      if (o.metadata.namespace && o.metadata.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      o.metadata.namespace = namespace;
    } else {
      delete o.metadata.namespace;
    }
  }

  private invalid(kind: ResourceKind, name: string, errs: FieldError[]): StatusError {
    return invalidError({ group: kind.group, kind: kind.kind }, name, errs);
  }

  create(kind: ResourceKind, namespace: string | undefined, body: unknown, user: UserInfo, opts: WriteOptions = {}): KubeObject {
    const ctx = this.context(user, opts.dryRun);
    const o = this.decodeBody(kind, body);
    if (kind.createVirtual) return this.present(kind, kind.createVirtual(o, ctx));
    this.checkNamespace(kind, o, namespace);
    if (o.metadata.resourceVersion) throw internalError('resourceVersion should not be set on objects to be created');
    // rest.BeforeCreate
    delete o.metadata.deletionTimestamp;
    delete o.metadata.deletionGracePeriodSeconds;
    kind.prepareForCreate?.(o, ctx);
    o.metadata.uid = randomUUID();
    o.metadata.creationTimestamp = rfc3339(this.clock.now()) as unknown as Date;
    const generated = !o.metadata.name && !!o.metadata.generateName;
    if (generated) o.metadata.name = generateName(o.metadata.generateName!);
    const errs = [...validateObjectMeta(o.metadata as never, kind.namespaced, kind.nameValidator), ...(kind.validate?.(o, ctx) ?? [])];
    if (errs.length) throw this.invalid(kind, o.metadata.name, errs);
    // NamespaceLifecycle admission.
    if (kind.namespaced && !this.store.get(storageKey(namespaceKind), undefined, namespace ?? '')) {
      throw notFound({ group: '', resource: 'namespaces' }, namespace ?? '');
    }
    kind.admit?.('CREATE', o, undefined, ctx);
    const key = storageKey(kind);
    for (let attempt = 1; this.store.get(key, o.metadata.namespace, o.metadata.name); attempt++) {
      if (!generated) throw alreadyExists(groupResource(kind), o.metadata.name);
      if (attempt >= MAX_GENERATE_NAME_ATTEMPTS) throw generateNameConflict(groupResource(kind), o.metadata.name, 1);
      o.metadata.name = generateName(o.metadata.generateName!);
    }
    if (opts.dryRun) return this.present(kind, o);
    return this.present(kind, this.store.create(key, o));
  }

  /** POST to a create-only subresource of a stored object (serviceaccounts/<name>/token). */
  createSubresource(kind: ResourceKind, namespace: string | undefined, name: string, subresource: string, body: unknown, user: UserInfo, opts: WriteOptions = {}): KubeObject {
    const strategy = kind.createSubresources?.[subresource];
    if (!strategy) throw notFound(groupResource(kind), name);
    const parent = this.store.get(storageKey(kind), kind.namespaced ? namespace : undefined, name);
    if (!parent) throw notFound(groupResource(kind), name);
    return strategy.create(structuredClone(parent), body, this.context(user, opts.dryRun));
  }

  /** PUT. Returns `created: true` when a kind that allows create-on-update was created (201). */
  update(
    kind: ResourceKind,
    namespace: string | undefined,
    name: string,
    body: unknown,
    user: UserInfo,
    opts: WriteOptions = {},
    subresource = '',
  ): { object: KubeObject; created: boolean } {
    const ctx = this.context(user, opts.dryRun);
    const o = this.decodeBody(kind, body);
    if (o.metadata.name !== name) {
      throw badRequest(`the name of the object (${o.metadata.name ?? ''}) does not match the name on the URL (${name})`);
    }
    this.checkNamespace(kind, o, namespace);
    const key = storageKey(kind);
    const existing = this.store.get(key, kind.namespaced ? namespace : undefined, name);
    if (!existing) {
      if (subresource || !kind.allowCreateOnUpdate) throw notFound(groupResource(kind), name);
      delete o.metadata.resourceVersion;
      return { object: this.create(kind, namespace, o, user, opts), created: true };
    }
    const sub = subresource ? kind.subresources?.[subresource] : undefined;
    if (subresource && !sub) throw notFound(groupResource(kind), name);
    if (o.metadata.resourceVersion && o.metadata.resourceVersion !== existing.metadata.resourceVersion) {
      throw conflict(groupResource(kind), name, OPTIMISTIC_LOCK_MSG);
    }
    // rest.BeforeUpdate: system fields come from the stored object.
    const errs: FieldError[] = [];
    if (o.metadata.uid && o.metadata.uid !== existing.metadata.uid) errs.push(invalid('metadata.uid', o.metadata.uid, 'field is immutable'));
    o.metadata.uid = existing.metadata.uid;
    o.metadata.creationTimestamp = existing.metadata.creationTimestamp;
    o.metadata.resourceVersion = existing.metadata.resourceVersion;
    if (existing.metadata.deletionTimestamp) o.metadata.deletionTimestamp = existing.metadata.deletionTimestamp;
    if (sub) {
      o.metadata = structuredClone(existing.metadata);
      sub.prepareForUpdate(o, existing, ctx);
    } else {
      kind.prepareForUpdate?.(o, existing, ctx);
    }
    errs.push(...validateObjectMeta(o.metadata as never, kind.namespaced, kind.nameValidator));
    errs.push(...(sub ? sub.validateUpdate(o, existing, ctx) : (kind.validateUpdate?.(o, existing, ctx) ?? [])));
    if (errs.length) throw this.invalid(kind, name, errs);
    if (sub) sub.admit?.(o, existing, ctx);
    else kind.admit?.('UPDATE', o, existing, ctx);
    const unchanged = JSON.stringify(orderObject(o, kind.fieldOrder)) === JSON.stringify(orderObject(existing, kind.fieldOrder));
    if (unchanged || opts.dryRun) return { object: this.present(kind, unchanged ? existing : o), created: false };
    return { object: this.present(kind, this.store.update(key, o)), created: false };
  }

  patch(
    kind: ResourceKind,
    namespace: string | undefined,
    name: string,
    contentType: string,
    patchBody: string,
    user: UserInfo,
    opts: WriteOptions = {},
    subresource = '',
  ): KubeObject {
    if (!(PATCH_TYPES as readonly string[]).includes(contentType)) throw unsupportedMediaType(PATCH_TYPES);
    const existing = this.store.get(storageKey(kind), kind.namespaced ? namespace : undefined, name);
    if (!existing) throw notFound(groupResource(kind), name);
    let patch: Json;
    try {
      patch = JSON.parse(patchBody) as Json;
    } catch (e) {
      throw badRequest(`error decoding patch: ${(e as Error).message}`);
    }
    const current = this.present(kind, existing) as unknown as JsonObject;
    let patched: Json;
    try {
      if (contentType === 'application/json-patch+json') patched = jsonPatch(current, patch);
      else if (contentType === 'application/merge-patch+json') patched = mergePatch(current, patch);
      else patched = strategicMergePatch(current, patch, kind.mergeKeys ?? {});
    } catch (e) {
      if (e instanceof PatchError) {
        throw new StatusError({ status: 'Failure', message: e.message, reason: 'Invalid', code: 422 });
      }
      throw e;
    }
    if (!isObject(patched)) throw badRequest('the patch produced something that is not an object');
    const meta = isObject(patched.metadata) ? patched.metadata : {};
    if (meta.name === undefined) meta.name = name;
    patched.metadata = meta;
    return this.update(kind, namespace, name, patched, user, opts, subresource).object;
  }

  delete(
    kind: ResourceKind,
    namespace: string | undefined,
    name: string,
    _user: UserInfo,
    opts: DeleteOptions = {},
  ): { object?: KubeObject; status?: StatusBody } {
    const key = storageKey(kind);
    const ns = kind.namespaced ? namespace : undefined;
    const existing = this.store.get(key, ns, name);
    if (!existing) throw notFound(groupResource(kind), name);
    const p = opts.preconditions;
    if (p?.uid && p.uid !== existing.metadata.uid) {
      throw conflict(groupResource(kind), name, `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${existing.metadata.uid ?? ''}`);
    }
    if (p?.resourceVersion && p.resourceVersion !== existing.metadata.resourceVersion) {
      throw conflict(
        groupResource(kind),
        name,
        `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion ?? ''}`,
      );
    }
    if (kind === namespaceKind) {
      // Namespace deletion is finalized at once: contents go with it (the namespace controller's job upstream).
      const terminating = structuredClone(existing);
      terminating.metadata.deletionTimestamp = rfc3339(this.clock.now()) as unknown as Date;
      terminating.status = { phase: 'Terminating' };
      if (!opts.dryRun) {
        for (const k of this.registry.kinds) {
          if (!k.namespaced || k.createVirtual) continue;
          for (const o of this.store.list(storageKey(k), name)) this.store.delete(storageKey(k), name, o.metadata.name);
        }
        this.store.delete(key, undefined, name);
      }
      return { object: this.present(kind, terminating) };
    }
    if (!opts.dryRun) this.store.delete(key, ns, name);
    return {
      status: {
        status: 'Success',
        details: { name, group: kind.group, kind: kind.plural, uid: existing.metadata.uid ?? '' },
      },
    };
  }
}
