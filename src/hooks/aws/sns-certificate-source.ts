/**
 * SNS signing certificates fetched from their SigningCertURL, cached per isolate by the object
 * `createSnsCertificateSource` returns (the app keeps one).
 *
 * Contract:
 * - I/O only through the injected `fetch`; time only from the injected `clock`.
 * - Only URLs that pass `checkSigningCertUrl` are fetched (anything else is
 *   `untrusted_certificate_url` without a request), with GET, `redirect: 'manual'` (a redirect
 *   would leave the allowed host, so it is a failure, never followed) and an abort signal after
 *   `timeoutMs`. The body is read up to `maxBodyBytes`, then given up on.
 * - Failures are values: the host unreachable, the fetch timing out, or a 5xx/429 answer is
 *   `upstream_unavailable` (the route answers 503 and SNS retries); any other answer (3xx, 4xx),
 *   an oversized body or a body that is not one SNS signing certificate is `invalid_certificate`
 *   (400: a forged message can name any .pem path on an SNS host, and its 404 must not look like
 *   an outage). Failures are not cached.
 * - A parsed certificate is cached by canonical URL for `cacheTtlMs` (the URL names the file by
 *   the hash of its contents, so a cached entry cannot go stale; the TTL only bounds memory
 *   held for rotated certificates). At most `maxEntries` URLs are kept, oldest dropped first.
 * - In-flight fetches are never shared between requests: on Workers a request must not await I/O
 *   that another request started. Concurrent first requests for one URL each fetch; the cache
 *   holds only finished results.
 * - `certificateFor` never throws.
 */
import type { Clock } from '../../deps.js';
import { checkSigningCertUrl } from './sns-urls.js';
import { parseSnsSigningCertificate, type SnsSigningCertificate } from './sns-certificate.js';
import { describeError, hookFailure, hookOk, LifecycleHookConfigError, type HookResult } from './result.js';

/** The subset of `fetch` the source uses; the app's `Deps['fetch']` fits it. */
export type SnsCertificateFetch = (input: string, init: RequestInit) => Promise<Response>;

export interface SnsCertificateSourceOptions {
  /** Injected HTTP client, called with `redirect: 'manual'` and an abort signal. */
  readonly fetch: SnsCertificateFetch;
  /** Injected clock for cache age. Defaults to the system clock. */
  readonly clock?: Clock;
  /** Abort the fetch (headers and body) after this long. Default 5 s. */
  readonly timeoutMs?: number;
  /** Refetch a cached certificate once it is this old. Default 24 h. */
  readonly cacheTtlMs?: number;
  /** Larger certificate bodies are refused. Default 16 KiB (SNS certificates are about 2 KiB). */
  readonly maxBodyBytes?: number;
  /** Certificates kept at once. Default 16. */
  readonly maxEntries?: number;
}

export interface SnsCertificateSource {
  /** The signing certificate at `signingCertUrl`, from the cache or freshly fetched. */
  certificateFor(signingCertUrl: string): Promise<HookResult<SnsSigningCertificate>>;
}

const DEFAULTS = { timeoutMs: 5_000, cacheTtlMs: 24 * 60 * 60_000, maxBodyBytes: 16 * 1024, maxEntries: 16 } as const;

type Settings = Required<SnsCertificateSourceOptions>;

export function createSnsCertificateSource(options: SnsCertificateSourceOptions): SnsCertificateSource {
  const settings = validateOptions(options);
  const cache = new Map<string, { readonly certificate: SnsSigningCertificate; readonly fetchedAt: number }>();

  async function certificateFor(signingCertUrl: string): Promise<HookResult<SnsSigningCertificate>> {
    const checked = checkSigningCertUrl(signingCertUrl);
    if (!checked.ok) return checked;
    const url = checked.value.url.href;
    const cached = cache.get(url);
    if (cached !== undefined && settings.clock.now().getTime() - cached.fetchedAt < settings.cacheTtlMs) return hookOk(cached.certificate);

    const downloaded = await downloadWithTimeout(url, settings);
    if (!downloaded.ok) return downloaded;
    cache.delete(url);
    if (cache.size >= settings.maxEntries) {
      const oldest = cache.keys().next();
      if (oldest.done !== true) cache.delete(oldest.value);
    }
    cache.set(url, { certificate: downloaded.value, fetchedAt: settings.clock.now().getTime() });
    return downloaded;
  }

  return {
    async certificateFor(signingCertUrl) {
      try {
        return await certificateFor(signingCertUrl);
      } catch (error) {
        return hookFailure('upstream_unavailable', `certificate source failed: ${describeError(error)}`);
      }
    },
  };
}

async function downloadWithTimeout(url: string, settings: Settings): Promise<HookResult<SnsSigningCertificate>> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<HookResult<SnsSigningCertificate>>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve(hookFailure('upstream_unavailable', `certificate fetch timed out after ${settings.timeoutMs} ms`));
    }, settings.timeoutMs);
  });
  try {
    // The race also covers an injected fetch, or a body stream, that ignores its abort signal.
    return await Promise.race([download(url, settings, controller.signal), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

async function download(url: string, settings: Settings, signal: AbortSignal): Promise<HookResult<SnsSigningCertificate>> {
  let response: Response;
  try {
    response = await settings.fetch(url, { method: 'GET', redirect: 'manual', signal, headers: { accept: 'application/x-pem-file, text/plain' } });
  } catch (error) {
    return hookFailure('upstream_unavailable', `certificate fetch failed: ${describeError(error)}`);
  }
  if (response.status !== 200) {
    discardBody(response);
    if (response.status >= 500 || response.status === 429) return hookFailure('upstream_unavailable', `certificate host answered HTTP ${response.status}`);
    const redirect = response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : '';
    return hookFailure('invalid_certificate', `certificate host answered HTTP ${response.status}${redirect}`);
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > settings.maxBodyBytes) {
    discardBody(response);
    return hookFailure('invalid_certificate', `certificate body declares ${declared} bytes, limit ${settings.maxBodyBytes}`);
  }
  let bytes: Uint8Array | undefined;
  try {
    bytes = await readAtMost(response, settings.maxBodyBytes);
  } catch (error) {
    return hookFailure('upstream_unavailable', `certificate body could not be read: ${describeError(error)}`);
  }
  if (bytes === undefined) return hookFailure('invalid_certificate', `certificate body exceeds ${settings.maxBodyBytes} bytes`);
  let pem: string;
  try {
    pem = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return hookFailure('invalid_certificate', 'certificate body is not UTF-8');
  }
  return parseSnsSigningCertificate(pem);
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

function validateOptions(options: SnsCertificateSourceOptions): Settings {
  if (typeof options.fetch !== 'function') throw new LifecycleHookConfigError('invalid_option', 'fetch must be a function');
  const settings: Settings = {
    fetch: options.fetch,
    clock: options.clock ?? { now: () => new Date() },
    timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
    cacheTtlMs: options.cacheTtlMs ?? DEFAULTS.cacheTtlMs,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
    maxEntries: options.maxEntries ?? DEFAULTS.maxEntries,
  };
  for (const name of ['timeoutMs', 'cacheTtlMs', 'maxBodyBytes', 'maxEntries'] as const) {
    const value = settings[name];
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new LifecycleHookConfigError('invalid_option', `${name} must be a non-negative integer, got ${String(value)}`);
    }
  }
  if (settings.timeoutMs === 0 || settings.maxBodyBytes === 0 || settings.maxEntries === 0) {
    throw new LifecycleHookConfigError('invalid_option', 'timeoutMs, maxBodyBytes and maxEntries must be positive');
  }
  return settings;
}
