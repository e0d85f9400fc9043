/**
 * metav1.Status errors, built like the constructors in
 * staging/src/k8s.io/apimachinery/pkg/api/errors/errors.go and serialised with the field order
 * of the Go struct (kind, apiVersion, metadata, status, message, reason, details, code; details:
 * name, group, kind, uid, causes, retryAfterSeconds), all omitempty. Compare with
 * shared/kubernetes/fixtures/*.json.
 */
import { aggregate, errorBody, type FieldError, fieldErrorString } from './field-errors.js';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface StatusBody {
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code?: number;
}

/** A group-qualified resource, printed `resource.group` (core: just `resource`). */
export interface GroupResource {
  readonly group: string;
  readonly resource: string;
}

export const qualified = (gr: GroupResource): string => (gr.group ? `${gr.resource}.${gr.group}` : gr.resource);

export class StatusError extends Error {
  override readonly name = 'StatusError';
  constructor(readonly body: StatusBody & { code: number }) {
    super(body.message ?? body.reason ?? 'error');
  }
  get code(): number {
    return this.body.code;
  }
}

/** Serialise a Status with the Go field order; `details: {}` is kept when present but empty. */
export function statusJSON(body: StatusBody): string {
  const out: Record<string, unknown> = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: body.status };
  if (body.message) out.message = body.message;
  if (body.reason) out.reason = body.reason;
  if (body.details) {
    const d = body.details;
    const details: Record<string, unknown> = {};
    if (d.name) details.name = d.name;
    if (d.group) details.group = d.group;
    if (d.kind) details.kind = d.kind;
    if (d.uid) details.uid = d.uid;
    if (d.causes && d.causes.length > 0) {
      details.causes = d.causes.map((c) => {
        const cause: Record<string, unknown> = {};
        if (c.reason) cause.reason = c.reason;
        if (c.message) cause.message = c.message;
        if (c.field) cause.field = c.field;
        return cause;
      });
    }
    if (d.retryAfterSeconds) details.retryAfterSeconds = d.retryAfterSeconds;
    out.details = details;
  }
  if (body.code) out.code = body.code;
  return JSON.stringify(out);
}

const details = (gr: GroupResource, name: string): StatusDetails => ({ name, group: gr.group, kind: gr.resource });

export const notFound = (gr: GroupResource, name: string): StatusError =>
  new StatusError({
    status: 'Failure',
    message: `${qualified(gr)} "${name}" not found`,
    reason: 'NotFound',
    details: details(gr, name),
    code: 404,
  });

export const alreadyExists = (gr: GroupResource, name: string): StatusError =>
  new StatusError({
    status: 'Failure',
    message: `${qualified(gr)} "${name}" already exists`,
    reason: 'AlreadyExists',
    details: details(gr, name),
    code: 409,
  });

/** NewGenerateNameConflict: AlreadyExists plus retryAfterSeconds. */
export const generateNameConflict = (gr: GroupResource, name: string, retryAfterSeconds: number): StatusError =>
  new StatusError({
    status: 'Failure',
    message: `${qualified(gr)} "${name}" already exists, the server was not able to generate a unique name for the object`,
    reason: 'AlreadyExists',
    details: { ...details(gr, name), retryAfterSeconds },
    code: 409,
  });

/** registry.OptimisticLockErrorMsg */
export const OPTIMISTIC_LOCK_MSG =
  'the object has been modified; please apply your changes to the latest version and try again';

export const conflict = (gr: GroupResource, name: string, why: string): StatusError =>
  new StatusError({
    status: 'Failure',
    message: `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`,
    reason: 'Conflict',
    details: details(gr, name),
    code: 409,
  });

/** NewInvalid: details carry the *Kind* (not the resource) and one cause per field error. */
export function invalidError(groupKind: { group: string; kind: string }, name: string, errs: readonly FieldError[]): StatusError {
  const qk = groupKind.group ? `${groupKind.kind}.${groupKind.group}` : groupKind.kind;
  return new StatusError({
    status: 'Failure',
    message: errs.length
      ? `${qk} "${name}" is invalid: ${aggregate(errs.map(fieldErrorString))}`
      : `${qk} "${name}" is invalid`,
    reason: 'Invalid',
    details: {
      name,
      group: groupKind.group,
      kind: groupKind.kind,
      causes: errs.map((e) => ({ reason: e.type, message: errorBody(e), field: e.field })),
    },
    code: 422,
  });
}

/** NewForbidden with the message built by responsewriters.forbiddenMessage (see authz/forbidden.ts). */
export function forbiddenError(gr: GroupResource | null, name: string, reason: string): StatusError {
  let message: string;
  if (!gr || (!gr.group && !gr.resource)) message = `forbidden: ${reason}`;
  else if (!name) message = `${qualified(gr)} is forbidden: ${reason}`;
  else message = `${qualified(gr)} "${name}" is forbidden: ${reason}`;
  return new StatusError({
    status: 'Failure',
    message,
    reason: 'Forbidden',
    details: gr && (gr.group || gr.resource) ? { name, group: gr.group, kind: gr.resource } : {},
    code: 403,
  });
}

export const unauthorized = (): StatusError =>
  new StatusError({ status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });

export const badRequest = (message: string): StatusError =>
  new StatusError({ status: 'Failure', message, reason: 'BadRequest', code: 400 });

export const methodNotSupported = (gr: GroupResource, action: string): StatusError =>
  new StatusError({
    status: 'Failure',
    message: `${action} is not supported on resources of kind ${JSON.stringify(qualified(gr))}`,
    reason: 'MethodNotAllowed',
    details: { group: gr.group, kind: gr.resource },
    code: 405,
  });

/** The apiserver's not-found handler for unknown paths and resources. */
export const pathNotFound = (): StatusError =>
  new StatusError({
    status: 'Failure',
    message: 'the server could not find the requested resource',
    reason: 'NotFound',
    details: {},
    code: 404,
  });

export const internalError = (cause: string): StatusError =>
  new StatusError({
    status: 'Failure',
    message: `Internal error occurred: ${cause}`,
    reason: 'InternalError',
    details: { causes: [{ message: cause }] },
    code: 500,
  });

export const serviceUnavailable = (message: string): StatusError =>
  new StatusError({ status: 'Failure', message, reason: 'ServiceUnavailable', code: 503 });

/** The Status-shaped 429 (NewTooManyRequests), fixture 429-status-variant.json. */
export const tooManyRequestsStatus = (message: string, retryAfterSeconds: number): StatusError =>
  new StatusError({
    status: 'Failure',
    message,
    reason: 'TooManyRequests',
    details: { retryAfterSeconds },
    code: 429,
  });

export const expired = (message: string): StatusError =>
  new StatusError({ status: 'Failure', message, reason: 'Expired', code: 410 });

export const unsupportedMediaType = (accepted: readonly string[]): StatusError =>
  new StatusError({
    status: 'Failure',
    message: `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    reason: 'UnsupportedMediaType',
    code: 415,
  });

export const requestEntityTooLarge = (message: string): StatusError =>
  new StatusError({ status: 'Failure', message: `Request entity too large: ${message}`, reason: 'RequestEntityTooLarge', code: 413 });

export const notAcceptable = (message: string): StatusError =>
  new StatusError({ status: 'Failure', message, reason: 'NotAcceptable', code: 406 });
