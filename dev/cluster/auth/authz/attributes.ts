/**
 * authorizer.Attributes (staging/src/k8s.io/apiserver/pkg/authorization/authorizer/interfaces.go)
 * and the decision the union of authorizers returns.
 */
import type { UserInfo } from '../user.js';

export interface Attributes {
  readonly user: UserInfo;
  readonly verb: string;
  readonly isResourceRequest: boolean;
  /** Non-resource requests: the URL path. */
  readonly path: string;
  readonly namespace: string;
  readonly apiGroup: string;
  readonly apiVersion: string;
  readonly resource: string;
  readonly subresource: string;
  readonly name: string;
}

export type Decision = 'allow' | 'deny' | 'no-opinion';

export interface AuthorizationResult {
  readonly decision: Decision;
  /** Appended to the 403 message after `: ` when non-empty (e.g. RBAC role lookup errors). */
  readonly reason: string;
}

export interface Authorizer {
  authorize(attrs: Attributes): AuthorizationResult;
}

export const resourceAttributes = (
  user: UserInfo,
  a: { verb: string; group: string; resource: string; subresource?: string; namespace?: string; name?: string; version?: string },
): Attributes => ({
  user,
  verb: a.verb,
  isResourceRequest: true,
  path: '',
  namespace: a.namespace ?? '',
  apiGroup: a.group,
  apiVersion: a.version ?? '*',
  resource: a.resource,
  subresource: a.subresource ?? '',
  name: a.name ?? '',
});
