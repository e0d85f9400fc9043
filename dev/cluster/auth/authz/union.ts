/**
 * The authorizer chain of a kubeadm API server (`--authorization-mode=Node,RBAC`) behind the
 * privileged-group short cut for `system:masters`
 * (staging/src/k8s.io/apiserver/pkg/authorization/authorizerfactory/builtin.go privilegedGroupAuthorizer,
 * .../union/union.go), and the 403 text of
 * staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go `forbiddenMessage`.
 */
import { forbiddenError, type StatusError } from '../../apimachinery/status.js';
import { goQuote } from '../../apimachinery/go-format.js';
import { MASTERS_GROUP } from '../user.js';
import type { Attributes, AuthorizationResult, Authorizer } from './attributes.js';

export class UnionAuthorizer implements Authorizer {
  constructor(private readonly authorizers: readonly Authorizer[]) {}

  authorize(a: Attributes): AuthorizationResult {
    if (a.user.groups.includes(MASTERS_GROUP)) return { decision: 'allow', reason: '' };
    const reasons: string[] = [];
    for (const z of this.authorizers) {
      const r = z.authorize(a);
      if (r.decision === 'allow' || r.decision === 'deny') return r;
      if (r.reason) reasons.push(r.reason);
    }
    return { decision: 'no-opinion', reason: reasons.join('\n') };
  }
}

export function forbiddenMessage(a: Attributes): string {
  const user = a.user.name;
  if (!a.isResourceRequest) return `User ${goQuote(user)} cannot ${a.verb} path ${goQuote(a.path)}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  if (a.namespace) {
    return `User ${goQuote(user)} cannot ${a.verb} resource ${goQuote(resource)} in API group ${goQuote(a.apiGroup)} in the namespace ${goQuote(a.namespace)}`;
  }
  return `User ${goQuote(user)} cannot ${a.verb} resource ${goQuote(resource)} in API group ${goQuote(a.apiGroup)} at the cluster scope`;
}

/** responsewriters.Forbidden: NewForbidden(group/resource, name, message[: reason]). */
export function forbiddenFor(a: Attributes, reason: string): StatusError {
  const msg = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a);
  const gr = a.isResourceRequest ? { group: a.apiGroup, resource: a.resource } : null;
  return forbiddenError(gr, a.isResourceRequest ? a.name : '', msg);
}
