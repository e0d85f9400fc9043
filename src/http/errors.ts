import type { ErrorHandler, Hono, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from '../log.js';
import { PROBLEM_CODES, ProblemError, problemResponse, type ProblemCode } from './problem.js';

/** Per status, the first code PROBLEM_CODES lists for it (a bare 400 is `invalid_request`). */
const STATUS_CODES = new Map<number, ProblemCode>(
  Object.entries(PROBLEM_CODES)
    .map(([code, { status }]): [number, ProblemCode] => [status, code as ProblemCode])
    .reverse(),
);

/**
 * The app's one error boundary. A ProblemError is rendered as it says; Hono's HTTP exceptions
 * keep their status under the matching code; anything else is logged by name and answered with
 * a bare 500 that carries no message or stack.
 */
export function problemErrorHandler(log: Logger): ErrorHandler {
  return function problemErrorHandler(error, c) {
    if (error instanceof ProblemError) {
      return problemResponse(error.code, {
        ...(error.detail === undefined ? {} : { detail: error.detail }),
        ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
      });
    }
    if (error instanceof HTTPException && error.status < 500) {
      return problemResponse(STATUS_CODES.get(error.status) ?? 'invalid_request');
    }
    log.error('request.failed', { method: c.req.method, path: c.req.path, error: error.name });
    return problemResponse('internal_error');
  };
}

export const problemNotFound: NotFoundHandler = function problemNotFound() {
  return problemResponse('not_found');
};

/**
 * A path the app serves, called with a method it does not serve there, is `405` with `Allow`
 * (RFC 9110 §15.5.6), not `404`. Hono has no 405 of its own: after every route is registered, one
 * fallback per route path answers whatever method reached it, which is only a method none of that
 * path's routes took. Hono answers HEAD with the GET route, so HEAD is allowed wherever GET is.
 * Paths the app does not serve stay `404`. Routes added to `app` afterwards get no fallback.
 */
export function answerWrongMethods(app: Hono): void {
  const allowed = new Map<string, Set<string>>();
  for (const { method, path } of app.routes) {
    if (method === 'ALL') continue; // middleware (`app.use`)
    const methods = allowed.get(path) ?? allowed.set(path, new Set()).get(path)!;
    methods.add(method);
    if (method === 'GET') methods.add('HEAD');
  }
  for (const [path, methods] of allowed) {
    const allow = [...methods].join(', ');
    app.all(path, () => {
      const response = problemResponse('method_not_allowed', { detail: `This path accepts ${allow}.` });
      response.headers.set('allow', allow);
      return response;
    });
  }
}
