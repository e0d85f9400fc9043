/**
 * The emulator's "etcd": one in-memory map per resource, a single global revision counter that
 * becomes every object's resourceVersion, and a bounded event history so watches can resume from a
 * resourceVersion (older than the history ⇒ 410 Expired, as the watch cache answers). Objects are
 * stored and handed out as deep copies. No validation or policy lives here.
 */
import type { V1ObjectMeta } from '@kubernetes/client-node';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: V1ObjectMeta & { name: string };
  [field: string]: unknown;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  readonly type: WatchEventType;
  readonly resource: string;
  readonly revision: number;
  readonly object: KubeObject;
  /** The object before this change (MODIFIED, DELETED). */
  readonly previous?: KubeObject;
}

export type StoreListener = (event: StoreEvent) => void;

const key = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;

export class ObjectStore {
  private revision: number;
  private readonly data = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<StoreListener>();

  constructor(
    private readonly historyLimit = 10_000,
    startRevision = 1,
  ) {
    this.revision = startRevision;
  }

  get currentRevision(): number {
    return this.revision;
  }

  /** The oldest revision a watch can still resume after. */
  get oldestResumableRevision(): number {
    return this.history.length > 0 ? this.history[0]!.revision - 1 : this.revision;
  }

  private bucket(resource: string): Map<string, KubeObject> {
    let b = this.data.get(resource);
    if (!b) {
      b = new Map();
      this.data.set(resource, b);
    }
    return b;
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.bucket(resource).get(key(namespace, name));
    return o ? structuredClone(o) : undefined;
  }

  /** All objects of a resource, optionally in one namespace, sorted by namespace/name like etcd keys. */
  list(resource: string, namespace?: string): KubeObject[] {
    const out: KubeObject[] = [];
    const entries = [...this.bucket(resource).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [, o] of entries) {
      if (namespace === undefined || o.metadata.namespace === namespace) out.push(structuredClone(o));
    }
    return out;
  }

  create(resource: string, object: KubeObject): KubeObject {
    const b = this.bucket(resource);
    const k = key(object.metadata.namespace, object.metadata.name);
    if (b.has(k)) throw new Error(`store: ${resource} ${k} exists`);
    const stored = structuredClone(object);
    stored.metadata.resourceVersion = String(++this.revision);
    b.set(k, stored);
    this.emit({ type: 'ADDED', resource, revision: this.revision, object: stored });
    return structuredClone(stored);
  }

  update(resource: string, object: KubeObject): KubeObject {
    const b = this.bucket(resource);
    const k = key(object.metadata.namespace, object.metadata.name);
    const previous = b.get(k);
    if (!previous) throw new Error(`store: ${resource} ${k} missing`);
    const stored = structuredClone(object);
    stored.metadata.resourceVersion = String(++this.revision);
    b.set(k, stored);
    this.emit({ type: 'MODIFIED', resource, revision: this.revision, object: stored, previous });
    return structuredClone(stored);
  }

  delete(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const b = this.bucket(resource);
    const k = key(namespace, name);
    const previous = b.get(k);
    if (!previous) return undefined;
    b.delete(k);
    // A deleted object is reported with the revision of its deletion, as etcd3 watch does.
    const tombstone = structuredClone(previous);
    tombstone.metadata.resourceVersion = String(++this.revision);
    this.emit({ type: 'DELETED', resource, revision: this.revision, object: tombstone, previous });
    return structuredClone(previous);
  }

  /** Events after `revision` for a resource, or `undefined` when the history no longer reaches back that far. */
  eventsSince(resource: string, revision: number): StoreEvent[] | undefined {
    if (revision < this.oldestResumableRevision) return undefined;
    return this.history.filter((e) => e.revision > revision && e.resource === resource).map((e) => structuredClone(e));
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > this.historyLimit) this.history.splice(0, this.history.length - this.historyLimit);
    for (const l of [...this.listeners]) {
      try {
        l(structuredClone(event));
      } catch {
        // A listener's failure never breaks a write.
      }
    }
  }
}
