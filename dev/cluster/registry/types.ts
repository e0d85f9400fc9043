/**
 * What the generic API machinery needs to know about one kind: its REST identity, its strategy
 * (the registry's PrepareForCreate/Validate/PrepareForUpdate/ValidateUpdate hooks, as in
 * pkg/registry/<group>/<resource>/strategy.go), its subresources, admission and table columns.
 */
import type { FieldError } from '../apimachinery/field-errors.js';
import type { MergeKeys } from '../apimachinery/patch.js';
import type { NameValidator } from '../apimachinery/validation.js';
import type { Authorizer } from '../auth/authz/attributes.js';
import type { UserInfo } from '../auth/user.js';
import type { Clock } from '../clock.js';
import type { KubeObject, ObjectStore } from '../storage/store.js';

export interface OperationContext {
  readonly user: UserInfo;
  readonly clock: Clock;
  readonly dryRun: boolean;
  readonly store: ObjectStore;
  readonly authorizer: Authorizer;
}

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface SubresourceStrategy {
  /** Build the object to persist from the request body and the stored object. */
  prepareForUpdate(newObj: KubeObject, old: KubeObject, ctx: OperationContext): void;
  validateUpdate(newObj: KubeObject, old: KubeObject, ctx: OperationContext): FieldError[];
  /** Validating admission for this subresource (throws a StatusError to reject). */
  admit?(newObj: KubeObject, old: KubeObject, ctx: OperationContext): void;
  readonly verbs: readonly string[];
}

/**
 * A subresource that answers POST with an object of another kind, computed from the stored parent
 * (e.g. serviceaccounts/token → TokenRequest). Persists nothing.
 */
export interface CreateSubresourceStrategy {
  /** The answered kind, as discovery lists it. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  create(parent: KubeObject, body: unknown, ctx: OperationContext): KubeObject;
}

export interface TableColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'date';
  readonly format?: string;
  readonly description: string;
  readonly priority?: number;
}

export interface ResourceKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames?: readonly string[];
  readonly verbs: readonly string[];
  readonly categories?: readonly string[];
  /** Top-level fields after kind/apiVersion/metadata, in Go struct order. */
  readonly fieldOrder: readonly string[];
  readonly nameValidator: NameValidator;
  readonly mergeKeys?: MergeKeys;
  readonly allowCreateOnUpdate: boolean;
  /** Fields a fieldSelector may use besides metadata.name/metadata.namespace. */
  selectableFields?(obj: KubeObject): Record<string, string>;
  /** Wire → storage conversion of a request body (e.g. Secret stringData); throws a 400 StatusError. */
  decode?(obj: KubeObject): void;
  /** Defaulting plus PrepareForCreate. */
  prepareForCreate?(obj: KubeObject, ctx: OperationContext): void;
  validate?(obj: KubeObject, ctx: OperationContext): FieldError[];
  /** Defaulting plus PrepareForUpdate of the main resource. */
  prepareForUpdate?(newObj: KubeObject, old: KubeObject, ctx: OperationContext): void;
  validateUpdate?(newObj: KubeObject, old: KubeObject, ctx: OperationContext): FieldError[];
  /** Validating admission on create/update of the main resource (throws a StatusError). */
  admit?(op: Operation, obj: KubeObject, old: KubeObject | undefined, ctx: OperationContext): void;
  readonly subresources?: Readonly<Record<string, SubresourceStrategy>>;
  /** Subresources that only answer create (POST), e.g. serviceaccounts/token. */
  readonly createSubresources?: Readonly<Record<string, CreateSubresourceStrategy>>;
  /** Columns after Name and the cells for them (Name is always first). */
  readonly table?: {
    readonly columns: readonly TableColumn[];
    cells(obj: KubeObject, now: Date): unknown[];
  };
  /** For create-only virtual resources (reviews): compute the response, persist nothing. */
  createVirtual?(obj: KubeObject, ctx: OperationContext): KubeObject;
}

export const apiVersionOf = (k: ResourceKind): string => (k.group ? `${k.group}/${k.version}` : k.version);

/** Storage key: `resource` for core, `resource.group` otherwise. */
export const storageKey = (k: Pick<ResourceKind, 'group' | 'plural'>): string => (k.group ? `${k.plural}.${k.group}` : k.plural);

export const groupResource = (k: ResourceKind): { group: string; resource: string } => ({ group: k.group, resource: k.plural });
