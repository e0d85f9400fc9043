import type { Logger } from '../log.js';
import type { JoinAudit } from './audit.js';
import { JOIN_INDEX_NAME, type JoinIndexObject } from './join-index-object.js';

export interface DurableObjectAuditOptions {
  log: Logger;
  /** The Workers runtime's `waitUntil` (from `cloudflare:workers`): keeps a background write alive after the response. */
  waitUntil: (task: Promise<unknown>) => void;
}

/** The JoinAudit the Worker uses: every call goes to the one `JoinIndexObject`. */
export function createDurableObjectAudit(namespace: DurableObjectNamespace<JoinIndexObject>, options: DurableObjectAuditOptions): JoinAudit {
  const index = () => namespace.getByName(JOIN_INDEX_NAME);
  return {
    async recordMint(row, event) {
      await index().recordMint(row, event);
    },
    async record(event, effect) {
      await index().record(event, effect);
    },
    recordLater(event, effect) {
      options.waitUntil(
        index()
          .record(event, effect)
          .catch((error: unknown) => {
            options.log.error('audit.write_failed', { event: event.event, error: error instanceof Error ? error.name : 'unknown' });
          }),
      );
    },
    async events(query) {
      return index().events(query);
    },
    async join(key) {
      return index().join(key);
    },
    async joinByToken(tokenId) {
      return index().joinByToken(tokenId);
    },
    async joinsByNode(nodeName) {
      return index().joinsByNode(nodeName);
    },
    async unsettledJoins(expiringAfter, limit) {
      return index().unsettledJoins(expiringAfter, limit);
    },
    async prune(policy) {
      return index().prune(policy);
    },
    async revokeLater(request) {
      await index().revokeLater(request);
    },
    async dueRevocations(now, limit) {
      return index().dueRevocations(now, limit);
    },
    async rescheduleRevocation(tokenId, checkAt) {
      await index().rescheduleRevocation(tokenId, checkAt);
    },
    async settleRevocation(tokenId, event, effect) {
      await index().settleRevocation(tokenId, event, effect);
    },
  };
}
