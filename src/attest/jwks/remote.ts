import { boundedFetch, describeError, type BoundedFetch } from '../../http/bounded-fetch.js';
import type { AttestFailure } from '../identity.js';
import { KeySourceConfigError } from './errors.js';
import { createKeyImporter, unusableKey } from './key-import.js';
import type { KeyRequest, KeyResult, KeySource } from './key-source.js';
import { parseJwkSet, type PublicJwk } from './jwk-set.js';
import { selectKey } from './select.js';

/** The subset of `fetch` a key source uses; the app's `Deps['fetch']` fits it. */
export type JwksFetch = BoundedFetch;

export interface JwksKeySourceOptions {
  /** The JWKS document URL, e.g. Google's `https://www.googleapis.com/oauth2/v3/certs`. https only. */
  readonly uri: string;
  /** Injected HTTP client. Called with `redirect: 'manual'` and an abort signal. */
  readonly fetch: JwksFetch;
  /** Injected clock for cache age and cooldown. Defaults to the system clock. */
  readonly clock?: { now(): Date };
  /** Abort the fetch (headers and body) after this long. Default 5 s. */
  readonly timeoutMs?: number;
  /** Refetch a cached set once it is this old. Default 10 min. */
  readonly cacheTtlMs?: number;
  /** At most one refetch triggered by an unknown `kid` per this interval. Default 5 min. */
  readonly cooldownMs?: number;
  /** After a failed fetch, wait this long before a cache-expiry refetch. Default 30 s. */
  readonly retryAfterFailureMs?: number;
  /** Never use a cached set older than this, even when the endpoint is failing. Default 24 h. */
  readonly maxStaleMs?: number;
  /** Larger JWKS bodies are refused. Default 64 KiB (Google's set is about 1.5 KiB). */
  readonly maxBodyBytes?: number;
  /** Allow `http:` URIs. For tests against a local server only; never set in production. */
  readonly allowInsecureHttp?: boolean;
}

const DEFAULTS = {
  timeoutMs: 5_000,
  cacheTtlMs: 10 * 60_000,
  cooldownMs: 5 * 60_000,
  retryAfterFailureMs: 30_000,
  maxStaleMs: 24 * 60 * 60_000,
  maxBodyBytes: 64 * 1024,
} as const;

type Settings = Required<Omit<JwksKeySourceOptions, 'allowInsecureHttp'>>;
type Download = { readonly ok: true; readonly keys: readonly PublicJwk[] } | { readonly ok: false; readonly detail: string };

/**
 * A key source over a remote JWKS, cached per isolate by the object this returns (the app keeps
 * one per issuer).
 *
 * Contract:
 * - I/O only through the injected `fetch`; time only from the injected `clock`.
 * - The set is fetched when there is none or it is older than `cacheTtlMs`, one fetch at a time
 *   per source. A fetch that fails, times out, answers anything but 200 (redirects are not
 *   followed: `redirect: 'manual'`), exceeds `maxBodyBytes`, is not UTF-8 JSON, or holds no
 *   usable key never replaces the cached set and never yields a key: the token is refused with
 *   `upstream_unavailable`, unless the cached set (at most `maxStaleMs` old) has the token's key.
 * - A `kid` missing from the set triggers at most one refetch per `cooldownMs`; after that the
 *   `kid` is `unknown_signer`. Tokens are free to forge, so an attacker inventing `kid`s must not
 *   be able to make the broker hammer the issuer (or the broker's CPU budget).
 * - In-flight fetches are not shared between requests: on Workers a promise tied to one request's
 *   I/O must not be awaited by another (jose's `createRemoteJWKSet` drops its pending fetch on
 *   Workers for the same reason). A request that finds a fetch in flight uses the cached set,
 *   or gets `upstream_unavailable` when there is none yet; a `kid` rotated in during that window
 *   may be refused once and succeed on retry.
 * - `resolveKey` never throws.
 */
export function createJwksKeySource(options: JwksKeySourceOptions): KeySource {
  const settings = validateOptions(options);
  const { clock } = settings;
  const importKey = createKeyImporter();
  let cached: { readonly keys: readonly PublicJwk[]; readonly fetchedAt: number } | undefined;
  let fetching = false;
  let lastFailure: { readonly at: number; readonly detail: string } | undefined;
  let lastKidRefetchAt: number | undefined;

  async function refresh(): Promise<void> {
    fetching = true;
    try {
      const download = await downloadJwkSet(settings);
      const at = clock.now().getTime();
      if (download.ok) {
        cached = { keys: download.keys, fetchedAt: at };
        lastFailure = undefined;
      } else {
        lastFailure = { at, detail: download.detail };
      }
    } finally {
      fetching = false;
    }
  }

  async function resolve(request: KeyRequest): Promise<KeyResult> {
    const now = clock.now().getTime();
    if (cached !== undefined && now - cached.fetchedAt > settings.maxStaleMs) cached = undefined;
    const refreshDue = cached === undefined || now - cached.fetchedAt >= settings.cacheTtlMs;
    const backingOff = lastFailure !== undefined && now - lastFailure.at < settings.retryAfterFailureMs;
    let refreshed = false;
    if (refreshDue && !fetching && !backingOff) {
      await refresh();
      refreshed = true;
    }
    let keys = cached?.keys;
    if (keys === undefined) return { ok: false, error: unavailable(lastFailure?.detail ?? 'no key set yet: first fetch in flight') };

    let selection = selectKey(keys, request);
    if (!selection.ok && selection.kidNotFound && !refreshed) {
      const cooledDown = lastKidRefetchAt === undefined || now - lastKidRefetchAt >= settings.cooldownMs;
      if (cooledDown && !fetching) {
        lastKidRefetchAt = now;
        await refresh();
        keys = cached?.keys;
        if (keys === undefined) return { ok: false, error: unavailable(lastFailure?.detail ?? 'key set unavailable') };
        selection = selectKey(keys, request);
      }
    }
    if (!selection.ok) {
      // The set we hold may simply be out of date while the endpoint is failing: say so (503,
      // retryable) instead of calling a possibly legitimate new key unknown.
      if (selection.kidNotFound && lastFailure !== undefined) {
        return { ok: false, error: unavailable(`${selection.error.detail}, and the last refresh failed: ${lastFailure.detail}`) };
      }
      return { ok: false, error: selection.error };
    }
    const imported = await importKey(selection.key, request.alg);
    if (!imported.ok) return { ok: false, error: unusableKey(imported.detail) };
    return { ok: true, key: imported.key, kid: selection.key.kid };
  }

  return {
    async resolveKey(request) {
      try {
        return await resolve(request);
      } catch (error) {
        return { ok: false, error: unavailable(`key source failed: ${describeError(error)}`) };
      }
    },
  };
}

function unavailable(detail: string): AttestFailure {
  return { reason: 'upstream_unavailable', detail };
}

async function downloadJwkSet(settings: Settings): Promise<Download> {
  const body = await boundedFetch(settings.uri, {
    fetch: settings.fetch,
    accept: 'application/jwk-set+json, application/json',
    timeoutMs: settings.timeoutMs,
    maxBodyBytes: settings.maxBodyBytes,
    names: { document: 'JWKS', server: 'JWKS endpoint' },
  });
  if (!body.ok) return { ok: false, detail: body.detail };
  let document: unknown;
  try {
    document = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body.bytes));
  } catch {
    return { ok: false, detail: 'JWKS body is not UTF-8 JSON' };
  }
  const parsed = parseJwkSet(document);
  if (!parsed.ok) return { ok: false, detail: parsed.detail };
  if (parsed.keys.length === 0) return { ok: false, detail: 'JWKS holds no usable public signature key' };
  return { ok: true, keys: parsed.keys };
}

function validateOptions(options: JwksKeySourceOptions): Settings {
  let url: URL;
  try {
    url = new URL(options.uri);
  } catch {
    throw new KeySourceConfigError('invalid_jwks_uri', `JWKS uri is not a URL: ${String(options.uri).slice(0, 200)}`);
  }
  const insecureAllowed = options.allowInsecureHttp === true && url.protocol === 'http:';
  if (url.protocol !== 'https:' && !insecureAllowed) {
    throw new KeySourceConfigError('insecure_jwks_uri', `JWKS uri must use https: ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '' || url.hash !== '') {
    throw new KeySourceConfigError('invalid_jwks_uri', 'JWKS uri must not carry credentials or a fragment');
  }
  if (typeof options.fetch !== 'function') throw new KeySourceConfigError('invalid_option', 'fetch must be a function');
  const settings: Settings = {
    uri: url.href,
    fetch: options.fetch,
    clock: options.clock ?? { now: () => new Date() },
    timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
    cacheTtlMs: options.cacheTtlMs ?? DEFAULTS.cacheTtlMs,
    cooldownMs: options.cooldownMs ?? DEFAULTS.cooldownMs,
    retryAfterFailureMs: options.retryAfterFailureMs ?? DEFAULTS.retryAfterFailureMs,
    maxStaleMs: options.maxStaleMs ?? DEFAULTS.maxStaleMs,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
  };
  const durations = ['timeoutMs', 'cacheTtlMs', 'cooldownMs', 'retryAfterFailureMs', 'maxStaleMs', 'maxBodyBytes'] as const;
  for (const name of durations) {
    const value = settings[name];
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new KeySourceConfigError('invalid_option', `${name} must be a non-negative integer, got ${String(value)}`);
    }
  }
  if (settings.timeoutMs === 0 || settings.maxBodyBytes === 0) {
    throw new KeySourceConfigError('invalid_option', 'timeoutMs and maxBodyBytes must be positive');
  }
  if (settings.maxStaleMs < settings.cacheTtlMs) {
    throw new KeySourceConfigError('invalid_option', 'maxStaleMs must be at least cacheTtlMs');
  }
  return settings;
}
