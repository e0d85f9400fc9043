/**
 * Watch streams (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/watch.go): chunked
 * `application/json`, one `{"type","object"}` JSON document per line. resourceVersion unset or "0"
 * ⇒ synthetic ADDED events for the current state first; a specific resourceVersion ⇒ replay of
 * later events from the store's history, or an ERROR event with a 410 Expired Status when the
 * history no longer reaches back. `sendInitialEvents=true` ends the initial events with a BOOKMARK
 * annotated `k8s.io/initial-events-end`. Selector transitions follow the watch cache: an object
 * leaving the selection is reported DELETED, one entering it ADDED.
 */
import type { ServerResponse } from 'node:http';
import { statusJSON } from '../apimachinery/status.js';
import type { ApiCore, ParsedSelectors } from '../registry/api.js';
import { apiVersionOf, type ResourceKind, storageKey } from '../registry/types.js';
import type { KubeObject, StoreEvent, WatchEventType } from '../storage/store.js';
import { type TableRequest, toTable } from './table.js';

export interface WatchRequest {
  readonly kind: ResourceKind;
  readonly namespace: string | undefined;
  readonly selectors: ParsedSelectors;
  readonly resourceVersion: string | undefined;
  readonly sendInitialEvents: boolean;
  readonly timeoutSeconds: number | undefined;
  readonly table: TableRequest | undefined;
}

export function serveWatch(api: ApiCore, res: ServerResponse, w: WatchRequest, onEnd: () => void): void {
  const { kind } = w;
  const resource = storageKey(kind);
  let headersSent = false;
  const write = (type: WatchEventType | 'BOOKMARK' | 'ERROR', object: unknown): void => {
    if (res.writableEnded || res.destroyed) return;
    let obj = object;
    if (w.table && type !== 'ERROR' && type !== 'BOOKMARK') {
      obj = toTable(kind, [object as KubeObject], api.clock.now(), w.table, undefined, !headersSent);
      headersSent = true;
    }
    res.write(`${JSON.stringify({ type, object: obj })}\n`);
  };
  const inScope = (o: KubeObject): boolean => !kind.namespaced || w.namespace === undefined || o.metadata.namespace === w.namespace;
  const selected = (o: KubeObject | undefined): boolean => !!o && inScope(o) && api.matches(kind, o, w.selectors);

  const translate = (e: StoreEvent): void => {
    if (e.resource !== resource) return;
    const cur = selected(e.object);
    const prev = selected(e.previous);
    let type: WatchEventType | undefined;
    if (e.type === 'ADDED') type = cur ? 'ADDED' : undefined;
    else if (e.type === 'DELETED') type = prev ? 'DELETED' : undefined;
    else if (cur && prev) type = 'MODIFIED';
    else if (cur) type = 'ADDED';
    else if (prev) type = 'DELETED';
    if (type) write(type, api.present(kind, e.object));
  };

  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();

  const rv = w.resourceVersion;
  let startRevision: number;
  if (rv === undefined || rv === '' || rv === '0' || w.sendInitialEvents) {
    const list = api.list(kind, w.namespace, {});
    for (const item of api.store.list(resource, kind.namespaced ? w.namespace : undefined)) {
      if (selected(item)) write('ADDED', api.present(kind, item));
    }
    startRevision = Number(list.resourceVersion);
    if (w.sendInitialEvents) {
      write('BOOKMARK', {
        kind: kind.kind,
        apiVersion: apiVersionOf(kind),
        metadata: { resourceVersion: list.resourceVersion, annotations: { 'k8s.io/initial-events-end': 'true' } },
      });
    }
  } else {
    const from = Number(rv);
    const history = Number.isFinite(from) ? api.store.eventsSince(resource, from) : undefined;
    if (!history) {
      const message = Number.isFinite(from)
        ? `too old resource version: ${rv} (${api.store.oldestResumableRevision})`
        : `Invalid value: ${JSON.stringify(rv)}: strconv.ParseUint: parsing ${JSON.stringify(rv)}: invalid syntax`;
      res.write(`${JSON.stringify({ type: 'ERROR', object: JSON.parse(statusJSON({ status: 'Failure', message, reason: 'Expired', code: 410 })) })}\n`);
      res.end();
      onEnd();
      return;
    }
    for (const e of history) translate(e);
    startRevision = Math.max(from, api.store.currentRevision);
  }

  const unsubscribe = api.store.subscribe((e) => {
    if (e.revision > startRevision) translate(e);
  });
  let timer: NodeJS.Timeout | undefined;
  let done = false;
  const finish = (): void => {
    if (done) return;
    done = true;
    unsubscribe();
    if (timer) clearTimeout(timer);
    if (!res.writableEnded) res.end();
    onEnd();
  };
  if (w.timeoutSeconds !== undefined && w.timeoutSeconds > 0) timer = setTimeout(finish, w.timeoutSeconds * 1000);
  res.on('close', finish);
}
