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
 * The few Kubernetes API calls the broker makes, typed with client-node's models. A narrow
 * fetch-based adapter instead of client-node's generated client: inside a Worker the full client
 * costs ~245 KiB gzip and ~700 ms of start-up (TOOLCHAIN.md) for six calls.
 */
export interface KubeApi {
  getConfigMap(namespace: string, name: string): Promise<V1ConfigMap>;
  createSecret(namespace: string, secret: V1Secret): Promise<V1Secret>;
  /** undefined when the Secret does not exist. */
  getSecret(namespace: string, name: string): Promise<V1Secret | undefined>;
  listSecrets(namespace: string, options?: { labelSelector?: string }): Promise<V1Secret[]>;
  /** false when the Secret did not exist (or no longer matched the UID precondition). */
  deleteSecret(namespace: string, name: string, preconditions?: { uid?: string }): Promise<boolean>;
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

export type KubeFailure = 'timeout' | 'network' | 'status';

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
    return this.failure === 'status' && (this.status === 429 || this.status === 401 || this.status === 403);
  }
  /** Overload or outage: worth retrying after a pause. */
  get transient(): boolean {
    return this.failure !== 'status' || this.status === 429 || (this.status !== undefined && this.status >= 500);
  }
}

export interface KubeApiOptions {
  server: URL;
  token: string;
  fetch: Fetch;
  timeoutMs: number;
  /** Extra headers on every request, e.g. Cloudflare Access service-token headers. */
  headers?: Record<string, string>;
  /** Bounded retries on 429/5xx/network failures, honouring Retry-After, with full jitter. */
  retry?: { attempts: number; baseDelayMs: number; maxDelayMs: number };
  sleep?: (ms: number) => Promise<void>;
  random: Random;
}

const DEFAULT_RETRY = { attempts: 3, baseDelayMs: 100, maxDelayMs: 2000 };

function retryAfterSeconds(response: Response): number | undefined {
  const header = response.headers.get('retry-after');
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim());
}

export function createKubeApi(options: KubeApiOptions): KubeApi {
  const retry = options.retry ?? DEFAULT_RETRY;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const jitter = (): number => {
    const bytes = options.random.fill(new Uint8Array(2));
    return ((bytes[0]! << 8) | bytes[1]!) / 0x10000;
  };
  const base = options.server.href.replace(/\/$/, '');

  /**
   * One request, its answer read to the end within the timeout. A 2xx counts only once its body
   * has arrived whole and parses: an answer cut off mid-body is a `network` failure like a reset,
   * so a create whose answer was lost is resolved by reading back, never taken as done.
   */
  async function once(operation: string, method: string, path: string, body?: unknown): Promise<unknown> {
    const lost = (error: unknown): KubeApiError => {
      const name = (error as { name?: string }).name;
      return new KubeApiError(operation, name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network');
    };
    const headers = new Headers(options.headers);
    headers.set('authorization', `Bearer ${options.token}`);
    headers.set('accept', 'application/json');
    if (body !== undefined) headers.set('content-type', 'application/json');
    let response: Response;
    try {
      response = await options.fetch(`${base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
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
   * Retries transient failures, at most `retry.attempts` tries in all. A non-idempotent call is
   * retried only when the failure proves the request was not applied (429: rejected before it
   * was processed), since a 5xx, a timeout or a reset may hide a completed create.
   *
   * The wait is full jitter over the exponential backoff, added on top of the server's
   * Retry-After, which is a floor (RFC 9110 §10.2.3: the client should not come back sooner).
   * A Retry-After longer than `maxDelayMs` is not waited out here: the failure goes back to the
   * caller, who passes the same Retry-After on to the node.
   */
  async function call(operation: string, method: string, path: string, body?: unknown, idempotent = true): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await once(operation, method, path, body);
      } catch (error) {
        if (!(error instanceof KubeApiError) || attempt >= retry.attempts || !error.transient) throw error;
        if (!idempotent && !error.certainlyNotApplied) throw error;
        const floor = (error.retryAfterSeconds ?? 0) * 1000;
        if (floor > retry.maxDelayMs) throw error;
        const backoff = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
        await sleep(Math.min(retry.maxDelayMs, floor + backoff * jitter()));
      }
    }
  }

  const ns = (namespace: string) => `/api/v1/namespaces/${encodeURIComponent(namespace)}`;
  const CSRS = '/apis/certificates.k8s.io/v1/certificatesigningrequests';

  return {
    async getConfigMap(namespace, name) {
      return (await call('get configmap', 'GET', `${ns(namespace)}/configmaps/${encodeURIComponent(name)}`)) as V1ConfigMap;
    },
    async createSecret(namespace, secret) {
      return (await call('create secret', 'POST', `${ns(namespace)}/secrets`, secret, false)) as V1Secret;
    },
    async getSecret(namespace, name) {
      try {
        return (await call('get secret', 'GET', `${ns(namespace)}/secrets/${encodeURIComponent(name)}`)) as V1Secret;
      } catch (error) {
        if (error instanceof KubeApiError && error.isNotFound) return undefined;
        throw error;
      }
    },
    async listSecrets(namespace, listOptions = {}) {
      const query = listOptions.labelSelector === undefined ? '' : `?labelSelector=${encodeURIComponent(listOptions.labelSelector)}`;
      return ((await call('list secrets', 'GET', `${ns(namespace)}/secrets${query}`)) as V1SecretList).items;
    },
    async deleteSecret(namespace, name, preconditions) {
      const body = preconditions?.uid === undefined ? undefined : { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: preconditions.uid } };
      try {
        await call('delete secret', 'DELETE', `${ns(namespace)}/secrets/${encodeURIComponent(name)}`, body);
        return true;
      } catch (error) {
        if (error instanceof KubeApiError && (error.isNotFound || error.isConflict)) return false;
        throw error;
      }
    },
    async getNode(name) {
      try {
        return (await call('get node', 'GET', `/api/v1/nodes/${encodeURIComponent(name)}`)) as V1Node;
      } catch (error) {
        if (error instanceof KubeApiError && error.isNotFound) return undefined;
        throw error;
      }
    },
    async listCertificateSigningRequests() {
      return ((await call('list certificatesigningrequests', 'GET', `${CSRS}?resourceVersion=0`)) as V1CertificateSigningRequestList).items;
    },
    async getCertificateSigningRequest(name) {
      try {
        return (await call('get certificatesigningrequest', 'GET', `${CSRS}/${encodeURIComponent(name)}`)) as V1CertificateSigningRequest;
      } catch (error) {
        if (error instanceof KubeApiError && error.isNotFound) return undefined;
        throw error;
      }
    },
    async updateCertificateSigningRequestApproval(csr) {
      const name = csr.metadata?.name ?? '';
      try {
        // Idempotent: a retried PUT of an update that landed answers 409 (resourceVersion moved on).
        return (await call('update certificatesigningrequest approval', 'PUT', `${CSRS}/${encodeURIComponent(name)}/approval`, csr)) as V1CertificateSigningRequest;
      } catch (error) {
        if (error instanceof KubeApiError && (error.isNotFound || error.isConflict)) return undefined;
        throw error;
      }
    },
    async deleteNode(name, preconditions) {
      const body = preconditions?.uid === undefined ? undefined : { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: preconditions.uid } };
      try {
        await call('delete node', 'DELETE', `/api/v1/nodes/${encodeURIComponent(name)}`, body);
        return true;
      } catch (error) {
        if (error instanceof KubeApiError && (error.isNotFound || error.isConflict)) return false;
        throw error;
      }
    },
  };
}
