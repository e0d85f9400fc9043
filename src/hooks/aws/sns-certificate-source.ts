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
import { boundedFetch, type BoundedFetch, type BoundedFetchFailure } from '../../http/bounded-fetch.js';
import { checkSigningCertUrl } from './sns-urls.js';
import { parseSnsSigningCertificate, type SnsSigningCertificate } from './sns-certificate.js';
import { describeError, hookFailure, hookOk, LifecycleHookConfigError, type HookResult } from './result.js';

/** The subset of `fetch` the source uses; the app's `Deps['fetch']` fits it. */
export type SnsCertificateFetch = BoundedFetch;

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

    const downloaded = await download(url, settings);
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

async function download(url: string, settings: Settings): Promise<HookResult<SnsSigningCertificate>> {
  const body = await boundedFetch(url, {
    fetch: settings.fetch,
    accept: 'application/x-pem-file, text/plain',
    timeoutMs: settings.timeoutMs,
    maxBodyBytes: settings.maxBodyBytes,
    names: { document: 'certificate', server: 'certificate host' },
  });
  if (!body.ok) return hookFailure(upstreamMayHeal(body) ? 'upstream_unavailable' : 'invalid_certificate', body.detail);
  let pem: string;
  try {
    pem = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body.bytes);
  } catch {
    return hookFailure('invalid_certificate', 'certificate body is not UTF-8');
  }
  return parseSnsSigningCertificate(pem);
}

/** An unreachable host, 5xx or 429 may heal (SNS retries); anything else is the message's fault (see the contract). */
function upstreamMayHeal(failure: BoundedFetchFailure): boolean {
  return failure.failure === 'unreachable' || (failure.failure === 'status' && (failure.status >= 500 || failure.status === 429));
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
