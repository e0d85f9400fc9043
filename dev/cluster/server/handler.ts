/**
 * The request pipeline, in kube-apiserver's filter order
 * (staging/src/k8s.io/apiserver/pkg/server/config.go DefaultBuildHandlerChain):
 *   connection faults → audit id + cache headers → authentication (401) → max-in-flight (429,
 *   watches exempt) → injected latency / 5xx → APF headers → authorization (403) → handler.
 * The handler is generic over the registry: discovery and health, then resource verbs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID, timingSafeEqual, createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { parse as parseYaml } from 'yaml';
import { type FieldError, notSupported } from '../apimachinery/field-errors.js';
import { decodeKubernetesProtobuf } from '../apimachinery/protobuf.js';
import {
  badRequest,
  internalError,
  invalidError,
  methodNotSupported,
  pathNotFound,
  requestEntityTooLarge,
  serviceUnavailable,
  StatusError,
  statusJSON,
  unauthorized,
  unsupportedMediaType,
} from '../apimachinery/status.js';
import type { Authenticator } from '../auth/authn/authenticator.js';
import type { Attributes } from '../auth/authz/attributes.js';
import { forbiddenFor } from '../auth/authz/union.js';
import type { UserInfo } from '../auth/user.js';
import { type AdjustableClock, type Clock, isAdjustable } from '../clock.js';
import type { Controllers } from '../controllers/manager.js';
import type { ApiCore } from '../registry/api.js';
import { groupResource } from '../registry/types.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.js';
import { FaultError, type Faults, type FaultSettings } from './faults.js';
import { openApiV3Document, openApiV3Index } from './openapi.js';
import { type RequestInfo, requestInfo } from './request-info.js';
import { tableRequest, toTable } from './table.js';
import { serveWatch } from './watch.js';

const MAX_BODY_BYTES = 3 * 1024 * 1024;
const CONTROL_PREFIX = '/__emulator/';

export interface RequestLogEntry {
  readonly time: string;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly user: string;
  readonly verb: string;
  readonly status: number;
  readonly auditId: string;
}

export interface HandlerContext {
  readonly api: ApiCore;
  readonly authenticator: Authenticator;
  readonly faults: Faults;
  readonly clock: Clock;
  readonly controllers: Controllers;
  readonly adminToken: string;
  readonly serverAddress: () => string;
  readonly requestLog: RequestLogEntry[];
  readonly requestLogLimit: number;
  readonly flowSchemaUid: string;
  readonly priorityLevelUid: string;
}

interface Reply {
  status: number;
  body: string;
  contentType: string;
}

const jsonReply = (status: number, body: unknown): Reply => ({ status, body: `${JSON.stringify(body)}\n`, contentType: 'application/json' });
const statusReply = (e: StatusError): Reply => ({ status: e.code, body: `${statusJSON(e.body)}\n`, contentType: 'application/json' });
const textReply = (status: number, text: string): Reply => ({ status, body: text, contentType: 'text/plain; charset=utf-8' });

class ActiveRequests {
  count = 0;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(requestEntityTooLarge(`limit is ${MAX_BODY_BYTES}`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function decodeBody(raw: Buffer, contentType: string | undefined): unknown {
  const type = (contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  const text = raw.toString('utf8');
  if (type === 'application/json' || type === '') {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw badRequest(`json: ${(e as Error).message}`);
    }
  }
  if (type === 'application/vnd.kubernetes.protobuf') {
    try {
      return decodeKubernetesProtobuf(new Uint8Array(raw));
    } catch (e) {
      throw badRequest(`protobuf: ${(e as Error).message}`);
    }
  }
  if (type === 'application/yaml') {
    try {
      return parseYaml(text);
    } catch (e) {
      throw badRequest(`yaml: ${(e as Error).message}`);
    }
  }
  throw unsupportedMediaType(['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']);
}

/** rest.ValidateDryRun: only `All` is accepted. */
function dryRunOption(query: URLSearchParams, optionsKind: string): boolean {
  const values = query.getAll('dryRun');
  if (values.length === 0) return false;
  if (values.every((v) => v === 'All')) return true;
  const errs: FieldError[] = [
    notSupported('dryRun', { goSyntax: `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}` }, ['All']),
  ];
  throw invalidError({ group: 'meta.k8s.io', kind: optionsKind }, '', errs);
}

function sameSecret(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

function attributesOf(user: UserInfo, info: RequestInfo): Attributes {
  return {
    user,
    verb: info.verb,
    isResourceRequest: info.isResourceRequest,
    path: info.path,
    namespace: info.namespace,
    apiGroup: info.apiGroup,
    apiVersion: info.apiVersion,
    resource: info.resource,
    subresource: info.subresource,
    name: info.name,
  };
}

export function createHandler(ctx: HandlerContext): (req: IncomingMessage, res: ServerResponse) => void {
  const active = new ActiveRequests();
  return (req, res) => {
    void handle(ctx, active, req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        const e = err instanceof StatusError ? err : internalError(String((err as Error)?.message ?? err));
        send(res, statusReply(e));
      } else if (!res.writableEnded) res.end();
    });
  };
}

function decodedPath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function send(res: ServerResponse, r: Reply, extra: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(r.status, { 'Content-Type': r.contentType, 'Content-Length': Buffer.byteLength(r.body), ...extra });
  res.end(r.body);
}

async function handle(ctx: HandlerContext, active: ActiveRequests, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  // Go's net/http hands the API server the decoded path (URL.Path): a client that escapes ':' in
  // a name (client-node uses encodeURIComponent) must reach the same object as one that does not.
  const path = decodedPath(url.pathname);
  const method = (req.method ?? 'GET').toUpperCase();
  const auditId = randomUUID();
  res.setHeader('Audit-Id', auditId);
  res.setHeader('Cache-Control', 'no-cache, private');
  let user = '';
  let verb = '';
  const log = (status: number): void => {
    ctx.requestLog.push({ time: ctx.clock.now().toISOString(), method, path, query: url.search, user, verb, status, auditId });
    if (ctx.requestLog.length > ctx.requestLogLimit) ctx.requestLog.splice(0, ctx.requestLog.length - ctx.requestLogLimit);
  };

  if (path.startsWith(CONTROL_PREFIX)) {
    const r = await control(ctx, req, method, path, url);
    send(res, r);
    return;
  }

  const faults = ctx.faults.current;
  if (faults.unavailable === 'refuse' || (faults.resetPathPrefix !== null && path.startsWith(faults.resetPathPrefix))) {
    log(0);
    req.socket.destroy();
    return;
  }
  if (faults.unavailable === '503') {
    log(503);
    send(res, statusReply(serviceUnavailable('the server is currently unable to handle the request')));
    return;
  }

  const info = requestInfo(method, path, url.searchParams);
  verb = info.verb;
  const socket = req.socket as Partial<TLSSocket>;
  const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate(false) : undefined;
  const authn = await ctx.authenticator.authenticate({
    authorization: req.headers.authorization,
    clientCertificate: peer && peer.raw ? new Uint8Array(peer.raw) : undefined,
  });
  if (!authn.ok) {
    log(401);
    send(res, statusReply(unauthorized()));
    return;
  }
  user = authn.user.name;

  const longRunning = info.verb === 'watch';
  if (!longRunning && faults.maxInFlight !== null && active.count >= faults.maxInFlight) {
    log(429);
    send(res, textReply(429, 'Too many requests, please try again later.\n'), {
      'Retry-After': '1',
      'X-Content-Type-Options': 'nosniff',
      'X-Kubernetes-Pf-Flowschema-Uid': ctx.flowSchemaUid,
      'X-Kubernetes-Pf-Prioritylevel-Uid': ctx.priorityLevelUid,
    });
    return;
  }
  if (!longRunning) active.count++;
  try {
    if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
    if (ctx.faults.shouldFail(path, method)) {
      const status = ctx.faults.current.errorStatus;
      const e =
        status === 503
          ? serviceUnavailable('the server is currently unable to handle the request')
          : status === 500
            ? internalError('injected fault')
            : new StatusError({ status: 'Failure', message: 'injected fault', reason: 'InternalError', code: status });
      log(e.code);
      send(res, statusReply(e));
      return;
    }
    res.setHeader('X-Kubernetes-Pf-Flowschema-Uid', ctx.flowSchemaUid);
    res.setHeader('X-Kubernetes-Pf-Prioritylevel-Uid', ctx.priorityLevelUid);

    const attrs = attributesOf(authn.user, info);
    const decision = ctx.api.authorizer.authorize(attrs);
    if (decision.decision !== 'allow') {
      log(403);
      send(res, statusReply(forbiddenFor(attrs, decision.reason)));
      return;
    }

    if (!info.isResourceRequest) {
      const r = nonResource(ctx, method, path);
      log(r.status);
      send(res, r);
      return;
    }
    const r = await resource(ctx, req, res, info, url, authn.user, () => log(200));
    if (r) {
      log(r.status);
      send(res, r);
    }
  } catch (err) {
    const e = err instanceof StatusError ? err : internalError(String((err as Error)?.message ?? err));
    log(e.code);
    send(res, statusReply(e));
  } finally {
    if (!longRunning) active.count--;
  }
}

function nonResource(ctx: HandlerContext, method: string, path: string): Reply {
  if (method !== 'GET' && method !== 'HEAD') return statusReply(pathNotFound());
  const registry = ctx.api.registry;
  const p = path.replace(/\/+$/, '') || '/';
  if (p === '/healthz' || p === '/livez' || p === '/readyz') return textReply(200, 'ok');
  if (p === '/version') return jsonReply(200, versionInfo());
  if (p === '/api') return jsonReply(200, apiVersions(ctx.serverAddress()));
  if (p === '/apis') return jsonReply(200, apiGroupList(registry));
  if (p === '/openapi/v3') return jsonReply(200, openApiV3Index(registry));
  let m = /^\/api\/([^/]+)$/.exec(p);
  if (m) {
    const list = apiResourceList(registry, '', m[1]!);
    return list ? jsonReply(200, list) : statusReply(pathNotFound());
  }
  m = /^\/apis\/([^/]+)$/.exec(p);
  if (m) {
    const g = apiGroup(registry, m[1]!);
    return g ? jsonReply(200, g) : statusReply(pathNotFound());
  }
  m = /^\/apis\/([^/]+)\/([^/]+)$/.exec(p);
  if (m) {
    const list = apiResourceList(registry, m[1]!, m[2]!);
    return list ? jsonReply(200, list) : statusReply(pathNotFound());
  }
  m = /^\/openapi\/v3\/(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))$/.exec(p);
  if (m) {
    const doc = m[1] ? openApiV3Document(registry, '', m[1]) : openApiV3Document(registry, m[2]!, m[3]!);
    return doc ? jsonReply(200, doc) : statusReply(pathNotFound());
  }
  return statusReply(pathNotFound());
}

async function resource(
  ctx: HandlerContext,
  req: IncomingMessage,
  res: ServerResponse,
  info: RequestInfo,
  url: URL,
  user: UserInfo,
  onWatchStart: () => void,
): Promise<Reply | undefined> {
  const api = ctx.api;
  const kind = api.registry.find(info.apiGroup, info.apiVersion, info.resource);
  if (!kind) return statusReply(pathNotFound());
  const q = url.searchParams;
  // Namespace scoping of the URL must fit the kind.
  const namespace = kind.namespaced ? info.namespace || undefined : undefined;
  if (!kind.namespaced && info.namespace && kind.plural !== 'namespaces') return statusReply(pathNotFound());
  if (kind.namespaced && info.name && !info.namespace) return statusReply(pathNotFound());
  if (info.subresource && !kind.subresources?.[info.subresource] && !kind.createSubresources?.[info.subresource]) return statusReply(pathNotFound());
  const name = info.verb === 'list' || info.verb === 'watch' || info.verb === 'create' ? '' : info.name;
  const table = tableRequest(req.headers.accept, q.get('includeObject'));
  const now = ctx.clock.now();
  const single = (o: unknown, status = 200): Reply =>
    table ? jsonReply(status, toTable(kind, [o as never], now, table, undefined)) : jsonReply(status, o);

  if (kind.createVirtual && info.verb !== 'create') return statusReply(methodNotSupported(groupResource(kind), info.verb));

  switch (info.verb) {
    case 'get':
      return single(api.get(kind, namespace, name));
    case 'list': {
      const list = api.list(kind, namespace, { labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined });
      if (table) return jsonReply(200, toTable(kind, list.items, now, table, list.resourceVersion));
      return jsonReply(200, {
        kind: `${kind.kind}List`,
        apiVersion: kind.group ? `${kind.group}/${kind.version}` : kind.version,
        metadata: { resourceVersion: list.resourceVersion },
        items: list.items,
      });
    }
    case 'watch': {
      const selectors = api.parseSelectors(kind, { labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined });
      const timeout = q.get('timeoutSeconds');
      onWatchStart();
      serveWatch(
        api,
        res,
        {
          kind,
          namespace,
          selectors,
          resourceVersion: q.get('resourceVersion') ?? undefined,
          sendInitialEvents: q.get('sendInitialEvents') === 'true',
          timeoutSeconds: timeout ? Number(timeout) : 1800,
          table,
        },
        () => {},
      );
      return undefined;
    }
    case 'create': {
      if (info.name && !info.subresource) return statusReply(methodNotSupported(groupResource(kind), 'create'));
      const dryRun = dryRunOption(q, 'CreateOptions');
      const body = decodeBody(await readBody(req), req.headers['content-type']);
      if (info.subresource && kind.createSubresources?.[info.subresource]) {
        return jsonReply(201, api.createSubresource(kind, namespace, info.name, info.subresource, body, user, { dryRun }));
      }
      return single(api.create(kind, namespace, body, user, { dryRun }), 201);
    }
    case 'update': {
      const dryRun = dryRunOption(q, 'UpdateOptions');
      const body = decodeBody(await readBody(req), req.headers['content-type']);
      const r = api.update(kind, namespace, name, body, user, { dryRun }, info.subresource);
      return single(r.object, r.created ? 201 : 200);
    }
    case 'patch': {
      const dryRun = dryRunOption(q, 'PatchOptions');
      const raw = (await readBody(req)).toString('utf8');
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      return single(api.patch(kind, namespace, name, contentType, raw, user, { dryRun }, info.subresource));
    }
    case 'delete': {
      const dryRun = dryRunOption(q, 'DeleteOptions');
      const raw = await readBody(req);
      let preconditions: { uid?: string; resourceVersion?: string } | undefined;
      let bodyDryRun = false;
      if (raw.length > 0) {
        const opts = decodeBody(raw, req.headers['content-type']) as { preconditions?: { uid?: string; resourceVersion?: string }; dryRun?: string[] } | null;
        preconditions = opts?.preconditions;
        bodyDryRun = Array.isArray(opts?.dryRun) && opts.dryRun.includes('All');
      }
      const r = api.delete(kind, namespace, name, user, { dryRun: dryRun || bodyDryRun, preconditions });
      if (r.object) return single(r.object);
      return { status: 200, body: `${statusJSON(r.status!)}\n`, contentType: 'application/json' };
    }
    default:
      return statusReply(methodNotSupported(groupResource(kind), info.verb || (req.method ?? '')));
  }
}

/** `/__emulator/…`: fault switches, request log, controller sync and clock, for the admin token only. */
async function control(ctx: HandlerContext, req: IncomingMessage, method: string, path: string, url: URL): Promise<Reply> {
  const header = (req.headers.authorization ?? '').trim();
  const token = header.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : '';
  if (!token || !sameSecret(token, ctx.adminToken)) return statusReply(unauthorized());
  const readJson = async (): Promise<Record<string, unknown>> => {
    const raw = await readBody(req);
    if (raw.length === 0) return {};
    const v = decodeBody(raw, 'application/json');
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badRequest('expected a JSON object');
    return v as Record<string, unknown>;
  };
  try {
    switch (`${method} ${path}`) {
      case 'GET /__emulator/faults':
        return jsonReply(200, ctx.faults.current);
      case 'POST /__emulator/faults':
      case 'PUT /__emulator/faults':
      case 'PATCH /__emulator/faults':
        return jsonReply(200, ctx.faults.set((await readJson()) as Partial<FaultSettings>));
      case 'DELETE /__emulator/faults':
        return jsonReply(200, ctx.faults.reset());
      case 'GET /__emulator/requests':
        return jsonReply(200, ctx.requestLog);
      case 'DELETE /__emulator/requests':
        ctx.requestLog.length = 0;
        return jsonReply(200, []);
      case 'POST /__emulator/controllers/sync':
        await ctx.controllers.syncAll();
        return jsonReply(200, { synced: true });
      case 'GET /__emulator/clock':
        return jsonReply(200, { now: ctx.clock.now().toISOString() });
      case 'POST /__emulator/clock': {
        const body = await readJson();
        if (!isAdjustable(ctx.clock)) return statusReply(badRequest('this emulator runs with a clock that cannot be moved'));
        const ms = Number(body.advanceMs ?? 0);
        if (!Number.isFinite(ms)) return statusReply(badRequest('advanceMs must be a number'));
        (ctx.clock as AdjustableClock).advance(ms);
        return jsonReply(200, { now: ctx.clock.now().toISOString() });
      }
      default:
        void url;
        return statusReply(pathNotFound());
    }
  } catch (e) {
    if (e instanceof FaultError) return statusReply(badRequest(e.message));
    throw e;
  }
}

