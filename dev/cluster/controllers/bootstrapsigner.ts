/**
 * bootstrapsigner (pkg/controller/bootstrap/bootstrapsigner.go): keeps one `jws-kubeconfig-<id>`
 * key in kube-public/cluster-info per valid signing token. Triggered by cluster-info changes and by
 * any bootstrap-token Secret change in kube-system; one work item, so bursts collapse. The sync runs
 * `delayMs` after the trigger (SEMANTICS §3.2: the window in which kubeadm must retry).
 */
import type { V1ConfigMap, V1Secret } from '@kubernetes/client-node';
import { computeDetachedSignature } from '../bootstrap/jws.js';
import { BOOTSTRAP_TOKEN_SECRET_TYPE, signingToken } from '../bootstrap/token.js';
import { StatusError } from '../apimachinery/status.js';
import { type ApiCore, CONTROLLER_USER } from '../registry/api.js';
import { configMapKind } from '../registry/kinds/configmap.js';
import type { StoreEvent } from '../storage/store.js';

export const JWS_KEY_PREFIX = 'jws-kubeconfig-';

export class BootstrapSigner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly api: ApiCore,
    private readonly delayMs: () => number,
  ) {}

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

  trigger(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.sync();
    }, Math.max(0, this.delayMs()));
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
    const api = this.api;
    const stored = api.store.get('configmaps', 'kube-public', 'cluster-info') as unknown as V1ConfigMap | undefined;
    const content = stored?.data?.kubeconfig;
    if (!stored || content === undefined) return;
    const now = api.clock.now();
    const newData: Record<string, string> = {};
    for (const [k, v] of Object.entries(stored.data ?? {})) if (!k.startsWith(JWS_KEY_PREFIX)) newData[k] = v;
    const signatures: Record<string, string> = {};
    for (const s of api.store.list('secrets', 'kube-system') as unknown as V1Secret[]) {
      if (s.type !== BOOTSTRAP_TOKEN_SECRET_TYPE) continue;
      const token = signingToken(s, now);
      if (!token) continue;
      signatures[`${JWS_KEY_PREFIX}${token.id}`] = computeDetachedSignature(content, token.id, token.secret);
    }
    const old = stored.data ?? {};
    const oldSigs = Object.keys(old).filter((k) => k.startsWith(JWS_KEY_PREFIX));
    const changed = oldSigs.length !== Object.keys(signatures).length || Object.entries(signatures).some(([k, v]) => old[k] !== v);
    if (!changed) return;
    const updated = { ...stored, data: { ...newData, ...signatures } };
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
