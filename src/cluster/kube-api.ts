import type {
  V1CertificateSigningRequest,
  V1CertificateSigningRequestList,
  V1ConfigMap,
  V1Node,
  V1Secret,
  V1SecretList,
  V1Status,
} from '@kubernetes/client-node';
import type { Fetch, Random } from '../deps.js';

/**
 * Per-call options. `deadline` (epoch milliseconds, on the adapter's clock): no attempt starts
 * and no retry waits past it, and an attempt's timeout is cut to what is left. The join pipeline
 * passes its per-join deadline so that retries, read-backs and clean-up never keep a booting node
 * waiting longer than JOIN_DEADLINE_MS.
 */
export interface KubeCallOptions {
  readonly deadline?: number;
}

/**
 * The few Kubernetes API calls the broker makes, typed with client-node's models. A narrow
 * fetch-based adapter instead of client-node's generated client: inside a Worker the full client
 * costs ~245 KiB gzip and ~700 ms of start-up (TOOLCHAIN.md) for six calls.
 */
export interface KubeApi {
  getConfigMap(namespace: string, name: string): Promise<V1ConfigMap>;
  createSecret(namespace: string, secret: V1Secret, options?: KubeCallOptions): Promise<V1Secret>;
  /** undefined when the Secret does not exist. */
  getSecret(namespace: string, name: string, options?: KubeCallOptions): Promise<V1Secret | undefined>;
  listSecrets(namespace: string, options?: { labelSelector?: string }): Promise<V1Secret[]>;
  /** false when the Secret did not exist (or no longer matched the UID precondition). */
  deleteSecret(namespace: string, name: string, preconditions?: { uid?: string }, options?: KubeCallOptions): Promise<boolean>;
  /** undefined when the Node does not exist. */
  getNode(name: string): Promise<V1Node | undefined>;
  /** false when the Node did not exist (or no longer matched the UID precondition). */
  deleteNode(name: string, preconditions?: { uid?: string }): Promise<boolean>;
  /**
   * Every CertificateSigningRequest (cluster-scoped). The API has no selector by requester, so
   * the approver filters client-side; `resourceVersion=0` lets the API server answer from its
   * watch cache instead of a quorum read of etcd (possibly a moment stale: the next poll catches up).
   */
  listCertificateSigningRequests(): Promise<V1CertificateSigningRequest[]>;
  /** undefined when the CSR does not exist. */
  getCertificateSigningRequest(name: string): Promise<V1CertificateSigningRequest | undefined>;
  /**
   * PUT `/approval` with `csr` as read (its resourceVersion) and the conditions to set. The API
   * server takes only `status.conditions` from it. undefined when the CSR changed since it was
   * read (409) or is gone (404): read it again.
   */
  updateCertificateSigningRequestApproval(csr: V1CertificateSigningRequest): Promise<V1CertificateSigningRequest | undefined>;
}

/**
 * `deadline`: the request was not sent, because the caller's deadline left no time for it (or
 * for the wait before it); like a 429 it certainly had no effect.
 */
export type KubeFailure = 'timeout' | 'network' | 'status' | 'deadline';

/**
 * A failed API call. `status` and `reason` come from the response (metav1.Status); the message
 * names the operation and HTTP status only: never the bearer token, never the response body.
 */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  constructor(
    readonly operation: string,
    readonly failure: KubeFailure,
    readonly status?: number,
    readonly reason?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(`${operation}: ${failure}${status === undefined ? '' : ` ${status}`}${reason === undefined ? '' : ` ${reason}`}`);
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }
  get isAlreadyExists(): boolean {
    return this.status === 409 && this.reason === 'AlreadyExists';
  }
  get isConflict(): boolean {
    return this.status === 409;
  }
  /** Whether the request certainly had no effect (so a non-idempotent call may be retried). */
  get certainlyNotApplied(): boolean {
    return this.failure === 'deadline' || (this.failure === 'status' && (this.status === 429 || this.status === 401 || this.status === 403));
  }
  /** The API server's overload answer (API Priority and Fairness, max-in-flight): come back after Retry-After. */
  get isThrottled(): boolean {
    return this.failure === 'status' && this.status === 429;
  }
  /** Overload or outage: worth retrying after a pause. */
  get transient(): boolean {
    return this.failure === 'timeout' || this.failure === 'network' || this.status === 429 || (this.status !== undefined && this.status >= 500);
  }
}

export interface KubeApiOptions {
  server: URL;
  token: string;
  fetch: Fetch;
  timeoutMs: number;
  /** Extra headers on every request, e.g. Cloudflare Access service-token headers. */
  headers?: Record<string, string>;
  /** Bounded retries on 429/5xx/network failures, honouring Retry-After, with jitter (see `call`). */
  retry?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  /** Epoch milliseconds, for deadlines (default `Date.now`). */
  now?: () => number;
  random: Random;
}

export interface RetryPolicy {
  /** Tries in all after 5xx, timeouts and lost connections. */
  readonly attempts: number;
  /**
   * Tries in all while the API server answers 429. A 429 proves the request was not applied,
   * so even a create may be repeated; with a deadline the deadline usually ends it first.
   */
  readonly throttledAttempts: number;
  readonly baseDelayMs: number;
  /** The longest single wait; a Retry-After above it is not waited out. */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, throttledAttempts: 8, baseDelayMs: 100, maxDelayMs: 4000 };

/** No attempt starts with less than this left before the deadline: it would only time out. */
export const MIN_ATTEMPT_MS = 250;

function retryAfterSeconds(response: Response): number | undefined {
  const header = response.headers.get('retry-after');
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim());
}

export function createKubeApi(options: KubeApiOptions): KubeApi {
  const retry = options.retry ?? DEFAULT_RETRY;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? (() => Date.now());
  const jitter = (): number => {
    const bytes = options.random.fill(new Uint8Array(2));
    return ((bytes[0]! << 8) | bytes[1]!) / 0x10000;
  };
  const base = options.server.href.replace(/\/$/, '');
  /**
   * Every request's headers, worked out on the first call and kept: `options.headers`, then ours
   * over them (names compared as HTTP does, without case), as the lower-cased record a Headers
   * object holds. The same record goes to every fetch, which copies it; nothing writes to it. A
   * value Headers refuses (a token with a line break) throws at each call, as building them per
   * call did, and is not kept.
   */
  let prepared: { readonly plain: Readonly<Record<string, string>>; readonly json: Readonly<Record<string, string>> } | undefined;
  const headersOf = (withBody: boolean): Readonly<Record<string, string>> => {
    const build = (json: boolean) => {
      const headers = new Headers(options.headers);
      headers.set('authorization', `Bearer ${options.token}`);
      headers.set('accept', 'application/json');
      if (json) headers.set('content-type', 'application/json');
      return Object.freeze(Object.fromEntries(headers));
    };
    prepared ??= { plain: build(false), json: build(true) };
    return withBody ? prepared.json : prepared.plain;
  };

  /**
   * One request, its answer read to the end within the timeout. A 2xx counts only once its body
   * has arrived whole and parses: an answer cut off mid-body is a `network` failure like a reset,
   * so a create whose answer was lost is resolved by reading back, never taken as done.
   */
  async function once(operation: string, method: string, path: string, body: unknown, timeoutMs: number): Promise<unknown> {
    const lost = (error: unknown): KubeApiError => {
      const name = (error as { name?: string }).name;
      return new KubeApiError(operation, name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network');
    };
    const headers = headersOf(body !== undefined);
    let response: Response;
    try {
      response = await options.fetch(`${base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(Math.max(1, Math.floor(timeoutMs))),
      });
    } catch (error) {
      throw lost(error);
    }
    if (!response.ok) {
      let reason: string | undefined;
      if ((response.headers.get('content-type') ?? '').includes('json')) {
        const status = (await response.json().catch(() => undefined)) as V1Status | undefined;
        // Kept only if it looks like a metav1.StatusReason (`NotFound`, `AlreadyExists`): the
        // message names it, and whatever sits in front of the API server writes this body.
        reason = typeof status?.reason === 'string' && /^[A-Za-z]{1,64}$/.test(status.reason) ? status.reason : undefined;
      } else {
        await response.body?.cancel().catch(() => undefined);
      }
      throw new KubeApiError(operation, 'status', response.status, reason, retryAfterSeconds(response));
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw lost(error);
    }
    if (method === 'DELETE') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new KubeApiError(operation, 'network');
    }
  }

  /**
   * Retries transient failures: at most `retry.attempts` tries after 5xx, timeouts and resets,
   * at most `retry.throttledAttempts` while the answer is 429, and never past `deadline`. A
   * non-idempotent call is retried only when the failure proves the request was not applied
   * (429: rejected before it was processed), since a 5xx, a timeout or a reset may hide a
   * completed create.
   *
   * The server's Retry-After is a floor (RFC 9110 §10.2.3: the client should not come back
   * sooner), and the jitter above it is proportional to it: a uniform wait in
   * [floor, floor + max(floor, backoff)]. Hundreds of requests refused in the same instant with
   * `Retry-After: 1` therefore come back spread over a whole second, not as one wave a few
   * hundred milliseconds wide that the API server refuses again. Without a Retry-After the wait
   * is full jitter over the exponential backoff. A Retry-After longer than `maxDelayMs` is not
   * waited out here: the failure goes back to the caller, who passes it on to the node.
   */
  async function call(operation: string, method: string, path: string, body: unknown, idempotent: boolean, callOptions: KubeCallOptions = {}): Promise<unknown> {
    const { deadline } = callOptions;
    const left = (): number => (deadline === undefined ? Number.POSITIVE_INFINITY : deadline - now());
    let failures = 0;
    let throttled = 0;
    for (;;) {
      if (left() < MIN_ATTEMPT_MS) throw new KubeApiError(operation, 'deadline');
      try {
        return await once(operation, method, path, body, Math.min(options.timeoutMs, left()));
      } catch (error) {
        if (!(error instanceof KubeApiError) || !error.transient) throw error;
        if (error.isThrottled) throttled++;
        else failures++;
        if (throttled >= retry.throttledAttempts || failures >= retry.attempts) throw error;
        if (!idempotent && !error.certainlyNotApplied) throw error;
        const floor = (error.retryAfterSeconds ?? 0) * 1000;
        if (floor > retry.maxDelayMs) throw error;
        const backoff = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (throttled + failures - 1));
        const wait = Math.min(retry.maxDelayMs, floor + Math.max(floor, backoff) * jitter());
        // The wait and a useful attempt after it must fit before the deadline; else the caller
        // gets this failure now (with its Retry-After) rather than a timeout later.
        if (wait + MIN_ATTEMPT_MS > left()) throw error;
        await sleep(wait);
      }
    }
  }

  const ns = (namespace: string) => `/api/v1/namespaces/${encodeURIComponent(namespace)}`;
  const CSRS = '/apis/certificates.k8s.io/v1/certificatesigningrequests';

  return {
    async getConfigMap(namespace, name) {
      return (await call('get configmap', 'GET', `${ns(namespace)}/configmaps/${encodeURIComponent(name)}`, undefined, true)) as V1ConfigMap;
    },
    async createSecret(namespace, secret, callOptions) {
      return (await call('create secret', 'POST', `${ns(namespace)}/secrets`, secret, false, callOptions)) as V1Secret;
    },
    async getSecret(namespace, name, callOptions) {
      try {
        return (await call('get secret', 'GET', `${ns(namespace)}/secrets/${encodeURIComponent(name)}`, undefined, true, callOptions)) as V1Secret;
      } catch (error) {
        if (error instanceof KubeApiError && error.isNotFound) return undefined;
        throw error;
      }
    },
    async listSecrets(namespace, listOptions = {}) {
      const query = listOptions.labelSelector === undefined ? '' : `?labelSelector=${encodeURIComponent(listOptions.labelSelector)}`;
      return ((await call('list secrets', 'GET', `${ns(namespace)}/secrets${query}`, undefined, true)) as V1SecretList).items;
    },
    async deleteSecret(namespace, name, preconditions, callOptions) {
      const body = preconditions?.uid === undefined ? undefined : { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: preconditions.uid } };
      try {
        await call('delete secret', 'DELETE', `${ns(namespace)}/secrets/${encodeURIComponent(name)}`, body, true, callOptions);
        return true;
      } catch (error) {
        if (error instanceof KubeApiError && (error.isNotFound || error.isConflict)) return false;
        throw error;
      }
    },
    async getNode(name) {
      try {
        return (await call('get node', 'GET', `/api/v1/nodes/${encodeURIComponent(name)}`, undefined, true)) as V1Node;
      } catch (error) {
        if (error instanceof KubeApiError && error.isNotFound) return undefined;
        throw error;
      }
    },
    async listCertificateSigningRequests() {
      return ((await call('list certificatesigningrequests', 'GET', `${CSRS}?resourceVersion=0`, undefined, true)) as V1CertificateSigningRequestList).items;
    },
    async getCertificateSigningRequest(name) {
      try {
        return (await call('get certificatesigningrequest', 'GET', `${CSRS}/${encodeURIComponent(name)}`, undefined, true)) as V1CertificateSigningRequest;
      } catch (error) {
        if (error instanceof KubeApiError && error.isNotFound) return undefined;
        throw error;
      }
    },
    async updateCertificateSigningRequestApproval(csr) {
      const name = csr.metadata?.name ?? '';
      try {
        // Idempotent: a retried PUT of an update that landed answers 409 (resourceVersion moved on).
        return (await call('update certificatesigningrequest approval', 'PUT', `${CSRS}/${encodeURIComponent(name)}/approval`, csr, true)) as V1CertificateSigningRequest;
      } catch (error) {
        if (error instanceof KubeApiError && (error.isNotFound || error.isConflict)) return undefined;
        throw error;
      }
    },
    async deleteNode(name, preconditions) {
      const body = preconditions?.uid === undefined ? undefined : { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: preconditions.uid } };
      try {
        await call('delete node', 'DELETE', `/api/v1/nodes/${encodeURIComponent(name)}`, body, true);
        return true;
      } catch (error) {
        if (error instanceof KubeApiError && (error.isNotFound || error.isConflict)) return false;
        throw error;
      }
    },
  };
}
