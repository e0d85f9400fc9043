/**
 * A subset of the Node authorizer (plugin/pkg/auth/authorizer/node/node_authorizer.go): requests
 * from `system:node:<name>` in group `system:nodes` are checked against the static node rules of
 * bootstrappolicy.NodeRules() for the resources this emulator serves. The object graph part
 * (secrets/configmaps reachable through pods bound to the node) is not emulated: those requests
 * get no opinion here and fall through to RBAC, which a kubeadm cluster does not grant to nodes.
 */
import { NODE_USER_PREFIX, NODES_GROUP } from '../user.js';
import type { Attributes, AuthorizationResult, Authorizer } from './attributes.js';
import { type PolicyRule, rulesAllow } from './rbac.js';

/** plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go NodeRules(), the parts that apply here. */
export const NODE_RULES: readonly PolicyRule[] = [
  { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'] },
  { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews', 'localsubjectaccessreviews'] },
  { verbs: ['create', 'get', 'list', 'watch'], apiGroups: [''], resources: ['nodes'] },
  { verbs: ['update', 'patch'], apiGroups: [''], resources: ['nodes/status'] },
  { verbs: ['update', 'patch'], apiGroups: [''], resources: ['nodes'] },
  // "Needed for TLS bootstrapping": kubelets create, read and watch their own CSRs.
  { verbs: ['create', 'get', 'list', 'watch'], apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'] },
];

export const nodeNameOf = (name: string, groups: readonly string[]): string | undefined =>
  groups.includes(NODES_GROUP) && name.startsWith(NODE_USER_PREFIX) ? name.slice(NODE_USER_PREFIX.length) : undefined;

export class NodeAuthorizer implements Authorizer {
  authorize(a: Attributes): AuthorizationResult {
    const node = nodeNameOf(a.user.name, a.user.groups);
    if (node === undefined || !a.isResourceRequest) return { decision: 'no-opinion', reason: '' };
    if (rulesAllow(a, NODE_RULES)) return { decision: 'allow', reason: '' };
    return { decision: 'no-opinion', reason: '' };
  }
}
