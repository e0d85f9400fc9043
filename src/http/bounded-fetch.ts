/**
 * One GET of a small document from an upstream the broker trusts only within limits: a JWKS, an
 * SNS signing certificate. The caller decides what the bytes mean and which failures heal on their
 * own; this module only bounds the exchange.
 *
 * Contract:
 * - I/O only through the injected `fetch`, called once with GET, `redirect: 'manual'` (a redirect
 *   is a failure, never followed: it could lead off the allowed host) and an abort signal.
 * - Everything (headers and body) must arrive within `timeoutMs`; the signal is aborted then, and
 *   the answer does not wait for a fetch or body stream that ignores it.
 * - A body declaring, or streaming, more than `maxBodyBytes` is refused without reading the rest;
 *   an unused body is cancelled.
 * - Failures are values, with a `detail` for the log built from `names`. Never throws.
 */

export type BoundedFetch = (input: string, init: RequestInit) => Promise<Response>;

export interface BoundedFetchOptions {
  readonly fetch: BoundedFetch;
  /** The `accept` request header. */
  readonly accept: string;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  /** What the details call the document and its server, e.g. `JWKS` and `JWKS endpoint`. */
  readonly names: { readonly document: string; readonly server: string };
}

export type BoundedFetchResult =
  | { readonly ok: true; readonly bytes: Uint8Array }
  /** No answer in time, the request failed, or the body could not be read. */
  | { readonly ok: false; readonly failure: 'unreachable'; readonly detail: string }
  /** Any status but 200, redirects included. */
  | { readonly ok: false; readonly failure: 'status'; readonly status: number; readonly detail: string }
  /** The body declares or streams more than `maxBodyBytes`. */
  | { readonly ok: false; readonly failure: 'too_large'; readonly detail: string };

export type BoundedFetchFailure = Extract<BoundedFetchResult, { ok: false }>;

/** The body at `url` as bytes, or why there is none (see the module contract). */
export async function boundedFetch(url: string, options: BoundedFetchOptions): Promise<BoundedFetchResult> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<BoundedFetchFailure>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve({ ok: false, failure: 'unreachable', detail: `${options.names.document} fetch timed out after ${options.timeoutMs} ms` });
    }, options.timeoutMs);
  });
  try {
    // The race also covers an injected fetch, or a body stream, that ignores its abort signal.
    return await Promise.race([fetchBody(url, options, controller.signal), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

async function fetchBody(url: string, options: BoundedFetchOptions, signal: AbortSignal): Promise<BoundedFetchResult> {
  const { document, server } = options.names;
  const limit = options.maxBodyBytes;
  let response: Response;
  try {
    response = await options.fetch(url, { method: 'GET', redirect: 'manual', signal, headers: { accept: options.accept } });
  } catch (error) {
    return { ok: false, failure: 'unreachable', detail: `${document} fetch failed: ${describeError(error)}` };
  }
  const { status } = response;
  if (status !== 200) {
    discardBody(response);
    const redirect = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
    return { ok: false, failure: 'status', status, detail: `${server} answered HTTP ${status}${redirect}` };
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) {
    discardBody(response);
    return { ok: false, failure: 'too_large', detail: `${document} body declares ${declared} bytes, limit ${limit}` };
  }
  let bytes: Uint8Array | undefined;
  try {
    bytes = await readAtMost(response, limit);
  } catch (error) {
    return { ok: false, failure: 'unreachable', detail: `${document} body could not be read: ${describeError(error)}` };
  }
  if (bytes === undefined) return { ok: false, failure: 'too_large', detail: `${document} body exceeds ${limit} bytes` };
  return { ok: true, bytes };
}

/** Reads the body, giving up (and cancelling the stream) as soon as it passes `limit` bytes. */
async function readAtMost(response: Response, limit: number): Promise<Uint8Array | undefined> {
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function discardBody(response: Response): void {
  response.body?.cancel().catch(() => undefined);
}

/** A short, log-safe description of a caught exception from I/O (name and message, at most 160 characters). */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 160) : 'unknown error';
}
