import type { Provider } from '../attest/identity.js';
import { OUTCOME_EVENTS, type AuditQuery, type JoinOutcome, type StoredAuditEvent } from './audit.js';

/**
 * `GET /v1/joins` query parameters → AuditQuery, and the opaque cursor. Pure; every parameter is
 * validated and anything else (an unknown or repeated parameter) is refused with a detail that
 * names the parameter, so a typo never silently widens a query.
 */

export const PROVIDERS = ['aws', 'gcp', 'azure', 'oidc'] as const satisfies readonly Provider[];
const _everyProvider: Exclude<Provider, (typeof PROVIDERS)[number]> extends never ? true : never = true;
void _everyProvider;

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

const PARAMETERS = ['provider', 'account', 'node', 'instanceId', 'since', 'until', 'outcome', 'limit', 'cursor'] as const;
type Parameter = (typeof PARAMETERS)[number];

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;
const NODE_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
// Printable, no control characters (they would only ever be an attack on a log viewer).
const PRINTABLE = /^[^\p{Cc}]{1,256}$/u;

export type AuditQueryParse = { ok: true; query: AuditQuery } | { ok: false; detail: string };

export function parseAuditQuery(params: URLSearchParams): AuditQueryParse {
  const seen = new Map<Parameter, string>();
  for (const [name, value] of params) {
    if (!(PARAMETERS as readonly string[]).includes(name)) {
      return fail(`Unknown query parameter "${name.slice(0, 40)}"; allowed: ${PARAMETERS.join(', ')}.`);
    }
    if (seen.has(name as Parameter)) return fail(`Query parameter "${name}" is given more than once.`);
    seen.set(name as Parameter, value);
  }
  const query: AuditQuery = { limit: DEFAULT_PAGE_SIZE };

  const provider = seen.get('provider');
  if (provider !== undefined) {
    if (!(PROVIDERS as readonly string[]).includes(provider)) return fail(`provider must be one of ${PROVIDERS.join(', ')}.`);
    query.provider = provider as Provider;
  }
  for (const [name, field] of [['account', 'account'], ['instanceId', 'instanceId']] as const) {
    const value = seen.get(name);
    if (value === undefined) continue;
    if (!PRINTABLE.test(value)) return fail(`${name} must be 1 to 256 printable characters.`);
    query[field] = value;
  }
  const node = seen.get('node');
  if (node !== undefined) {
    if (!NODE_NAME.test(node)) return fail('node must be a Kubernetes node name (lowercase DNS-1123 subdomain, at most 253 characters).');
    query.nodeName = node;
  }
  for (const name of ['since', 'until'] as const) {
    const value = seen.get(name);
    if (value === undefined) continue;
    const ms = RFC3339.test(value) ? Date.parse(value) : Number.NaN;
    if (!Number.isFinite(ms)) return fail(`${name} must be an RFC 3339 date-time with an offset, e.g. 2026-01-02T03:04:05Z.`);
    query[name] = new Date(ms).toISOString();
  }
  if (query.since !== undefined && query.until !== undefined && Date.parse(query.since) >= Date.parse(query.until)) {
    return fail('since must be earlier than until.');
  }
  const outcome = seen.get('outcome');
  if (outcome !== undefined) {
    if (!Object.hasOwn(OUTCOME_EVENTS, outcome)) return fail(`outcome must be one of ${Object.keys(OUTCOME_EVENTS).join(', ')}.`);
    query.outcome = outcome as JoinOutcome;
  }
  const limit = seen.get('limit');
  if (limit !== undefined) {
    const n = /^\d{1,4}$/.test(limit) ? Number(limit) : Number.NaN;
    if (!(n >= 1 && n <= MAX_PAGE_SIZE)) return fail(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}.`);
    query.limit = n;
  }
  const cursor = seen.get('cursor');
  if (cursor !== undefined) {
    const before = decodeCursor(cursor);
    if (before === undefined) return fail('cursor is not one this broker issued; pass nextCursor from the previous page unchanged.');
    query.before = before;
  }
  return { ok: true, query };
}

function fail(detail: string): AuditQueryParse {
  return { ok: false, detail };
}

/** The cursor is opaque to clients: base64url of `{"v":1,"before":<event id>}`. */
export function encodeCursor(before: number): string {
  return btoa(JSON.stringify({ v: 1, before })).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeCursor(cursor: string): number | undefined {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) return undefined;
  try {
    const parsed: unknown = JSON.parse(atob(cursor.replace(/-/g, '+').replace(/_/g, '/')));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { v, before } = parsed as Record<string, unknown>;
    return v === 1 && typeof before === 'number' && Number.isSafeInteger(before) && before > 0 ? before : undefined;
  } catch {
    return undefined;
  }
}

/** The query's filter as a predicate: the in-memory index uses it; the SQL in sql.ts says the same. */
export function auditEventMatches(event: StoredAuditEvent, query: AuditQuery): boolean {
  const at = Date.parse(event.at);
  return (
    (query.provider === undefined || event.provider === query.provider) &&
    (query.account === undefined || event.account === query.account) &&
    (query.nodeName === undefined || event.nodeName === query.nodeName) &&
    (query.instanceId === undefined || event.instanceId === query.instanceId) &&
    (query.since === undefined || at >= Date.parse(query.since)) &&
    (query.until === undefined || at < Date.parse(query.until)) &&
    (query.outcome === undefined || event.event === OUTCOME_EVENTS[query.outcome]) &&
    (query.before === undefined || event.id < query.before)
  );
}
