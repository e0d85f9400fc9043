/**
 * Issue 10, faults: the built Worker in workerd against the Kubernetes API emulator while the
 * API misbehaves. Every join answers either a complete bundle whose token works, or 503
 * problem+json with Retry-After; a bundle's token always exists in the cluster; the instance's
 * claim is released (the same document joins once the fault is gone); and every broker Secret
 * either belongs to a returned bundle or expires within its pool's TTL, which the emulator's
 * tokencleaner enforces at the end of the file.
 *
 * Two Workers share one emulator: `stack.worker` reaches it directly (the emulator's own fault
 * switches: 503, refused connections, 5xx, resets, latency, max-in-flight 429s), and `proxied`
 * reaches it through a network the test controls (Miniflare's outbound service), for the two
 * faults the emulator cannot stage: an answer lost after the create was applied, and a token-ID
 * collision (a 36^6 random ID cannot be made to collide by filling the cluster, so the proxy
 * creates a Secret under the very name the Worker is about to use, just before forwarding).
 */
import type { V1Secret } from '@kubernetes/client-node';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAdjustable } from '../../dev/cluster/clock.js';
import type { FaultSettings } from '../../dev/cluster/server/faults.js';
import { bodyOf, brokerClient, joinAws, type BrokerClient, type JoinBundle } from './client.js';
import { kubectl, writeTemp } from './kubectl.js';
import { brokerSecrets, instanceDocument, signDocument, startStack, testPolicy, type Stack } from './stack.js';

/** Small, so "slower than the client timeout" costs little; still far above a healthy call here. */
const KUBE_TIMEOUT_MS = 300;
/** The per-join deadline (JOIN_DEADLINE_MS): room for a few 429 retries at Retry-After: 1. */
const JOIN_DEADLINE_MS = 4000;
const TOKEN_TTL_SECONDS = 600;
const SECRETS = '/api/v1/namespaces/kube-system/secrets';
const CLUSTER_INFO = '/api/v1/namespaces/kube-public/configmaps/cluster-info';
const BROKER_USER = 'system:serviceaccount:kube-system:kube-join-broker';

const env = { KUBE_TIMEOUT_MS: String(KUBE_TIMEOUT_MS), JOIN_DEADLINE_MS: String(JOIN_DEADLINE_MS) };
// One document is posted at most a handful of times here; the limits are not under test.
const rateLimits = { JOIN_RATE_LIMIT_BY_IDENTITY: { simple: { limit: 1000, period: 60 } }, JOIN_RATE_LIMIT_BY_ADDRESS: { simple: { limit: 10_000, period: 60 } } } as const;

let stack: Stack;
/** The typed clients of the two Workers. */
let direct: BrokerClient;
let proxied: BrokerClient;
/** What the controlled network does with the proxied Worker's next Secret creates (default: forward). */
const createPlan: ('forward' | 'collide' | 'apply-then-reset' | 'apply-then-cut-body' | 'apply-then-stall' | 'hold-then-apply')[] = [];
/** Creates planned `hold-then-apply` are applied only when this is called (after the Worker gave up). */
let releaseHeld: () => void = () => undefined;
let held = new Promise<void>((resolve) => (releaseHeld = resolve));
/** Every bundle any join in this file returned, by token ID. */
const returned = new Map<string, JoinBundle>();
/** Names of Secrets the proxy planted to collide with the Worker's token IDs. */
const decoys: { name: string; secret: string; uid: string }[] = [];

beforeAll(async () => {
  const policy = testPolicy([{ name: 'workers', tokenTtl: `${TOKEN_TTL_SECONDS}s` }]);
  stack = await startStack({ policy, env, rateLimits });
  direct = brokerClient(stack);
  proxied = brokerClient(await stack.startWorker({ policy, env, worker: { rateLimits, outbound: controlledNetwork } }));
});
afterAll(() => stack?.stop());

describe('faults through the Worker, against the emulator', () => {
  // First in the file: the isolate has not read cluster-info yet (it caches it for 5 minutes).
  describe('cluster-info, read before anything is claimed or minted', () => {
    it('three 500s on the read (all tries) → 503 with Retry-After; then the document joins', async () => {
      const body = await signDocument(instanceDocument());
      const before = brokerRequests(CLUSTER_INFO).length;
      await withFaults({ failNext: 3, errorPathPrefix: CLUSTER_INFO }, async () => {
        expectRetryLater(await joinAws(direct, body));
      });
      expect(brokerRequests(CLUSTER_INFO).slice(before).map((r) => r.status)).toEqual([500, 500, 500]);
      await expectWorkingBundle(await joinAws(direct, body));
    });
  });

  describe('one join while the fault lasts: 503 problem+json with Retry-After, nothing of it left but what expires; the same document joins afterwards', () => {
    const faults: [string, Partial<FaultSettings>][] = [
      ['the API server answers 503 to everything (unavailable: 503)', { unavailable: '503' }],
      ['the API server refuses connections (unavailable: refuse)', { unavailable: 'refuse' }],
      ['every Secret call answers 502 (errorRate 1)', { errorRate: 1, errorStatus: 502, errorPathPrefix: SECRETS }],
      ['the connection is reset on every Secret call, the create included (resetPathPrefix)', { resetPathPrefix: SECRETS }],
      ['every call is slower than KUBE_TIMEOUT_MS (latencyMs)', { latencyMs: 2 * KUBE_TIMEOUT_MS }],
    ];

    it.each(faults)('%s', async (_, fault) => {
      const document = instanceDocument();
      const body = await signDocument(document);
      await withFaults(fault, async () => {
        expectRetryLater(await joinAws(direct, body));
      });
      if (fault.latencyMs === undefined) {
        // The create failed before the emulator applied it, and nothing else was created.
        expect(secretsOf(document.instanceId)).toEqual([]);
      } else {
        // Requests the Worker gave up on are still being served by the slow emulator: let them
        // land. Whatever they leave must expire (checked below).
        await sleep(fault.latencyMs + 300);
      }
      expectNoUnboundedOrphans();
      const bundle = await expectWorkingBundle(await joinAws(direct, body));
      expect(secretsOf(document.instanceId).map((s) => s.metadata?.name)).toContain(`bootstrap-token-${bundle.tokenId}`);
    });
  });

  // Since the per-join deadline: a create that fails before the API could have applied it is no
  // longer given up after one 5xx (or after three 429s); it is read back and sent again with the
  // same token while JOIN_DEADLINE_MS allows (src/cluster/mint.ts).
  it.each([
    ['500 (failNext)', { failNext: 1, errorPathPrefix: SECRETS, errorMethod: 'POST' }, 500],
    ['504 (failNext, errorStatus)', { failNext: 1, errorStatus: 504, errorPathPrefix: SECRETS, errorMethod: 'POST' }, 504],
  ] as const)('the Secret create answers %s once: read back (absent), sent again with the same token, a working bundle', async (_, fault, status) => {
    const document = instanceDocument();
    const before = brokerRequests(SECRETS).length;
    let bundle: JoinBundle | undefined;
    await withFaults(fault, async () => {
      bundle = await expectWorkingBundle(await joinAws(direct, await signDocument(document)));
    });
    const name = `bootstrap-token-${bundle!.tokenId}`;
    expect(sequence(brokerRequests(SECRETS).slice(before), [name])).toEqual([`POST ${status}`, `GET ${name} 404`, 'POST 201']);
    expect(secretsOf(document.instanceId).map((s) => s.metadata?.name)).toEqual([name]);
  });

  describe('429 storms (max-in-flight, Retry-After: 1)', () => {
    it('a create answered 429 is retried — the 429 proves it was not applied — no sooner than Retry-After, only while the join\'s deadline allows, then 503 Retry-After: 1', async () => {
      const body = await signDocument(instanceDocument());
      const before = brokerRequests(SECRETS).length;
      await withFaults({ maxInFlight: 0 }, async () => {
        const res = expectRetryLater(await joinAws(direct, body));
        expect(res.headers.get('retry-after')).toBe('1');
      });
      const creates = brokerRequests(SECRETS).slice(before).filter((r) => r.method === 'POST');
      // Waits of 1–2 s (Retry-After plus jitter in proportion to it) within 4 s: two to four tries.
      expect(creates.length).toBeGreaterThanOrEqual(2);
      expect(creates.length).toBeLessThanOrEqual(4);
      expect(new Set(creates.map((r) => `${r.method} ${r.status}`))).toEqual(new Set(['POST 429']));
      const gaps = creates.slice(1).map((r, i) => Date.parse(r.time) - Date.parse(creates[i]!.time));
      // Retry-After is a floor. The log has millisecond timestamps, hence the 1 ms allowance.
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(999);
      // No try starts past the deadline (which runs from the join's start, before its first create).
      expect(Date.parse(creates[creates.length - 1]!.time) - Date.parse(creates[0]!.time)).toBeLessThan(JOIN_DEADLINE_MS);
      await expectWorkingBundle(await joinAws(direct, body));
    });

    it('8 concurrent joins against maxInFlight 2 with 100 ms latency: each a working bundle or 503 with Retry-After; the refused ones join afterwards', async () => {
      const bodies = await Promise.all(Array.from({ length: 8 }, () => signDocument(instanceDocument())));
      const before = stack.cluster.requests.length;
      let answers: JoinAnswer[] = [];
      await withFaults({ maxInFlight: 2, latencyMs: 100 }, async () => {
        answers = await Promise.all(bodies.map((body) => joinAws(direct, body)));
      });
      // The storm happened: the emulator refused some of the Worker's requests.
      expect(stack.cluster.requests.slice(before).filter((r) => r.user === BROKER_USER && r.status === 429).length).toBeGreaterThan(0);
      const refused = await settle(answers);
      expectNoUnboundedOrphans();
      for (const index of refused) await expectWorkingBundle(await joinAws(direct, bodies[index]!));
    });
  });

  it('5xx on a third of all calls (errorRate 0.34), 8 concurrent joins: each a working bundle or 503 with Retry-After; the refused ones join afterwards', async () => {
    const bodies = await Promise.all(Array.from({ length: 8 }, () => signDocument(instanceDocument())));
    let answers: JoinAnswer[] = [];
    await withFaults({ errorRate: 0.34 }, async () => {
      answers = await Promise.all(bodies.map((body) => joinAws(direct, body)));
    });
    const refused = await settle(answers);
    expectNoUnboundedOrphans();
    for (const index of refused) await expectWorkingBundle(await joinAws(direct, bodies[index]!));
  });
});

describe('faults the emulator cannot stage, through a network the test controls', () => {
  it('the create is applied but the connection is lost before the answer: the Worker reads its Secret back and answers a working bundle', async () => {
    const document = instanceDocument();
    const before = brokerRequests(SECRETS).length;
    createPlan.push('apply-then-reset');
    const bundle = await expectWorkingBundle(await joinAws(proxied, await signDocument(document)));
    expect(createPlan).toEqual([]);
    expect(sequence(brokerRequests(SECRETS).slice(before), [`bootstrap-token-${bundle.tokenId}`])).toEqual(['POST 201', `GET bootstrap-token-${bundle.tokenId} 200`]);
    expect(secretsOf(document.instanceId).map((s) => s.metadata?.name)).toEqual([`bootstrap-token-${bundle.tokenId}`]);
  });

  it('the create is applied but its answer is cut off mid-body: the same', async () => {
    const document = instanceDocument();
    const before = brokerRequests(SECRETS).length;
    createPlan.push('apply-then-cut-body');
    const bundle = await expectWorkingBundle(await joinAws(proxied, await signDocument(document)));
    expect(createPlan).toEqual([]);
    expect(sequence(brokerRequests(SECRETS).slice(before), [`bootstrap-token-${bundle.tokenId}`])).toEqual(['POST 201', `GET bootstrap-token-${bundle.tokenId} 200`]);
    expect(secretsOf(document.instanceId).map((s) => s.metadata?.name)).toEqual([`bootstrap-token-${bundle.tokenId}`]);
  });

  it('the create is applied but its answer comes after KUBE_TIMEOUT_MS: the Worker times out, reads its Secret back, and answers a working bundle', async () => {
    const document = instanceDocument();
    const before = brokerRequests(SECRETS).length;
    createPlan.push('apply-then-stall');
    const bundle = await expectWorkingBundle(await joinAws(proxied, await signDocument(document)));
    expect(createPlan).toEqual([]);
    expect(sequence(brokerRequests(SECRETS).slice(before), [`bootstrap-token-${bundle.tokenId}`])).toEqual(['POST 201', `GET bootstrap-token-${bundle.tokenId} 200`]);
    expect(secretsOf(document.instanceId).map((s) => s.metadata?.name)).toEqual([`bootstrap-token-${bundle.tokenId}`]);
  });

  it('creates applied only after the Worker gave up (unknown outcome, the join answered 503): the join index revokes the late Secret soon after, not at its TTL', async () => {
    const document = instanceDocument();
    const before = brokerRequests(SECRETS).length;
    createPlan.push('hold-then-apply', 'hold-then-apply', 'hold-then-apply');
    expectRetryLater(await joinAws(proxied, await signDocument(document)));
    expect(createPlan).toEqual([]);
    releaseHeld();
    const landed = await eventually(() => secretsOf(document.instanceId), (secrets) => secrets.length > 0, 5000);
    expect(landed).toHaveLength(1);
    const name = landed[0]!.metadata!.name!;
    // Three creates of that one token, each timed out and read back absent (the creates reached the
    // API server only when released: one applied, the two repeats refused as AlreadyExists).
    const about = sequence(brokerRequests(SECRETS).slice(before), [name]);
    expect(about.filter((r) => r === `GET ${name} 404`)).toHaveLength(3);
    expect(about.filter((r) => r.startsWith('POST')).sort()).toEqual(['POST 201', 'POST 409', 'POST 409']);
    // The index's alarm checks the record 2 s after the join gave up, and deletes what it finds.
    const gone = await eventually(() => secretsOf(document.instanceId), (secrets) => secrets.length === 0, 20_000);
    expect(gone).toEqual([]);
    expect(sequence(brokerRequests(SECRETS).slice(before), [name]).filter((r) => r.startsWith('DELETE'))).toEqual([`DELETE ${name} 200`]);
    held = new Promise<void>((resolve) => (releaseHeld = resolve));
  });

  it('409 on the token name (another token holds the ID): the Worker draws a new token; the other Secret is untouched', async () => {
    const document = instanceDocument();
    createPlan.push('collide');
    const decoysBefore = decoys.length;
    const before = brokerRequests(SECRETS).length;
    const bundle = await expectWorkingBundle(await joinAws(proxied, await signDocument(document)));
    expect(createPlan).toEqual([]);
    const decoy = decoys[decoysBefore]!;
    // A real 409 from the emulator, the name read back (another token's), a new ID created.
    expect(sequence(brokerRequests(SECRETS).slice(before), [decoy.name])).toEqual(['POST 409', `GET ${decoy.name} 200`, 'POST 201']);
    expect(`bootstrap-token-${bundle.tokenId}`).not.toBe(decoy.name);
    expectDecoysUntouched();
    expect(secretsOf(document.instanceId).map((s) => s.metadata?.name)).toEqual([`bootstrap-token-${bundle.tokenId}`]);
  });

  it('409 on all three token IDs it draws: 503 with Retry-After, nothing minted, the other Secrets untouched; the same document joins afterwards', async () => {
    const document = instanceDocument();
    const body = await signDocument(document);
    createPlan.push('collide', 'collide', 'collide');
    const before = brokerRequests(SECRETS).length;
    const decoysBefore = decoys.length;
    const res = expectRetryLater(await joinAws(proxied, body));
    expect(res.headers.get('retry-after')).toBe('1');
    expect(createPlan).toEqual([]);
    expect(sequence(brokerRequests(SECRETS).slice(before), decoys.map((d) => d.name))).toEqual(decoys.slice(decoysBefore).flatMap((d) => ['POST 409', `GET ${d.name} 200`]));
    expect(secretsOf(document.instanceId)).toEqual([]);
    expectDecoysUntouched();
    await expectWorkingBundle(await joinAws(proxied, body));
  });
});

describe('no orphan outlives its TTL', () => {
  it('every broker Secret is a returned bundle\'s or expires within the pool TTL; past it, the tokencleaner leaves none, and a returned token no longer authenticates', async () => {
    expectNoUnboundedOrphans();
    const orphans = brokerSecrets(stack.cluster).filter((s) => !returned.has(tokenIdOf(s)));
    expect(brokerSecrets(stack.cluster).length - orphans.length).toBe(returned.size);
    const anyBundle = [...returned.values()][0]!;

    // Last in the file: from here on the emulator's clock is past every token's expiration.
    const clock = stack.cluster.clock;
    if (!isAdjustable(clock)) throw new Error('the stack emulator runs on an adjustable wall clock');
    clock.advance((TOKEN_TTL_SECONDS + 2) * 1000);
    await stack.cluster.controllers.syncAll();
    expect(brokerSecrets(stack.cluster)).toEqual([]);
    const probe = await kubectl(writeTemp('bootstrap-kubelet.conf', anyBundle.kubeconfig), ['get', 'csr']);
    expect(probe.code).not.toBe(0);
    expect(probe.stderr).toMatch(/Unauthorized|must be logged in/);
  });
});

// ---------------------------------------------------------------------------------------------

async function withFaults(fault: Partial<FaultSettings>, during: () => Promise<void>): Promise<void> {
  stack.cluster.faults.set(fault);
  try {
    await during();
  } finally {
    stack.cluster.faults.reset();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (at most `limitMs`) until `check` holds; returns the last value. A bound on waiting, not a timing assertion. */
async function eventually<T>(read: () => T, check: (value: T) => boolean, limitMs: number): Promise<T> {
  const until = Date.now() + limitMs;
  for (;;) {
    const value = read();
    if (check(value) || Date.now() > until) return value;
    await sleep(100);
  }
}

/** The broker's requests under `pathPrefix`, in the emulator's log order. */
const brokerRequests = (pathPrefix: string) => stack.cluster.requests.filter((r) => r.user === BROKER_USER && r.path.startsWith(pathPrefix));

/**
 * `POST 201`, `GET <name> 200`, …: what the broker asked of the Secrets API and what it was told.
 * Only the creates and the calls about `names` when given: the join index's "revoke later" checks
 * of earlier tests' tokens run in the background meanwhile.
 */
const sequence = (entries: { method: string; path: string; status: number }[], names?: readonly string[]): string[] =>
  entries
    .filter((r) => r.method === 'POST' || names === undefined || names.includes(r.path.slice(SECRETS.length + 1)))
    .map((r) => (r.method === 'POST' ? `POST ${r.status}` : `${r.method} ${r.path.slice(SECRETS.length + 1)} ${r.status}`));

const tokenIdOf = (secret: V1Secret): string => Buffer.from(secret.data?.['token-id'] ?? '', 'base64').toString();
const secretsOf = (instanceId: string): V1Secret[] => brokerSecrets(stack.cluster).filter((s) => s.metadata?.labels?.['kube-join-broker.io/instance'] === instanceId);

type JoinAnswer = Awaited<ReturnType<typeof joinAws>>;

/** 503 upstream_unavailable as problem+json, with a whole-second Retry-After in the header and the body. */
function expectRetryLater({ response, error }: JoinAnswer): Response {
  const text = bodyOf(response);
  expect(response.status, text).toBe(503);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const retryAfter = response.headers.get('retry-after');
  expect(retryAfter).toMatch(/^[1-9][0-9]*$/);
  expect(error).toMatchObject({ code: 'upstream_unavailable', status: 503, retryAfter: Number(retryAfter) });
  expect(text).not.toMatch(/[a-z0-9]{6}\.[a-z0-9]{16}/);
  return response;
}

/**
 * A 200 bundle whose token exists in the cluster as the Secret it names, holding its secret,
 * and whose kubeconfig authenticates with real kubectl (TLS verified with the returned CA).
 */
async function expectWorkingBundle({ response, data }: JoinAnswer): Promise<JoinBundle> {
  expect(response.status, bodyOf(response)).toBe(200);
  const bundle = data!;
  returned.set(bundle.tokenId, bundle);
  const secret = stack.cluster.store.get('secrets', 'kube-system', `bootstrap-token-${bundle.tokenId}`) as unknown as V1Secret | undefined;
  expect(secret, 'the bundle names a Secret that exists').toBeDefined();
  expect(Buffer.from(secret!.data!['token-secret']!, 'base64').toString()).toBe(bundle.token.split('.')[1]);
  const probe = await kubectl(writeTemp('bootstrap-kubelet.conf', bundle.kubeconfig), ['get', 'csr', '-o', 'name']);
  expect(probe.stderr).toBe('');
  expect(probe.code).toBe(0);
  return bundle;
}

/** Checks each answer is a working bundle or a 503 to retry; returns the indexes of the 503s. */
async function settle(answers: JoinAnswer[]): Promise<number[]> {
  const outcomes = await Promise.all(answers.map(async (answer) => (answer.response.status === 200 ? (await expectWorkingBundle(answer), 'joined') : (expectRetryLater(answer), 'later'))));
  return outcomes.flatMap((outcome, index) => (outcome === 'later' ? [index] : []));
}

/**
 * Every broker Secret either is a returned bundle's, or carries an `expiration` no later than
 * its creation plus the pool's TTL (so the tokencleaner removes it). Creation and expiration are
 * both whole seconds; the expiry is computed from the Worker's clock, hence one second of slack.
 */
function expectNoUnboundedOrphans(): void {
  for (const secret of brokerSecrets(stack.cluster)) {
    if (returned.has(tokenIdOf(secret))) continue;
    const expiration = Date.parse(Buffer.from(secret.data?.['expiration'] ?? '', 'base64').toString());
    const created = Date.parse(secret.metadata!.creationTimestamp as unknown as string);
    expect(Number.isFinite(expiration), `${secret.metadata?.name} has an expiration`).toBe(true);
    expect(expiration - created).toBeLessThanOrEqual((TOKEN_TTL_SECONDS + 1) * 1000);
  }
}

function expectDecoysUntouched(): void {
  for (const decoy of decoys) {
    const found = stack.cluster.store.get('secrets', 'kube-system', decoy.name) as unknown as V1Secret | undefined;
    expect(found?.metadata?.uid).toBe(decoy.uid);
    expect(Buffer.from(found!.data!['token-secret']!, 'base64').toString()).toBe(decoy.secret);
  }
}

// --- the controlled network of the proxied Worker ---------------------------------------------

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Forwards one request to the emulator as the Worker sent it. */
async function forward(req: IncomingMessage, body: Buffer): Promise<Response> {
  const headers: Record<string, string> = {};
  for (const name of ['authorization', 'accept', 'content-type']) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return fetch(`${stack.cluster.url}${req.url}`, { method: req.method, headers, body: body.length > 0 ? new Uint8Array(body) : null });
}

/** An operator's `kubeadm token create` that happens to take the ID the Worker is about to use. */
async function plantDecoy(name: string): Promise<void> {
  const tokenId = name.replace('bootstrap-token-', '');
  const secret = 'decoy0secret0000';
  const res = await fetch(`${stack.cluster.url}${SECRETS}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.cluster.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'bootstrap.kubernetes.io/token',
      metadata: { name, namespace: 'kube-system' },
      stringData: { 'token-id': tokenId, 'token-secret': secret, 'usage-bootstrap-authentication': 'true', expiration: new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z') },
    }),
  });
  if (res.status !== 201) throw new Error(`planting ${name}: ${res.status} ${await res.text()}`);
  const created = (await res.json()) as V1Secret;
  decoys.push({ name, secret, uid: created.metadata!.uid! });
}

async function controlledNetwork(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readAll(req);
  const plan = req.method === 'POST' && req.url === SECRETS ? (createPlan.shift() ?? 'forward') : 'forward';
  if (plan === 'collide') await plantDecoy((JSON.parse(body.toString()) as V1Secret).metadata!.name!);
  if (plan === 'hold-then-apply') {
    // The Worker's attempt times out meanwhile; the create reaches the API server later.
    await held;
    await forward(req, body).catch(() => undefined);
    req.socket.destroy();
    return;
  }
  let upstream: Response;
  try {
    upstream = await forward(req, body);
  } catch {
    req.socket.destroy();
    return;
  }
  const answer = Buffer.from(await upstream.arrayBuffer());
  if (plan === 'apply-then-reset') {
    // Applied (the emulator answered), but the Worker never hears back.
    req.socket.destroy();
    return;
  }
  if (plan === 'apply-then-stall') {
    // Applied at once; the answer is held until the Worker has given up on it.
    await sleep(KUBE_TIMEOUT_MS + 200);
    req.socket.destroy();
    return;
  }
  res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json', 'content-length': String(answer.length) });
  if (plan === 'apply-then-cut-body') {
    res.write(answer.subarray(0, answer.length >> 1), () => req.socket.destroy());
    return;
  }
  res.end(answer);
}
