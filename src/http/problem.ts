/**
 * The one mapping from errors to the wire: RFC 9457 `application/problem+json` with a stable
 * `code`. Every 4xx/5xx the broker sends is built here. `detail` strings are fixed per code or
 * chosen by the caller from safe text: no rule names, no upstream messages, no secrets.
 */
export const PROBLEM_CODES = {
  invalid_request: { status: 400, title: 'The request is not valid' },
  malformed_document: { status: 400, title: 'The identity document could not be parsed' },
  untrusted_topic: { status: 400, title: 'The SNS topic is not trusted' },
  invalid_sns_message: { status: 400, title: 'The SNS message could not be authenticated' },
  unauthorized: { status: 401, title: 'Authentication required' },
  access_denied: { status: 403, title: 'Join denied by policy' },
  invalid_signature: { status: 403, title: 'The identity document signature does not verify' },
  unsupported_document: { status: 403, title: 'This kind of identity document is not accepted' },
  document_mismatch: { status: 403, title: 'The document differs from the signed content' },
  stale_document: { status: 403, title: 'The identity document is outside its freshness window' },
  invalid_claims: { status: 403, title: 'The identity document has missing or wrong claims' },
  invalid_nonce: { status: 403, title: 'The nonce is unknown, expired or already used' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  already_joined: { status: 409, title: 'This instance has already joined' },
  payload_too_large: { status: 413, title: 'Request body too large' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Internal server error' },
  not_configured: { status: 503, title: 'The broker is not configured' },
  upstream_unavailable: { status: 503, title: 'A service the broker depends on is unavailable' },
  launch_not_announced: { status: 503, title: "The instance's launch lifecycle event has not been received yet" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEM_CODES;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: ProblemCode;
  detail?: string;
  instance?: string;
  retryAfter?: number;
}

export const problemType = (code: ProblemCode): string => `urn:kube-join-broker:problem:${code}`;

/**
 * A failure the route handlers throw when a request cannot continue. `detail` must be safe to
 * show to an unauthenticated caller. `retryAfterSeconds` becomes a `Retry-After` header.
 */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  constructor(
    readonly code: ProblemCode,
    readonly detail?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(detail ?? PROBLEM_CODES[code].title);
  }
}

export function problemResponse(
  code: ProblemCode,
  options: { detail?: string; instance?: string; retryAfterSeconds?: number } = {},
): Response {
  const { status, title } = PROBLEM_CODES[code];
  const body: ProblemBody = { type: problemType(code), title, status, code };
  if (options.detail !== undefined) body.detail = options.detail;
  if (options.instance !== undefined) body.instance = options.instance;
  const headers = new Headers({ 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store' });
  if (options.retryAfterSeconds !== undefined) {
    const seconds = Math.max(1, Math.ceil(options.retryAfterSeconds));
    body.retryAfter = seconds;
    headers.set('retry-after', String(seconds));
  }
  return new Response(JSON.stringify(body), { status, headers });
}
