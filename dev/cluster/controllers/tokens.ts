/**
 * The ServiceAccount tokens controller (pkg/controller/serviceaccount/tokens_controller.go), the
 * part that serves `kubernetes.io/service-account-token` Secrets created by hand: fill in the
 * token, delete Secrets whose ServiceAccount is gone (also when the ServiceAccount is deleted).
 * Event-driven; writes happen after the store event that triggered them, as an informer would.
 */
import type { ServiceAccountTokens } from '../auth/authn/serviceaccount-token.js';
import { SERVICE_ACCOUNT_TOKEN_TYPE } from '../auth/authn/serviceaccount-token.js';
import { StatusError } from '../apimachinery/status.js';
import { type ApiCore, CONTROLLER_USER } from '../registry/api.js';
import { secretKind } from '../registry/kinds/secret.js';
import type { StoreEvent } from '../storage/store.js';

export function startTokensController(api: ApiCore, tokens: ServiceAccountTokens, caPem: string): () => void {
  const sync = (namespace: string, name: string): void => {
    const secret = api.store.get('secrets', namespace, name);
    if (!secret) return;
    const work = tokens.fillTokenSecret(secret, caPem);
    try {
      if (work?.action === 'update') api.update(secretKind, namespace, name, work.secret, CONTROLLER_USER);
      else if (work?.action === 'delete') api.delete(secretKind, namespace, name, CONTROLLER_USER, { preconditions: { uid: secret.metadata.uid } });
    } catch (error) {
      // Changed or gone meanwhile: the event that did it queues another pass.
      if (!(error instanceof StatusError && (error.code === 404 || error.code === 409))) throw error;
    }
  };
  const onEvent = (e: StoreEvent): void => {
    if (e.resource === 'secrets' && e.type !== 'DELETED' && e.object['type'] === SERVICE_ACCOUNT_TOKEN_TYPE) {
      setImmediate(() => sync(e.object.metadata.namespace ?? '', e.object.metadata.name));
    } else if (e.resource === 'serviceaccounts' && e.type === 'DELETED') {
      const namespace = e.object.metadata.namespace ?? '';
      setImmediate(() => {
        for (const s of api.store.list('secrets', namespace)) if (s['type'] === SERVICE_ACCOUNT_TOKEN_TYPE) sync(namespace, s.metadata.name);
      });
    }
  };
  return api.store.subscribe(onEvent);
}
