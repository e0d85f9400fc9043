/** The kinds this emulator serves, and lookups by REST identity. */
import { configMapKind } from './kinds/configmap.js';
import { csrKind } from './kinds/csr.js';
import { namespaceKind } from './kinds/namespace.js';
import { nodeKind } from './kinds/node.js';
import { clusterRoleBindingKind, clusterRoleKind, roleBindingKind, roleKind } from './kinds/rbac.js';
import { selfSubjectAccessReviewKind, selfSubjectReviewKind, subjectAccessReviewKind } from './kinds/reviews.js';
import { secretKind } from './kinds/secret.js';
import { serviceAccountKind } from './kinds/serviceaccount.js';
import type { ResourceKind } from './types.js';

export const ALL_KINDS: readonly ResourceKind[] = [
  namespaceKind,
  secretKind,
  configMapKind,
  serviceAccountKind,
  nodeKind,
  csrKind,
  roleKind,
  clusterRoleKind,
  roleBindingKind,
  clusterRoleBindingKind,
  subjectAccessReviewKind,
  selfSubjectAccessReviewKind,
  selfSubjectReviewKind,
];

export class Registry {
  constructor(readonly kinds: readonly ResourceKind[] = ALL_KINDS) {}

  find(group: string, version: string, plural: string): ResourceKind | undefined {
    return this.kinds.find((k) => k.group === group && k.version === version && k.plural === plural);
  }

  byKind(group: string, kind: string): ResourceKind | undefined {
    return this.kinds.find((k) => k.group === group && k.kind === kind);
  }

  /** Group → versions, in registration order (core group is ''). */
  groups(): Map<string, string[]> {
    const m = new Map<string, string[]>();
    for (const k of this.kinds) {
      const versions = m.get(k.group) ?? [];
      if (!versions.includes(k.version)) versions.push(k.version);
      m.set(k.group, versions);
    }
    return m;
  }
}
