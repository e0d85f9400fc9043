/**
 * What setup does with an object that already exists: compare only what setup owns (its labels,
 * a role's rules, a binding's roleRef and subjects, the token Secret's type and owner), so a
 * second run changes nothing and fields other tools add (annotations, managedFields, a
 * ServiceAccount's secrets) are left alone. Pure.
 */
import type { RbacV1Subject, V1PolicyRule } from '@kubernetes/client-node';

export interface ObjectLike {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string };
  rules?: V1PolicyRule[];
  roleRef?: { apiGroup: string; kind: string; name: string };
  subjects?: RbacV1Subject[];
  type?: string;
}

export type Reconciliation<T> =
  | { readonly action: 'unchanged' }
  /** Replace with `merged` (the existing object, carrying its resourceVersion, with setup's fields). */
  | { readonly action: 'update'; readonly merged: T; readonly fields: readonly string[] }
  /** roleRef is immutable: the binding must be deleted and created again. */
  | { readonly action: 'recreate'; readonly reason: string }
  /** Setup must not take this object over; the operator has to decide. */
  | { readonly action: 'conflict'; readonly reason: string };

const RBAC_GROUP = 'rbac.authorization.k8s.io';

const normalRule = (r: V1PolicyRule) => ({
  apiGroups: r.apiGroups ?? [],
  resources: r.resources ?? [],
  resourceNames: r.resourceNames ?? [],
  nonResourceURLs: r.nonResourceURLs ?? [],
  verbs: r.verbs ?? [],
});

// The API server defaults a subject's apiGroup ("" for ServiceAccount, rbac for User/Group).
const normalSubject = (s: RbacV1Subject) => ({
  kind: s.kind,
  apiGroup: s.apiGroup ?? (s.kind === 'ServiceAccount' ? '' : RBAC_GROUP),
  name: s.name,
  namespace: s.namespace ?? '',
});

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export function reconcile<T extends ObjectLike>(desired: T, existing: T): Reconciliation<T> {
  if (desired.kind === 'Secret') {
    if (existing.type !== desired.type) return { action: 'conflict', reason: `it exists with type ${existing.type ?? '(none)'}, not ${desired.type ?? ''}` };
    const owner = 'kubernetes.io/service-account.name';
    if (existing.metadata?.annotations?.[owner] !== desired.metadata?.annotations?.[owner]) {
      return { action: 'conflict', reason: `it holds the token of ServiceAccount "${existing.metadata?.annotations?.[owner] ?? ''}"` };
    }
  }
  if (desired.roleRef !== undefined && !same(desired.roleRef, existing.roleRef)) {
    return { action: 'recreate', reason: `roleRef is ${existing.roleRef?.kind ?? '?'} ${existing.roleRef?.name ?? '?'}, want ${desired.roleRef.kind} ${desired.roleRef.name} (immutable)` };
  }
  const merged = structuredClone(existing);
  const fields: string[] = [];
  const labels = desired.metadata?.labels ?? {};
  if (Object.entries(labels).some(([k, v]) => existing.metadata?.labels?.[k] !== v)) {
    merged.metadata = { ...merged.metadata, labels: { ...existing.metadata?.labels, ...labels } };
    fields.push('metadata.labels');
  }
  if (desired.rules !== undefined && !same(desired.rules.map(normalRule), (existing.rules ?? []).map(normalRule))) {
    merged.rules = structuredClone(desired.rules);
    fields.push('rules');
  }
  if (desired.subjects !== undefined && !same(desired.subjects.map(normalSubject), (existing.subjects ?? []).map(normalSubject))) {
    merged.subjects = structuredClone(desired.subjects);
    fields.push('subjects');
  }
  return fields.length === 0 ? { action: 'unchanged' } : { action: 'update', merged, fields };
}
