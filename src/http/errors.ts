import type { ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from '../log.js';
import { PROBLEM_CODES, ProblemError, problemResponse, type ProblemCode } from './problem.js';

const STATUS_CODES = new Map<number, ProblemCode>(
  Object.entries(PROBLEM_CODES).map(([code, { status }]) => [status, code as ProblemCode]),
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
