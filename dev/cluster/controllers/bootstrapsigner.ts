/**
 * bootstrapsigner (pkg/controller/bootstrap/bootstrapsigner.go): keeps one `jws-kubeconfig-<id>`
 * key in kube-public/cluster-info per valid signing token. Triggered by cluster-info changes and by
 * any bootstrap-token Secret change in kube-system; one work item, so updates collapse
 * (SEMANTICS §3.2). The sync runs `delayMs` after the trigger (the window in which kubeadm must
 * retry).
 *
 * How far updates collapse: kube-controller-manager's API client is rate limited (its
 * `--kube-api-qps` 20 and `--kube-api-burst` 30 by default, a token bucket), so its ConfigMap
 * updates come at most ~20 a second however fast tokens are created; while the one work item
 * waits, every further trigger folds into it. This signer waits for the same bucket before a pass
 * that would write, so a burst of N token creates costs about (burst duration × 20) passes, not N
 * (each O(N): one signature per token) on the API server's own thread. Signatures are kept per
 * token and content and recomputed only when either changes: the output is the same HMAC. Like
 * kube-controller-manager's, the signer reads the tokens from its informer's cache (kept from the
 * store's events once started), not by listing the store on every pass.
 * `sync()` (tests, `syncAll`) runs a pass at once, whatever the bucket holds.
 */
import type { V1ConfigMap, V1Secret } from '@kubernetes/client-node';
import { computeDetachedSignature } from '../bootstrap/jws.js';
import { BOOTSTRAP_TOKEN_SECRET_TYPE, remainingLifetimeMs, signingToken } from '../bootstrap/token.js';
import { StatusError } from '../apimachinery/status.js';
import { type ApiCore, CONTROLLER_USER } from '../registry/api.js';
import { configMapKind } from '../registry/kinds/configmap.js';
import type { StoreEvent } from '../storage/store.js';

export const JWS_KEY_PREFIX = 'jws-kubeconfig-';

/** A Secret as the signer's cache keeps it: `signingToken` without the expiry, and the expiry. */
interface CachedToken {
  readonly token: { id: string; secret: string } | undefined;
  /** Epoch ms; Infinity without `expiration`; 0 when unparseable (then `token` is undefined too). */
  readonly expiresAtMs: number;
}

const EARLIEST = new Date(-8.64e15);
const cachedToken = (secret: V1Secret): CachedToken => ({
  token: signingToken(secret, EARLIEST),
  expiresAtMs: remainingLifetimeMs(secret, new Date(0)),
});

/** kube-controller-manager's client rate limit: `--kube-api-qps` and `--kube-api-burst` defaults. */
export const CONTROLLER_MANAGER_CLIENT_LIMIT = { qps: 20, burst: 30 } as const;

/** client-go's token bucket (flowcontrol.NewTokenBucketRateLimiter), on wall time. */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly qps: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.at = now();
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) * this.qps) / 1000);
    this.at = now;
  }

  /** Milliseconds until a token is there (0: now). */
  waitMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.qps);
  }

  /** Spends a token (the bucket may go below zero: a request made without waiting). */
  take(): void {
    this.refill();
    this.tokens -= 1;
  }
}

export class BootstrapSigner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly client: TokenBucket;
  /** Signature per token ID, with the secret and content it was computed for. */
  private signatures = new Map<string, { secret: string; content: string; signature: string }>();
  /** Passes run and ConfigMap updates written, for tests and the bench. */
  readonly counts = { passes: 0, writes: 0 };
  /**
   * The informer's cache of bootstrap-token Secrets in kube-system, by name (undefined until
   * started), each read once: the token it could sign with, expiry aside, and its expiry.
   */
  private tokens: Map<string, CachedToken> | undefined;

  constructor(
    private readonly api: ApiCore,
    private readonly delayMs: () => number,
    limit: { qps: number; burst: number } = CONTROLLER_MANAGER_CLIENT_LIMIT,
  ) {
    this.client = new TokenBucket(limit.qps, limit.burst);
  }

  /** Informer filter: cluster-info and bootstrap-token Secrets in kube-system. */
  wants(e: StoreEvent): boolean {
    const o = e.object;
    if (e.resource === 'configmaps') return o.metadata.namespace === 'kube-public' && o.metadata.name === 'cluster-info';
    if (e.resource === 'secrets') {
      const type = (o as unknown as V1Secret).type ?? (e.previous as unknown as V1Secret | undefined)?.type;
      return o.metadata.namespace === 'kube-system' && type === BOOTSTRAP_TOKEN_SECRET_TYPE;
    }
    return false;
  }

  /** Queues the one work item: a pass after the delay, once the client's rate limit allows a write. */
  /** Starts the informer's cache: one list now, then every Secret event through `observe`. */
  startInformer(): void {
    this.tokens = new Map();
    for (const s of this.api.store.list('secrets', 'kube-system') as unknown as V1Secret[]) if (s.type === BOOTSTRAP_TOKEN_SECRET_TYPE) this.tokens.set(s.metadata!.name!, cachedToken(s));
  }

  /** Keeps the cache current (the store hands every listener its own copy of the object). */
  observe(e: StoreEvent): void {
    if (this.tokens === undefined || e.resource !== 'secrets' || e.object.metadata.namespace !== 'kube-system') return;
    const secret = e.object as unknown as V1Secret;
    if (e.type === 'DELETED' || secret.type !== BOOTSTRAP_TOKEN_SECRET_TYPE) this.tokens.delete(e.object.metadata.name);
    else this.tokens.set(e.object.metadata.name, cachedToken(secret));
  }

  trigger(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.sync();
    }, Math.max(0, this.delayMs(), this.client.waitMs()));
  }

  /** One signing pass, now (tests call this; the trigger calls it after the delay). */
  async sync(): Promise<void> {
    while (this.running) await this.running;
    this.running = Promise.resolve().then(() => this.signConfigMap());
    try {
      await this.running;
    } finally {
      this.running = undefined;
    }
  }

  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private signConfigMap(): void {
    this.counts.passes++;
    const api = this.api;
    const stored = api.store.get('configmaps', 'kube-public', 'cluster-info') as unknown as V1ConfigMap | undefined;
    const content = stored?.data?.kubeconfig;
    if (!stored || content === undefined) return;
    const now = api.clock.now();
    const newData: Record<string, string> = {};
    for (const [k, v] of Object.entries(stored.data ?? {})) if (!k.startsWith(JWS_KEY_PREFIX)) newData[k] = v;
    const signatures: Record<string, string> = {};
    const kept = new Map<string, { secret: string; content: string; signature: string }>();
    const sign = (token: { id: string; secret: string }) => {
      const cached = this.signatures.get(token.id);
      const signature = cached !== undefined && cached.secret === token.secret && cached.content === content ? cached.signature : computeDetachedSignature(content, token.id, token.secret);
      kept.set(token.id, { secret: token.secret, content, signature });
      signatures[`${JWS_KEY_PREFIX}${token.id}`] = signature;
    };
    if (this.tokens === undefined) {
      for (const s of api.store.list('secrets', 'kube-system') as unknown as V1Secret[]) {
        if (s.type !== BOOTSTRAP_TOKEN_SECRET_TYPE) continue;
        const token = signingToken(s, now);
        if (token) sign(token);
      }
    } else {
      // In name order, as a list of the store returns them; signingToken's rules, read once per Secret.
      for (const [, cached] of [...this.tokens.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        if (cached.token !== undefined && cached.expiresAtMs - now.getTime() > 0) sign(cached.token);
      }
    }
    this.signatures = kept;
    const old = stored.data ?? {};
    const oldSigs = Object.keys(old).filter((k) => k.startsWith(JWS_KEY_PREFIX));
    const changed = oldSigs.length !== Object.keys(signatures).length || Object.entries(signatures).some(([k, v]) => old[k] !== v);
    if (!changed) return;
    const updated = { ...stored, data: { ...newData, ...signatures } };
    this.client.take();
    this.counts.writes++;
    try {
      api.update(configMapKind, 'kube-public', 'cluster-info', updated, CONTROLLER_USER);
    } catch (e) {
      // "Conflict/NotFound on update are ignored (retried later)".
      if (e instanceof StatusError && (e.code === 409 || e.code === 404)) return;
      throw e;
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
