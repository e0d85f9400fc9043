/**
 * tokencleaner (pkg/controller/bootstrap/tokencleaner.go): deletes a bootstrap-token Secret in
 * kube-system once it has expired (missing `expiration` ⇒ never; unparseable ⇒ already expired),
 * with a UID precondition; NotFound/Conflict are ignored. Expiry is judged with the emulator clock;
 * a wall-clock timer re-checks at the remaining TTL and the periodic resync covers clock jumps.
 */
import type { V1Secret } from '@kubernetes/client-node';
import { BOOTSTRAP_TOKEN_SECRET_TYPE, remainingLifetimeMs } from '../bootstrap/token.js';
import { StatusError } from '../apimachinery/status.js';
import { type ApiCore, CONTROLLER_USER } from '../registry/api.js';
import { secretKind } from '../registry/kinds/secret.js';
import type { StoreEvent } from '../storage/store.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

export class TokenCleaner {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly api: ApiCore) {}

  wants(e: StoreEvent): boolean {
    return (
      e.resource === 'secrets' &&
      e.type !== 'DELETED' &&
      e.object.metadata.namespace === 'kube-system' &&
      (e.object as unknown as V1Secret).type === BOOTSTRAP_TOKEN_SECRET_TYPE
    );
  }

  trigger(name: string): void {
    if (this.stopped) return;
    this.evaluate(name);
  }

  /** Check every bootstrap-token Secret now. */
  async sync(): Promise<void> {
    for (const s of this.api.store.list('secrets', 'kube-system') as unknown as V1Secret[]) {
      if (s.type === BOOTSTRAP_TOKEN_SECRET_TYPE) this.evaluate(s.metadata!.name!);
    }
  }

  private evaluate(name: string): void {
    const secret = this.api.store.get('secrets', 'kube-system', name) as unknown as V1Secret | undefined;
    const existingTimer = this.timers.get(name);
    if (existingTimer) clearTimeout(existingTimer);
    this.timers.delete(name);
    if (!secret || secret.type !== BOOTSTRAP_TOKEN_SECRET_TYPE) return;
    const remaining = remainingLifetimeMs(secret, this.api.clock.now());
    if (remaining <= 0) {
      try {
        this.api.delete(secretKind, 'kube-system', name, CONTROLLER_USER, { preconditions: { uid: secret.metadata?.uid } });
      } catch (e) {
        if (e instanceof StatusError && (e.code === 404 || e.code === 409)) return;
        throw e;
      }
      return;
    }
    if (Number.isFinite(remaining) && !this.stopped) {
      const t = setTimeout(() => {
        this.timers.delete(name);
        this.evaluate(name);
      }, Math.min(remaining, MAX_TIMER_MS));
      t.unref();
      this.timers.set(name, t);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
