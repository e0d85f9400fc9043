import { Hono } from '../hono.js';
import type { AuditEvent } from '../../audit/audit.js';
import { encodeCursor, parseAuditQuery } from '../../audit/query.js';
import { BOOTSTRAP_TOKEN_NAMESPACE, TOKEN_ID_PATTERN, tokenSecretName } from '../../cluster/bootstrap-token.js';
import { isExpired, readBrokerToken, type BrokerToken } from '../../cluster/broker-tokens.js';
import { KubeApiError } from '../../cluster/kube-api.js';
import { BROKER_TOKEN_SELECTOR } from '../../cluster/mint.js';
import type { Deps } from '../../deps.js';
import { ledgerKeyString, parseLedgerKey } from '../../ledger/ledger.js';
import { adminAuth, type AdminVariables } from '../admin-auth.js';
import { ProblemError } from '../problem.js';

export type AdminDeps = Pick<Deps, 'config' | 'clock' | 'fetch' | 'kube' | 'ledger' | 'audit' | 'log'>;

/** A broker token as the admin API shows it: never the secret half. */
export interface TokenItem {
  tokenId: string;
  nodeName: string | null;
  identity: { provider: string; account: string; region?: string; instanceId: string } | null;
  pool: string | null;
  expiresAt: string | null;
  createdAt: string | null;
}

const NO_STORE = { 'cache-control': 'no-store' };

function tokenItem(token: BrokerToken): TokenItem {
  // Built field by field from the Secret's metadata and `expiration`: `token-secret` is never read.
  return {
    tokenId: token.tokenId,
    nodeName: token.nodeName ?? null,
    identity: token.identity ?? null,
    pool: token.pool ?? null,
    expiresAt: token.expiration.kind === 'at' ? token.expiration.at.toISOString() : null,
    createdAt: token.createdAt ?? null,
  };
}

/** Kubernetes or the index did not answer: 503, never the upstream message. */
async function upstream<T>(deps: AdminDeps, operation: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    deps.log.error('admin.upstream_failed', { operation, error: error instanceof KubeApiError ? error.message : error instanceof Error ? error.name : 'unknown' });
    throw new ProblemError('upstream_unavailable', undefined, error instanceof KubeApiError ? (error.retryAfterSeconds ?? 5) : 5);
  }
}

function decodePathRest(pathname: string, prefix: string): string {
  try {
    return decodeURIComponent(pathname.slice(prefix.length));
  } catch {
    return '';
  }
}

/**
 * The admin API (README "Admin API"), every route behind `adminAuth`:
 * - `GET /v1/tokens`: the broker's live tokens, from the cluster;
 * - `DELETE /v1/tokens/{id}`: revoke one (delete its Secret; ledger and audit record it);
 * - `GET /v1/joins`: the audit, newest first, filtered and paginated;
 * - `DELETE /v1/joins/{key}`: reset an instance so it may join again.
 */
export function adminRoutes(deps: AdminDeps): Hono<{ Variables: AdminVariables }> {
  const app = new Hono<{ Variables: AdminVariables }>();
  const auth = adminAuth({
    adminToken: deps.config.adminToken,
    access: deps.config.adminAccess,
    fetch: deps.fetch,
    clock: deps.clock,
    log: deps.log,
  });
  for (const path of ['/v1/tokens', '/v1/tokens/*', '/v1/joins', '/v1/joins/*']) app.use(path, auth);

  app.get('/v1/tokens', async (c) => {
    const now = deps.clock.now();
    const secrets = await upstream(deps, 'list tokens', () => deps.kube.listSecrets(BOOTSTRAP_TOKEN_NAMESPACE, { labelSelector: BROKER_TOKEN_SELECTOR }));
    const items = secrets
      .flatMap((secret) => readBrokerToken(secret) ?? [])
      .filter((token) => !isExpired(token.expiration, now))
      .map(tokenItem)
      .sort((a, b) => (a.expiresAt ?? '').localeCompare(b.expiresAt ?? '') || a.tokenId.localeCompare(b.tokenId));
    return c.json({ items }, 200, NO_STORE);
  });

  app.delete('/v1/tokens/:id', async (c) => {
    const id = c.req.param('id');
    if (!TOKEN_ID_PATTERN.test(id)) throw new ProblemError('invalid_request', 'A token ID is 6 lowercase letters or digits ([a-z0-9]{6}).');
    const secret = await upstream(deps, 'get token', () => deps.kube.getSecret(BOOTSTRAP_TOKEN_NAMESPACE, tokenSecretName(id)));
    // Only a Secret the broker minted may be revoked here: a kubeadm token (or anything else under
    // that name) is "not found", never deleted.
    const token = secret === undefined ? undefined : readBrokerToken(secret);
    if (token === undefined) throw new ProblemError('not_found', 'No broker-minted token has this ID.');
    const deleted = await upstream(deps, 'delete token', () => deps.kube.deleteSecret(BOOTSTRAP_TOKEN_NAMESPACE, token.secretName, { uid: token.uid }));
    if (!deleted) throw new ProblemError('not_found', 'No broker-minted token has this ID.');
    const principal = c.get('admin');
    const at = deps.clock.now();
    const key = token.identity === undefined ? undefined : ledgerKeyString(token.identity);
    deps.log.info('admin.token_revoked', { tokenId: id, nodeName: token.nodeName, actor: principal.subject });
    // The Secret is gone: that is the revocation. Should the records fail, the cron's reconcile
    // marks the token revoked later (its Secret vanished before expiry, with no Node).
    try {
      if (token.identity !== undefined) await deps.ledger.markTokenRevoked(token.identity, id, at);
      const event: AuditEvent = { at: at.toISOString(), event: 'token.revoked', tokenId: id, reason: 'admin', detail: 'revoked through DELETE /v1/tokens', actor: principal.subject };
      if (token.identity !== undefined) Object.assign(event, token.identity);
      if (token.nodeName !== undefined) event.nodeName = token.nodeName;
      if (token.pool !== undefined) event.pool = token.pool;
      await deps.audit.record(event, { kind: 'token_revoked', tokenId: id, ...(key === undefined ? {} : { key }), at: at.toISOString() });
    } catch (error) {
      deps.log.error('admin.revoke_record_failed', { tokenId: id, error: error instanceof Error ? error.name : 'unknown' });
    }
    return c.body(null, 204, NO_STORE);
  });

  app.get('/v1/joins', async (c) => {
    const parsed = parseAuditQuery(new URL(c.req.url).searchParams);
    if (!parsed.ok) throw new ProblemError('invalid_request', parsed.detail);
    const page = await upstream(deps, 'read audit', () => deps.audit.events(parsed.query));
    return c.json({ items: page.items, nextCursor: page.nextBefore === undefined ? null : encodeCursor(page.nextBefore) }, 200, NO_STORE);
  });

  app.delete('/v1/joins/*', async (c) => {
    // The key is the rest of the raw path, decoded once here (slashes may be encoded or not).
    const key = parseLedgerKey(decodePathRest(new URL(c.req.url).pathname, '/v1/joins/'));
    if (key === undefined) {
      throw new ProblemError('invalid_request', 'The key is <provider>/<account>/<instanceId>, URL-encoded, with provider one of aws, gcp, azure, oidc.');
    }
    const principal = c.get('admin');
    const at = deps.clock.now();
    const result = await upstream(deps, 'reset instance', () => deps.ledger.reset(key, { at, by: principal.subject }));
    if (!result.found) throw new ProblemError('not_found', 'The ledger holds no join or termination for this instance.');
    const previous = result.previous;
    const event: AuditEvent = {
      at: at.toISOString(),
      event: 'instance.reset',
      ...key,
      reason: 'admin',
      detail: previous === undefined ? `termination of ${result.terminatedAt} forgotten` : `join of ${previous.mintedAt} as ${previous.nodeName} forgotten; the instance may join again`,
      actor: principal.subject,
    };
    if (previous !== undefined) Object.assign(event, { nodeName: previous.nodeName, pool: previous.pool, tokenId: previous.tokenId });
    if (previous?.identity.region !== undefined) event.region = previous.identity.region;
    deps.log.info('admin.instance_reset', { key: ledgerKeyString(key), actor: principal.subject });
    await deps.audit.record(event).catch((error: unknown) => {
      deps.log.error('admin.reset_record_failed', { key: ledgerKeyString(key), error: error instanceof Error ? error.name : 'unknown' });
    });
    return c.body(null, 204, NO_STORE);
  });

  return app;
}
