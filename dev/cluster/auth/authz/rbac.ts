/**
 * The RBAC authorizer, plugin/pkg/auth/authorizer/rbac/rbac.go with the rule walk of
 * pkg/registry/rbac/validation/rule.go (`VisitRulesFor`: ClusterRoleBindings first, then
 * RoleBindings of the request's namespace; `appliesTo` for User/Group/ServiceAccount subjects) and
 * the matchers of pkg/apis/rbac/v1/evaluation_helpers.go (`VerbMatches`, `APIGroupMatches`,
 * `ResourceMatches` incl. the `*` + `/sub` form, `ResourceNameMatches`, `NonResourceURLMatches` with trailing `*`).
 * It reads the live store on every decision, so bindings take effect immediately.
 * A binding whose role is missing contributes an error that becomes the 403's `RBAC: …` suffix.
 */
import { serviceAccountUsername, type UserInfo } from '../user.js';
import type { KubeObject, ObjectStore } from '../../storage/store.js';
import type { Attributes, AuthorizationResult, Authorizer } from './attributes.js';

export interface PolicyRule {
  readonly verbs?: readonly string[];
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

const has = (list: readonly string[] | undefined, v: string): boolean => (list ?? []).includes(v);

export const verbMatches = (r: PolicyRule, verb: string): boolean => has(r.verbs, '*') || has(r.verbs, verb);
export const apiGroupMatches = (r: PolicyRule, group: string): boolean => has(r.apiGroups, '*') || has(r.apiGroups, group);

export function resourceMatches(r: PolicyRule, combined: string, subresource: string): boolean {
  for (const res of r.resources ?? []) {
    if (res === '*' || res === combined) return true;
    if (subresource && res.length === subresource.length + 2 && res.startsWith('*/') && res.endsWith(subresource)) return true;
  }
  return false;
}

export const resourceNameMatches = (r: PolicyRule, name: string): boolean =>
  !r.resourceNames || r.resourceNames.length === 0 || r.resourceNames.includes(name);

export function nonResourceURLMatches(r: PolicyRule, path: string): boolean {
  for (const u of r.nonResourceURLs ?? []) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

/** rbac.RuleAllows */
export function ruleAllows(a: Attributes, r: PolicyRule): boolean {
  if (a.isResourceRequest) {
    const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    return verbMatches(r, a.verb) && apiGroupMatches(r, a.apiGroup) && resourceMatches(r, combined, a.subresource) && resourceNameMatches(r, a.name);
  }
  return verbMatches(r, a.verb) && nonResourceURLMatches(r, a.path);
}

export const rulesAllow = (a: Attributes, rules: readonly PolicyRule[]): boolean => rules.some((r) => ruleAllows(a, r));

/** appliesToUser */
function appliesTo(user: UserInfo, s: Subject, namespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return user.name === s.name;
    case 'Group':
      return user.groups.includes(s.name ?? '');
    case 'ServiceAccount': {
      const ns = s.namespace || namespace;
      if (!ns) return false;
      return user.name === serviceAccountUsername(ns, s.name ?? '');
    }
    default:
      return false;
  }
}

export class RbacAuthorizer implements Authorizer {
  constructor(private readonly store: ObjectStore) {}

  /** GetRoleReferenceRules: the rules behind a binding's roleRef, or the lister's NotFound text. */
  private roleRules(ref: { kind?: string; name?: string } | undefined, namespace: string): PolicyRule[] | string {
    const name = ref?.name ?? '';
    if (ref?.kind === 'ClusterRole') {
      const role = this.store.get('clusterroles.rbac.authorization.k8s.io', undefined, name);
      return role ? ((role.rules as PolicyRule[]) ?? []) : `clusterrole.rbac.authorization.k8s.io "${name}" not found`;
    }
    if (ref?.kind === 'Role') {
      const role = this.store.get('roles.rbac.authorization.k8s.io', namespace, name);
      return role ? ((role.rules as PolicyRule[]) ?? []) : `role.rbac.authorization.k8s.io "${name}" not found`;
    }
    return `unsupported role reference kind: "${ref?.kind ?? ''}"`;
  }

  /** VisitRulesFor, stopping at the first allowing rule. */
  authorize(a: Attributes): AuthorizationResult {
    const errors: string[] = [];
    const visit = (bindings: KubeObject[], namespace: string): boolean => {
      for (const b of bindings) {
        const subjects = (b.subjects as Subject[] | undefined) ?? [];
        if (!subjects.some((s) => appliesTo(a.user, s, namespace))) continue;
        const rules = this.roleRules(b.roleRef as { kind?: string; name?: string }, namespace);
        if (typeof rules === 'string') {
          errors.push(rules);
          continue;
        }
        if (rulesAllow(a, rules)) return true;
      }
      return false;
    };
    if (visit(this.store.list('clusterrolebindings.rbac.authorization.k8s.io'), '')) return { decision: 'allow', reason: '' };
    if (a.namespace && visit(this.store.list('rolebindings.rbac.authorization.k8s.io', a.namespace), a.namespace)) {
      return { decision: 'allow', reason: '' };
    }
    const reason = errors.length === 0 ? '' : `RBAC: ${errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`}`;
    return { decision: 'no-opinion', reason };
  }

  /** All rules that apply to a user in a namespace (for SelfSubjectRulesReview-like inspection). */
  rulesFor(user: UserInfo, namespace: string): PolicyRule[] {
    const out: PolicyRule[] = [];
    const collect = (bindings: KubeObject[], ns: string): void => {
      for (const b of bindings) {
        const subjects = (b.subjects as Subject[] | undefined) ?? [];
        if (!subjects.some((s) => appliesTo(user, s, ns))) continue;
        const rules = this.roleRules(b.roleRef as { kind?: string; name?: string }, ns);
        if (typeof rules !== 'string') out.push(...rules);
      }
    };
    collect(this.store.list('clusterrolebindings.rbac.authorization.k8s.io'), '');
    if (namespace) collect(this.store.list('rolebindings.rbac.authorization.k8s.io', namespace), namespace);
    return out;
  }
}
