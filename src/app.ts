import { Hono } from './http/hono.js';
import { bodyLimit } from 'hono/body-limit';
import { describeConfigIssues, type ConfigIssue } from './config.js';
import type { Deps } from './deps.js';
import { answerWrongMethods, problemErrorHandler, problemNotFound } from './http/errors.js';
import { adminRoutes } from './http/routes/admin.js';
import { ProblemError, problemResponse } from './http/problem.js';
import { cloudInitRoutes } from './http/routes/cloud-init.js';
import { healthRoutes } from './http/routes/health.js';
import { joinRoutes } from './http/routes/join.js';
import { lifecycleHookRoutes } from './http/routes/lifecycle-hooks.js';
import { nonceRoutes } from './http/routes/nonce.js';
import { createAttestors } from './join/attestors.js';
import { createClusterCaSource } from './cluster/cluster-ca.js';
import type { Logger } from './log.js';

/** Builds the broker's HTTP app from one Deps object; the only place routes are assembled. */
export function createApp(deps: Deps): Hono {
  const app = new Hono();
  app.onError(problemErrorHandler(deps.log));
  app.notFound(problemNotFound);
  // Enforced before any route reads the body: Content-Length is checked up front, and a
  // streamed body is cut off as soon as it passes the limit.
  app.use(
    '*',
    bodyLimit({
      maxSize: deps.config.maxBodyBytes,
      onError: () => {
        throw new ProblemError('payload_too_large', `The limit is ${deps.config.maxBodyBytes} bytes.`);
      },
    }),
  );
  app.route('/', healthRoutes(deps));
  const clusterCa = createClusterCaSource(deps.kube, deps.clock);
  app.route('/', joinRoutes({ ...deps, clusterCa }, createAttestors(deps)));
  // Every nonce is a storage write: served only when some rule can admit an Azure VM.
  if (deps.config.policy.rules.some((rule) => rule.provider === 'azure')) app.route('/', nonceRoutes(deps, deps.config.policy.azure.nonceTtl));
  app.route('/', cloudInitRoutes(deps));
  app.route('/', adminRoutes(deps));
  app.route('/', lifecycleHookRoutes(deps));
  // Last: a served path called with another method is 405 with Allow.
  answerWrongMethods(app);
  return app;
}

/**
 * What the Worker serves when its configuration does not parse: it stays up (`/healthz`) and
 * says which variables are wrong (`/readyz`, names only; messages go to the log), and refuses
 * everything else rather than running with a guessed setting.
 */
export function createUnconfiguredApp(issues: readonly ConfigIssue[], log: Logger): Hono {
  const app = new Hono();
  const variables = [...new Set(issues.map((issue) => issue.variable))].join(', ');
  app.onError(problemErrorHandler(log));
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.all('*', () => {
    log.error('config.invalid', { issues: describeConfigIssues(issues) });
    return problemResponse('not_configured', {
      detail: `Invalid configuration: ${variables}. See the Worker log for details.`,
    });
  });
  return app;
}
