/**
 * Runs the four controllers like kube-controller-manager would: each is fed by store events (its
 * informer) and by a periodic resync on wall time. Tests drive them synchronously with `syncAll()`
 * and wait for event-driven work with `idle()`.
 */
import type { ClusterCA } from '../pki/ca.js';
import type { ApiCore } from '../registry/api.js';
import { BootstrapSigner } from './bootstrapsigner.js';
import { CsrApprover } from './csrapprover.js';
import { CsrSigner } from './csrsigner.js';
import { TokenCleaner } from './tokencleaner.js';

export interface ControllerManagerOptions {
  /** Delay between a trigger and the bootstrapsigner's pass (read on every trigger). */
  readonly bootstrapSignerDelayMs: () => number;
  /** Wall-clock period of the resync of all controllers; 0 disables it. */
  readonly resyncIntervalMs: number;
  /** --cluster-signing-duration */
  readonly clusterSigningDurationMs: number;
  readonly onError?: (controller: string, key: string, err: unknown) => void;
}

export interface Controllers {
  readonly bootstrapSigner: BootstrapSigner;
  readonly tokenCleaner: TokenCleaner;
  readonly csrApprover: CsrApprover;
  readonly csrSigner: CsrSigner;
  /** Run every controller once, now (the bootstrapsigner without its delay), then wait for follow-up work. */
  syncAll(): Promise<void>;
  /** Wait until event-driven work queued so far is done (not the bootstrapsigner's pending delay). */
  idle(): Promise<void>;
}

export class ControllerManager implements Controllers {
  readonly bootstrapSigner: BootstrapSigner;
  readonly tokenCleaner: TokenCleaner;
  readonly csrApprover: CsrApprover;
  readonly csrSigner: CsrSigner;
  private unsubscribe: (() => void) | undefined;
  private resync: NodeJS.Timeout | undefined;

  constructor(
    private readonly api: ApiCore,
    ca: ClusterCA,
    private readonly options: ControllerManagerOptions,
  ) {
    const onError = options.onError ?? (() => {});
    this.bootstrapSigner = new BootstrapSigner(api, options.bootstrapSignerDelayMs);
    this.tokenCleaner = new TokenCleaner(api);
    this.csrApprover = new CsrApprover(api);
    this.csrSigner = new CsrSigner(api, ca, options.clusterSigningDurationMs, (k, e) => onError('csrsigning', k, e));
  }

  start(): void {
    this.bootstrapSigner.startInformer();
    this.unsubscribe = this.api.store.subscribe((e) => {
      this.bootstrapSigner.observe(e);
      if (this.bootstrapSigner.wants(e)) this.bootstrapSigner.trigger();
      if (this.tokenCleaner.wants(e)) this.tokenCleaner.trigger(e.object.metadata.name);
      if (this.csrApprover.wants(e)) this.csrApprover.queue.add(e.object.metadata.name);
      if (this.csrSigner.wants(e)) this.csrSigner.queue.add(e.object.metadata.name);
    });
    if (this.options.resyncIntervalMs > 0) {
      this.resync = setInterval(() => {
        void this.tokenCleaner.sync();
        this.bootstrapSigner.trigger();
        for (const c of this.api.store.list('certificatesigningrequests.certificates.k8s.io')) {
          this.csrApprover.queue.add(c.metadata.name);
          this.csrSigner.queue.add(c.metadata.name);
        }
      }, this.options.resyncIntervalMs);
      this.resync.unref();
    }
    this.bootstrapSigner.trigger();
  }

  async syncAll(): Promise<void> {
    await this.tokenCleaner.sync();
    await this.bootstrapSigner.sync();
    await this.csrApprover.sync();
    await this.csrSigner.sync();
    await this.idle();
  }

  async idle(): Promise<void> {
    for (let i = 0; i < 5; i++) {
      await this.csrApprover.queue.drain();
      await this.csrSigner.queue.drain();
      await this.bootstrapSigner.idle();
    }
  }

  stop(): void {
    this.unsubscribe?.();
    if (this.resync) clearInterval(this.resync);
    this.bootstrapSigner.stop();
    this.tokenCleaner.stop();
    this.csrApprover.stop();
    this.csrSigner.stop();
  }
}
