import { Hono } from '../hono.js';
import type { Deps } from '../../deps.js';
import { problemResponse } from '../problem.js';

/** `/healthz`: the isolate is up. `/readyz`: configuration is valid and the Kubernetes API answers. */
export function healthRoutes(deps: Pick<Deps, 'kube' | 'log'>): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    try {
      await deps.kube.getConfigMap('kube-public', 'cluster-info');
      return c.json({ status: 'ready', checks: { config: 'ok', kubernetesApi: 'ok' } });
    } catch (error) {
      deps.log.warn('readyz.kubernetes_unavailable', { error: error instanceof Error ? error.message : 'unknown' });
      return problemResponse('upstream_unavailable', {
        detail: 'The Kubernetes API did not answer a read of kube-public/cluster-info.',
        retryAfterSeconds: 5,
      });
    }
  });
  return app;
}
