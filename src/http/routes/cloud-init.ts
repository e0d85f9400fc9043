import { Hono } from '../hono.js';
import type { Deps } from '../../deps.js';
import { brokerUrl } from '../../join/attestors.js';
import { renderCloudInit } from '../../render/cloud-init.js';
import { FIRST_BOOT_PROVIDERS, type FirstBootProvider } from '../../render/first-boot.js';
import { DEFAULT_JOIN_SCRIPT_MODE, JOIN_SCRIPT_MODES, type JoinScriptMode } from '../../render/script.js';
import { ProblemError } from '../problem.js';

/**
 * `GET /v1/cloud-init?provider=aws|gcp|azure&mode=kubeadm|kubelet`: `#cloud-config` user-data
 * that fetches the machine's identity document at first boot, posts it here and runs the join
 * script, with retries. It holds no secret, so it is served without authentication.
 */
export function cloudInitRoutes(deps: Pick<Deps, 'config'>): Hono {
  const app = new Hono();
  app.get('/v1/cloud-init', (c) => {
    const provider = c.req.query('provider');
    const mode = c.req.query('mode') ?? DEFAULT_JOIN_SCRIPT_MODE;
    if (provider === undefined || !(FIRST_BOOT_PROVIDERS as readonly string[]).includes(provider)) {
      throw new ProblemError('invalid_request', `provider must be one of ${FIRST_BOOT_PROVIDERS.join(', ')}.`);
    }
    if (!(JOIN_SCRIPT_MODES as readonly string[]).includes(mode)) {
      throw new ProblemError('invalid_request', `mode must be one of ${JOIN_SCRIPT_MODES.join(', ')}.`);
    }
    const gcpAudience = deps.config.policy.gcp.audience;
    const userData = renderCloudInit({
      provider: provider as FirstBootProvider,
      mode: mode as JoinScriptMode,
      brokerUrl: brokerUrl(deps.config),
      ...(gcpAudience === undefined ? {} : { gcpAudience }),
    });
    return c.body(userData, 200, { 'content-type': 'text/cloud-config; charset=utf-8' });
  });
  return app;
}
