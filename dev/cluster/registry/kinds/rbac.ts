/**
 * rbac.authorization.k8s.io/v1 Role, ClusterRole, RoleBinding, ClusterRoleBinding:
 * defaulting (apiGroup of User/Group subjects and of roleRef) and pkg/apis/rbac/validation.
 * RBAC escalation checks (the `escalate`/`bind` verbs) are not emulated.
 */
import { type FieldError, invalid, notSupported, required } from '../../apimachinery/field-errors.js';
import { isDNS1123Subdomain, isValidPathSegmentName } from '../../apimachinery/validation.js';
import { rfc3339 } from '../../clock.js';
import type { KubeObject } from '../../storage/store.js';
import type { ResourceKind } from '../types.js';
import { AGE_COLUMN, CREATED_AT_COLUMN, goSyntaxOf, isRecord } from './common.js';
import { ageOf } from './secret.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

interface Rule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}
interface Subject {
  kind?: string;
  apiGroup?: string;
  name?: string;
  namespace?: string;
}
interface RoleRef {
  apiGroup?: string;
  kind?: string;
  name?: string;
}

function validatePolicyRule(rule: Rule, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!rule.verbs?.length) errs.push(required(`${path}.verbs`, 'verbs must contain at least one value'));
  if (rule.nonResourceURLs?.length) {
    const value = { goSyntax: `[]string{${rule.nonResourceURLs.map((u) => JSON.stringify(u)).join(', ')}}` };
    if (namespaced) errs.push(invalid(`${path}.nonResourceURLs`, value, 'namespaced rules cannot apply to non-resource URLs'));
    if (rule.apiGroups?.length || rule.resources?.length || rule.resourceNames?.length) {
      errs.push(invalid(`${path}.nonResourceURLs`, value, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (!rule.apiGroups?.length) errs.push(required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
  if (!rule.resources?.length) errs.push(required(`${path}.resources`, 'resource rules must supply at least one resource'));
  return errs;
}

const rulesOf = (o: KubeObject): Rule[] => (Array.isArray(o.rules) ? (o.rules as Rule[]) : []);

function validateRole(o: KubeObject, namespaced: boolean): FieldError[] {
  return rulesOf(o).flatMap((r, i) => validatePolicyRule(r, namespaced, `rules[${i}]`));
}

function defaultBinding(o: KubeObject): void {
  const ref = (isRecord(o.roleRef) ? o.roleRef : {}) as RoleRef;
  if (!ref.apiGroup) ref.apiGroup = RBAC_GROUP;
  o.roleRef = { apiGroup: ref.apiGroup, kind: ref.kind, name: ref.name };
  if (Array.isArray(o.subjects)) {
    o.subjects = (o.subjects as Subject[]).map((s) => {
      const apiGroup = s.apiGroup ?? (s.kind === 'User' || s.kind === 'Group' ? RBAC_GROUP : undefined);
      const out: Subject = { kind: s.kind };
      if (apiGroup) out.apiGroup = apiGroup;
      out.name = s.name;
      if (s.namespace) out.namespace = s.namespace;
      return out;
    });
  }
}

function validateBinding(o: KubeObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = (isRecord(o.roleRef) ? o.roleRef : {}) as RoleRef;
  if (ref.apiGroup !== RBAC_GROUP) errs.push(notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind ?? '')) errs.push(notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) errs.push(required('roleRef.name'));
  else for (const msg of isValidPathSegmentName(ref.name)) errs.push(invalid('roleRef.name', ref.name, msg));
  const subjects = (Array.isArray(o.subjects) ? o.subjects : []) as Subject[];
  subjects.forEach((s, i) => {
    const path = `subjects[${i}]`;
    if (!s.name) errs.push(required(`${path}.name`));
    switch (s.kind) {
      case 'ServiceAccount':
        if (s.name) for (const msg of isDNS1123Subdomain(s.name)) errs.push(invalid(`${path}.name`, s.name, msg));
        if (s.apiGroup) errs.push(notSupported(`${path}.apiGroup`, s.apiGroup, ['']));
        if (!namespaced && !s.namespace) errs.push(required(`${path}.namespace`));
        break;
      case 'User':
      case 'Group':
        if (s.apiGroup !== RBAC_GROUP) errs.push(notSupported(`${path}.apiGroup`, s.apiGroup ?? '', [RBAC_GROUP]));
        break;
      default:
        errs.push(notSupported(`${path}.kind`, s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
    }
  });
  return errs;
}

function validateBindingUpdate(o: KubeObject, old: KubeObject, namespaced: boolean): FieldError[] {
  const errs = validateBinding(o, namespaced);
  if (JSON.stringify(o.roleRef) !== JSON.stringify(old.roleRef)) {
    errs.push(invalid('roleRef', { goSyntax: `rbac.RoleRef${goSyntaxOf(o.roleRef)}` }, 'cannot change roleRef'));
  }
  return errs;
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const createdAt = (o: KubeObject): string => {
  const ts = o.metadata.creationTimestamp as unknown;
  return ts ? rfc3339(new Date(ts as string)) : '';
};
const roleRefCell = (o: KubeObject): string => {
  const ref = (o.roleRef ?? {}) as RoleRef;
  return `${ref.kind ?? ''}/${ref.name ?? ''}`;
};
const bindingTable = {
  columns: [
    { name: 'Role', type: 'string' as const, description: 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.' },
    AGE_COLUMN,
  ],
  cells: (o: KubeObject, now: Date) => [roleRefCell(o), ageOf(o, now)],
};

const base = {
  group: RBAC_GROUP,
  version: 'v1',
  verbs: VERBS,
  nameValidator: isValidPathSegmentName,
  allowCreateOnUpdate: true,
};

export const roleKind: ResourceKind = {
  ...base,
  kind: 'Role',
  plural: 'roles',
  singular: 'role',
  namespaced: true,
  fieldOrder: ['rules'],
  validate: (o) => validateRole(o, true),
  validateUpdate: (o) => validateRole(o, true),
  table: { columns: [CREATED_AT_COLUMN], cells: (o) => [createdAt(o)] },
};

export const clusterRoleKind: ResourceKind = {
  ...base,
  kind: 'ClusterRole',
  plural: 'clusterroles',
  singular: 'clusterrole',
  namespaced: false,
  fieldOrder: ['rules', 'aggregationRule'],
  validate: (o) => validateRole(o, false),
  validateUpdate: (o) => validateRole(o, false),
  table: { columns: [CREATED_AT_COLUMN], cells: (o) => [createdAt(o)] },
};

export const roleBindingKind: ResourceKind = {
  ...base,
  kind: 'RoleBinding',
  plural: 'rolebindings',
  singular: 'rolebinding',
  namespaced: true,
  fieldOrder: ['subjects', 'roleRef'],
  prepareForCreate: defaultBinding,
  prepareForUpdate: defaultBinding,
  validate: (o) => validateBinding(o, true),
  validateUpdate: (o, old) => validateBindingUpdate(o, old, true),
  table: bindingTable,
};

export const clusterRoleBindingKind: ResourceKind = {
  ...base,
  kind: 'ClusterRoleBinding',
  plural: 'clusterrolebindings',
  singular: 'clusterrolebinding',
  namespaced: false,
  fieldOrder: ['subjects', 'roleRef'],
  prepareForCreate: defaultBinding,
  prepareForUpdate: defaultBinding,
  validate: (o) => validateBinding(o, false),
  validateUpdate: (o, old) => validateBindingUpdate(o, old, false),
  table: bindingTable,
};
