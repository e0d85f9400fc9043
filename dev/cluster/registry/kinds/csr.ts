/**
 * certificates.k8s.io/v1 CertificateSigningRequest:
 * - strategy (pkg/registry/certificates/certificates/strategy.go): create wipes client-set
 *   username/uid/groups/extra and fills them from the requester, and wipes status; plain updates
 *   keep spec and status; `/status` keeps spec; `/approval` keeps spec and certificate; both
 *   subresources populate condition timestamps (`populateConditionTimestamps`).
 * - validation (pkg/apis/certificates/validation/validation.go), messages and field paths as
 *   upstream, including the `[]byte{…}` rendering of an invalid request.
 * - admission: CertificateApproval (`approve` on signers, plugin/pkg/admission/certificates/
 *   approval), CertificateSigning (`sign` on signers, …/signing) and CertificateSubjectRestriction
 *   (…/subjectrestriction).
 */
import type { V1CertificateSigningRequest, V1CertificateSigningRequestCondition } from '@kubernetes/client-node';
import { humanDuration } from '../../apimachinery/duration.js';
import { type FieldError, duplicate, forbidden, invalid, notSupported, required } from '../../apimachinery/field-errors.js';
import { badRequest, forbiddenError } from '../../apimachinery/status.js';
import { isDNS1123Subdomain } from '../../apimachinery/validation.js';
import { type Authorizer, resourceAttributes } from '../../auth/authz/attributes.js';
import type { UserInfo } from '../../auth/user.js';
import { rfc3339 } from '../../clock.js';
import { checkCsrSignature, decodeAllPem, parseCsrPem } from '../../pki/csr.js';
import { ALL_VALID_USAGES } from '../../pki/usages.js';
import type { KubeObject } from '../../storage/store.js';
import type { OperationContext, ResourceKind } from '../types.js';
import { ageOf, base64Error } from './secret.js';

export const KUBE_APISERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
export const KUBELET_SERVING_SIGNER = 'kubernetes.io/kubelet-serving';
export const LEGACY_UNKNOWN_SIGNER = 'kubernetes.io/legacy-unknown';

type Csr = V1CertificateSigningRequest & KubeObject;
const asCsr = (o: KubeObject): Csr => o as Csr;
const GR = { group: 'certificates.k8s.io', resource: 'certificatesigningrequests' };

/** `%#v` of a []byte, as field.Error prints spec.request. */
export function goBytes(b: Buffer | undefined): string {
  if (!b) return '[]byte(nil)';
  return `[]byte{${[...b].map((x) => `0x${x.toString(16)}`).join(', ')}}`;
}

const requestBytes = (c: Csr): Buffer | undefined => (typeof c.spec?.request === 'string' ? Buffer.from(c.spec.request, 'base64') : undefined);
const certificateBytes = (c: Csr): Buffer => (typeof c.status?.certificate === 'string' ? Buffer.from(c.status.certificate, 'base64') : Buffer.alloc(0));
const conditionsOf = (c: Csr): V1CertificateSigningRequestCondition[] => c.status?.conditions ?? [];
const findConditions = (c: Csr, type: string): V1CertificateSigningRequestCondition[] => conditionsOf(c).filter((x) => x.type === type);

/** validateCertificate: status.certificate must be ≥1 CERTIFICATE PEM block without headers. */
function validateCertificate(pem: Buffer): string | undefined {
  if (pem.length === 0) return undefined;
  const blocks = decodeAllPem(pem.toString('latin1'));
  if (blocks.length === 0) return 'must contain at least one CERTIFICATE PEM block';
  for (const b of blocks) {
    if (b.type !== 'CERTIFICATE') return `only CERTIFICATE PEM blocks are allowed, found "${b.type}"`;
    if (b.headers) return 'no PEM block headers are permitted';
  }
  return undefined;
}

/** apivalidation.ValidateSignerName */
function validateSignerName(field: string, signerName: string): FieldError[] {
  if (signerName.length === 0) return [required(field)];
  const segments = signerName.split('/');
  if (segments.length !== 2) {
    return [invalid(field, signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'")];
  }
  const errs: FieldError[] = [];
  const [domain, path] = segments as [string, string];
  if (domain.length > 253) errs.push({ type: 'FieldValueTooLong', field, badValue: '', detail: 'may not be more than 253 bytes' });
  for (const msg of isDNS1123Subdomain(domain)) errs.push(invalid(field, domain, msg));
  if (!domain.includes('.')) errs.push(invalid(field, domain, 'should be a domain with at least two segments separated by dots'));
  if (path.length === 0) errs.push(invalid(field, signerName, 'signerName path component must not be empty'));
  return errs;
}

interface Options {
  allowSettingApprovalConditions: boolean;
  allowSettingCertificate: boolean;
}

function validateCsr(c: Csr, old: Csr | undefined, opts: Options): FieldError[] {
  const errs: FieldError[] = [];
  const request = requestBytes(c);
  const parsed = parseCsrPem(request ? request.toString('latin1') : '');
  const requestError = parsed.ok ? checkCsrSignature(parsed.csr) : parsed.error;
  if (requestError) errs.push(invalid('spec.request', { goSyntax: goBytes(request) }, requestError));
  const usages = c.spec?.usages ?? [];
  if (usages.length === 0) errs.push(required('spec.usages'));
  const oldUsages = old?.spec?.usages ?? [];
  if (!oldUsages.some((u) => !ALL_VALID_USAGES.includes(u))) {
    usages.forEach((u, i) => {
      if (!ALL_VALID_USAGES.includes(u)) errs.push(notSupported(`spec.usages[${i}]`, u, ALL_VALID_USAGES));
    });
  }
  if (new Set(oldUsages).size === oldUsages.length) {
    const seen = new Set<string>();
    usages.forEach((u, i) => {
      if (seen.has(u)) errs.push(duplicate(`spec.usages[${i}]`, u));
      seen.add(u);
    });
  }
  const signerName = c.spec?.signerName ?? '';
  if (signerName === LEGACY_UNKNOWN_SIGNER && old?.spec?.signerName !== LEGACY_UNKNOWN_SIGNER) {
    errs.push(invalid('spec.signerName', signerName, 'the legacy signerName is not allowed via this API version'));
  } else {
    errs.push(...validateSignerName('spec.signerName', signerName));
  }
  const exp = c.spec?.expirationSeconds;
  if (exp !== undefined && exp !== null && exp < 600) {
    errs.push(invalid('spec.expirationSeconds', exp, 'may not specify a duration less than 600 seconds (10 minutes)'));
  }
  errs.push(...validateConditions(c, old));
  const cert = certificateBytes(c);
  const allowArbitrary = old !== undefined && (cert.equals(certificateBytes(old)) || validateCertificate(certificateBytes(old)) !== undefined);
  if (!allowArbitrary) {
    const e = validateCertificate(cert);
    if (e) errs.push(invalid('status.certificate', '<certificate data>', e));
  }
  if (old) {
    for (const t of ['Approved', 'Denied', 'Failed']) {
      if (findConditions(c, t).length < findConditions(old, t).length) {
        errs.push(forbidden('status.conditions', `updates may not remove a condition of type "${t}"`));
      }
    }
    if (!opts.allowSettingApprovalConditions) {
      for (const t of ['Approved', 'Denied']) {
        const o = findConditions(old, t);
        const n = findConditions(c, t);
        if (n.length > o.length) errs.push(forbidden('status.conditions', `updates may not add a condition of type "${t}"`));
        else if (n.length === o.length && JSON.stringify(n) !== JSON.stringify(o)) {
          errs.push(forbidden('status.conditions', `updates may not modify a condition of type "${t}"`));
        }
      }
    }
    if (!cert.equals(certificateBytes(old))) {
      if (!opts.allowSettingCertificate) errs.push(forbidden('status.certificate', 'updates may not set certificate content'));
      else if (certificateBytes(old).length > 0) errs.push(forbidden('status.certificate', 'updates may not modify existing certificate content'));
    }
  }
  return errs;
}

const TRUE_ONLY = new Set(['Approved', 'Denied', 'Failed']);

function validateConditions(c: Csr, old: Csr | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const oldConds = old ? conditionsOf(old) : [];
  const allowBoth = oldConds.some((x) => x.type === 'Approved') && oldConds.some((x) => x.type === 'Denied');
  const oldTypes = oldConds.map((x) => x.type);
  const allowDuplicateTypes = new Set(oldTypes).size !== oldTypes.length;
  const allowEmptyType = oldTypes.some((t) => !t);
  const seen = new Set<string>();
  let approved = false;
  let denied = false;
  conditionsOf(c).forEach((cond, i) => {
    const path = `status.conditions[${i}]`;
    if (!allowEmptyType && !cond.type) errs.push(required(`${path}.type`));
    const allowed = TRUE_ONLY.has(cond.type) ? ['True'] : ['False', 'True', 'Unknown'];
    if (!cond.status) errs.push(required(`${path}.status`));
    else if (!allowed.includes(cond.status)) errs.push(notSupported(`${path}.status`, cond.status, allowed));
    if (!allowBoth) {
      if (cond.type === 'Approved') {
        approved = true;
        if (denied) errs.push(invalid('status.conditions', cond.type, 'Approved and Denied conditions are mutually exclusive'));
      } else if (cond.type === 'Denied') {
        denied = true;
        if (approved) errs.push(invalid('status.conditions', cond.type, 'Approved and Denied conditions are mutually exclusive'));
      }
    }
    if (!allowDuplicateTypes) {
      if (seen.has(cond.type)) errs.push(duplicate(`${path}.type`, cond.type));
      seen.add(cond.type);
    }
  });
  return errs;
}

/** populateConditionTimestamps, plus Go struct field order for each condition. */
function populateConditionTimestamps(c: Csr, old: Csr, now: Date): void {
  if (!c.status?.conditions) return;
  const ts = rfc3339(now);
  c.status.conditions = c.status.conditions.map((raw) => {
    const cond = raw as V1CertificateSigningRequestCondition & { lastUpdateTime?: unknown; lastTransitionTime?: unknown };
    const lastUpdateTime = cond.lastUpdateTime ? String(cond.lastUpdateTime) : ts;
    let lastTransitionTime = cond.lastTransitionTime ? String(cond.lastTransitionTime) : undefined;
    if (!lastTransitionTime) {
      const prior = conditionsOf(old).find((o) => o.type === cond.type && o.status === cond.status && o.lastTransitionTime);
      lastTransitionTime = prior ? String(prior.lastTransitionTime) : ts;
    }
    const out: Record<string, unknown> = { type: cond.type, status: cond.status };
    if (cond.reason) out.reason = cond.reason;
    if (cond.message) out.message = cond.message;
    out.lastUpdateTime = lastUpdateTime;
    out.lastTransitionTime = lastTransitionTime;
    return out as unknown as V1CertificateSigningRequestCondition;
  });
}

/** certadmission.IsAuthorizedForSignerName: exact signer name, then the `domain/*` wildcard. */
export function isAuthorizedForSignerName(authz: Authorizer, user: UserInfo, verb: string, signerName: string): boolean {
  const attrs = (name: string) =>
    resourceAttributes(user, { verb, group: 'certificates.k8s.io', resource: 'signers', name });
  if (authz.authorize(attrs(signerName)).decision === 'allow') return true;
  const slash = signerName.indexOf('/');
  if (slash < 0) return false;
  return authz.authorize(attrs(`${signerName.slice(0, slash)}/*`)).decision === 'allow';
}

const SPEC_ORDER = ['request', 'signerName', 'expirationSeconds', 'usages', 'username', 'uid', 'groups', 'extra'];
function orderSpec(c: Csr): void {
  if (!c.spec) return;
  const spec = c.spec as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of SPEC_ORDER) if (spec[k] !== undefined) out[k] = spec[k];
  for (const [k, v] of Object.entries(spec)) if (!(k in out)) out[k] = v;
  c.spec = out as unknown as Csr['spec'];
}

export function csrCondition(c: KubeObject): string {
  const conds = conditionsOf(asCsr(c));
  let s = conds.some((x) => x.type === 'Denied') ? 'Denied' : conds.some((x) => x.type === 'Approved') ? 'Approved' : 'Pending';
  if (conds.some((x) => x.type === 'Failed')) s += ',Failed';
  if (certificateBytes(asCsr(c)).length > 0) s += ',Issued';
  return s;
}

export const csrKind: ResourceKind = {
  group: 'certificates.k8s.io',
  version: 'v1',
  kind: 'CertificateSigningRequest',
  plural: 'certificatesigningrequests',
  singular: 'certificatesigningrequest',
  namespaced: false,
  shortNames: ['csr'],
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  fieldOrder: ['spec', 'status'],
  // ValidateCertificateRequestName: "We don't care what you call your certificate requests."
  nameValidator: () => [],
  allowCreateOnUpdate: false,
  selectableFields: (o) => ({ 'spec.signerName': String(asCsr(o).spec?.signerName ?? '') }),
  decode(obj) {
    const c = asCsr(obj);
    if (c.spec && typeof c.spec.request === 'string') {
      const e = base64Error(c.spec.request);
      if (e) throw badRequest(`CertificateSigningRequest in version "v1" cannot be handled as a CertificateSigningRequest: ${e}`);
    }
    if (c.status && typeof c.status.certificate === 'string') {
      const e = base64Error(c.status.certificate);
      if (e) throw badRequest(`CertificateSigningRequest in version "v1" cannot be handled as a CertificateSigningRequest: ${e}`);
    }
  },
  prepareForCreate(obj, ctx) {
    const c = asCsr(obj);
    const spec = (c.spec ?? {}) as unknown as Record<string, unknown>;
    delete spec.username;
    delete spec.uid;
    delete spec.groups;
    delete spec.extra;
    spec.username = ctx.user.name;
    if (ctx.user.uid) spec.uid = ctx.user.uid;
    spec.groups = [...ctx.user.groups];
    if (ctx.user.extra && Object.keys(ctx.user.extra).length > 0) spec.extra = structuredClone(ctx.user.extra);
    c.spec = spec as unknown as Csr['spec'];
    orderSpec(c);
    // "Be explicit that users cannot create pre-approved certificate requests."
    c.status = {};
  },
  validate: (obj) => validateCsr(asCsr(obj), undefined, { allowSettingApprovalConditions: false, allowSettingCertificate: false }),
  prepareForUpdate(obj, old) {
    obj.spec = old.spec;
    obj.status = old.status;
  },
  validateUpdate: (obj, old) =>
    validateCsr(asCsr(obj), asCsr(old), { allowSettingApprovalConditions: false, allowSettingCertificate: false }),
  admit(op, obj) {
    const c = asCsr(obj);
    if (op !== 'CREATE' || c.spec?.signerName !== KUBE_APISERVER_CLIENT_SIGNER) return;
    const parsed = parseCsrPem(requestBytes(c)?.toString('latin1') ?? '');
    if (!parsed.ok) throw forbiddenError(GR, obj.metadata.name, `failed to parse CSR: ${parsed.error}`);
    if (parsed.csr.organization.includes('system:masters')) {
      throw forbiddenError(GR, obj.metadata.name, `use of ${KUBE_APISERVER_CLIENT_SIGNER} signer with system:masters group is not allowed`);
    }
  },
  subresources: {
    status: {
      verbs: ['get', 'patch', 'update'],
      prepareForUpdate(obj, old, ctx) {
        obj.spec = old.spec;
        populateConditionTimestamps(asCsr(obj), asCsr(old), ctx.clock.now());
      },
      validateUpdate: (obj, old) =>
        validateCsr(asCsr(obj), asCsr(old), { allowSettingApprovalConditions: false, allowSettingCertificate: true }),
      admit(obj, old, ctx: OperationContext) {
        if (certificateBytes(asCsr(obj)).equals(certificateBytes(asCsr(old)))) return;
        const signer = asCsr(old).spec?.signerName ?? '';
        if (!isAuthorizedForSignerName(ctx.authorizer, ctx.user, 'sign', signer)) {
          throw forbiddenError(GR, obj.metadata.name, `user not permitted to sign requests with signerName "${signer}"`);
        }
      },
    },
    approval: {
      verbs: ['get', 'patch', 'update'],
      prepareForUpdate(obj, old, ctx) {
        const c = asCsr(obj);
        const o = asCsr(old);
        c.spec = o.spec;
        const status = (c.status ?? {}) as Record<string, unknown>;
        if (o.status?.certificate) status.certificate = o.status.certificate;
        else delete status.certificate;
        c.status = status as Csr['status'];
        populateConditionTimestamps(c, o, ctx.clock.now());
      },
      validateUpdate: (obj, old) =>
        validateCsr(asCsr(obj), asCsr(old), { allowSettingApprovalConditions: true, allowSettingCertificate: false }),
      admit(obj, _old, ctx: OperationContext) {
        const signer = asCsr(obj).spec?.signerName ?? '';
        if (!isAuthorizedForSignerName(ctx.authorizer, ctx.user, 'approve', signer)) {
          throw forbiddenError(GR, obj.metadata.name, `user not permitted to approve requests with signerName "${signer}"`);
        }
      },
    },
  },
  table: {
    columns: [
      { name: 'Age', type: 'string', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' },
      { name: 'SignerName', type: 'string', description: 'Only used to be able to filter by signerName in kubectl.' },
      { name: 'Requestor', type: 'string', description: 'Request approval state, currently Approved or Denied.' },
      { name: 'RequestedDuration', type: 'string', description: 'Requested certificate duration.' },
      { name: 'Condition', type: 'string', description: 'Request approval state, currently Approved or Denied.' },
    ],
    cells: (o, now) => {
      const c = asCsr(o);
      const exp = c.spec?.expirationSeconds;
      return [
        ageOf(o, now),
        c.spec?.signerName ?? '',
        c.spec?.username ?? '',
        exp === undefined || exp === null ? '<none>' : humanDuration(exp * 1000),
        csrCondition(o),
      ];
    },
  },
};

