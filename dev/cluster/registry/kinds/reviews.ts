/**
 * Create-only review resources answered by the same authorizer chain the API server uses
 * (pkg/registry/authorization/subjectaccessreview, selfsubjectaccessreview;
 * pkg/registry/authentication/selfsubjectreview). Nothing is stored.
 */
import { type FieldError, invalid } from '../../apimachinery/field-errors.js';
import { invalidError } from '../../apimachinery/status.js';
import type { Attributes } from '../../auth/authz/attributes.js';
import type { UserInfo } from '../../auth/user.js';
import type { KubeObject } from '../../storage/store.js';
import type { OperationContext, ResourceKind } from '../types.js';
import { isRecord } from './common.js';

interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}
interface NonResourceAttributes {
  path?: string;
  verb?: string;
}
interface ReviewSpec {
  resourceAttributes?: ResourceAttributes;
  nonResourceAttributes?: NonResourceAttributes;
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

function toAttributes(user: UserInfo, spec: ReviewSpec): Attributes {
  if (spec.resourceAttributes) {
    const r = spec.resourceAttributes;
    return {
      user,
      verb: r.verb ?? '',
      isResourceRequest: true,
      path: '',
      namespace: r.namespace ?? '',
      apiGroup: r.group ?? '',
      apiVersion: r.version ?? '',
      resource: r.resource ?? '',
      subresource: r.subresource ?? '',
      name: r.name ?? '',
    };
  }
  const n = spec.nonResourceAttributes ?? {};
  return {
    user,
    verb: n.verb ?? '',
    isResourceRequest: false,
    path: n.path ?? '',
    namespace: '',
    apiGroup: '',
    apiVersion: '',
    resource: '',
    subresource: '',
    name: '',
  };
}

function review(obj: KubeObject, user: UserInfo, ctx: OperationContext): KubeObject {
  const spec = (isRecord(obj.spec) ? obj.spec : {}) as ReviewSpec;
  const r = ctx.authorizer.authorize(toAttributes(user, spec));
  const status: Record<string, unknown> = { allowed: r.decision === 'allow' };
  if (r.decision === 'deny') status.denied = true;
  if (r.reason) status.reason = r.reason;
  return { ...obj, metadata: { ...obj.metadata, creationTimestamp: null as unknown as Date }, status };
}

function specErrors(kind: string, spec: ReviewSpec, needsUser: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const hasR = spec.resourceAttributes !== undefined && spec.resourceAttributes !== null;
  const hasN = spec.nonResourceAttributes !== undefined && spec.nonResourceAttributes !== null;
  if (hasR === hasN) {
    errs.push(invalid('spec.resourceAttributes', { goSyntax: 'nil' }, 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  }
  if (needsUser && !spec.user && !(spec.groups?.length ?? 0)) {
    errs.push(invalid('spec.user', spec.user ?? '', `at least one of user or group must be specified`));
  }
  void kind;
  return errs;
}

const createOnly = { verbs: ['create'], nameValidator: () => [], allowCreateOnUpdate: false, namespaced: false };

export const subjectAccessReviewKind: ResourceKind = {
  ...createOnly,
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'SubjectAccessReview',
  plural: 'subjectaccessreviews',
  singular: 'subjectaccessreview',
  fieldOrder: ['spec', 'status'],
  createVirtual(obj, ctx) {
    const spec = (isRecord(obj.spec) ? obj.spec : {}) as ReviewSpec;
    const errs = specErrors('SubjectAccessReview', spec, true);
    if (errs.length) throw invalidError({ group: 'authorization.k8s.io', kind: 'SubjectAccessReview' }, obj.metadata.name, errs);
    const user: UserInfo = { name: spec.user ?? '', uid: spec.uid, groups: spec.groups ?? [], extra: spec.extra };
    return review(obj, user, ctx);
  },
};

export const selfSubjectAccessReviewKind: ResourceKind = {
  ...createOnly,
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectAccessReview',
  plural: 'selfsubjectaccessreviews',
  singular: 'selfsubjectaccessreview',
  fieldOrder: ['spec', 'status'],
  createVirtual(obj, ctx) {
    const spec = (isRecord(obj.spec) ? obj.spec : {}) as ReviewSpec;
    const errs = specErrors('SelfSubjectAccessReview', spec, false);
    if (errs.length) throw invalidError({ group: 'authorization.k8s.io', kind: 'SelfSubjectAccessReview' }, obj.metadata.name, errs);
    return review(obj, ctx.user, ctx);
  },
};

export const selfSubjectReviewKind: ResourceKind = {
  ...createOnly,
  group: 'authentication.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectReview',
  plural: 'selfsubjectreviews',
  singular: 'selfsubjectreview',
  fieldOrder: ['status'],
  createVirtual(obj, ctx) {
    const userInfo: Record<string, unknown> = { username: ctx.user.name };
    if (ctx.user.uid) userInfo.uid = ctx.user.uid;
    userInfo.groups = [...ctx.user.groups];
    if (ctx.user.extra && Object.keys(ctx.user.extra).length) userInfo.extra = ctx.user.extra;
    return { ...obj, metadata: { ...obj.metadata, creationTimestamp: null as unknown as Date }, status: { userInfo } };
  },
};


