/**
 * The Kubernetes adapter's retry rules, with a scripted fetch and a recording sleep: which
 * failures are retried, how long it waits (Retry-After as a floor, jitter above it in proportion
 * to it; full jitter over the backoff without one), that it stops (tries in all, and the caller's
 * deadline on a clock the sleeps move), and that a create is repeated only when the failure
 * proves it was not applied.
 */
import { describe, expect, it } from 'vitest';
import { createKubeApi, DEFAULT_RETRY, KubeApiError, MIN_ATTEMPT_MS, type KubeApiOptions } from '../../src/cluster/kube-api.js';
import type { Fetch, Random } from '../../src/deps.js';

const TOKEN = 'kube-token-for-adapter-tests-0123456789';
const SECRET = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bootstrap-token-abcdef', namespace: 'kube-system' } };

/** Every random byte is `byte`: jitter = (byte·257)/65536. */
const constantRandom = (byte: number): Random => ({ fill: (bytes) => bytes.fill(byte) });

type Outcome = Response | Error | (() => Response);
const status = (code: number, headers: Record<string, string> = {}, body = '') => () => new Response(body, { status: code, headers });
const json = (code: number, value: unknown, headers: Record<string, string> = {}) => () =>
  new Response(JSON.stringify(value), { status: code, headers: { 'content-type': 'application/json', ...headers } });
const throttled = status(429, { 'content-type': 'text/plain', 'retry-after': '1' }, 'Too many requests, please try again later.\n');
const internal = json(500, { kind: 'Status', status: 'Failure', reason: 'InternalError', code: 500 });
const reset = () => new TypeError('Network connection lost.');
const timedOut = () => new DOMException('The operation was aborted due to timeout', 'TimeoutError');

/** A fetch that plays `outcomes` in order (the last one repeats) and records every call. */
function scriptedFetch(...outcomes: (() => Outcome)[]) {
  const calls: { method: string; url: string; authorization: string | null }[] = [];
  const fetch: Fetch = async (input, init) => {
    calls.push({ method: init?.method ?? 'GET', url: String(input), authorization: new Headers(init?.headers).get('authorization') });
    const outcome = (outcomes[calls.length - 1] ?? outcomes[outcomes.length - 1]!)();
    if (outcome instanceof Error) throw outcome;
    return outcome instanceof Response ? outcome : outcome();
  };
  return { fetch, calls };
}

/** The adapter on a clock that only its sleeps move (from 0). */
function adapter(fetch: Fetch, overrides: Partial<KubeApiOptions> = {}) {
  const sleeps: number[] = [];
  let clock = 0;
  const kube = createKubeApi({
    server: new URL('https://kube.example.test:6443'),
    token: TOKEN,
    fetch,
    timeoutMs: 1000,
    random: constantRandom(0x80),
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
    ...overrides,
  });
  return { kube, sleeps, clock: () => clock };
}

const failureOf = async (promise: Promise<unknown>): Promise<KubeApiError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof KubeApiError)) throw new Error(`expected a KubeApiError, got ${String(error)}`);
  return error;
};

const J80 = 0x8080 / 0x10000;
const JFF = 0xffff / 0x10000;

describe('Retry-After', () => {
  it.each([
    // jitter 0: exactly the server's floor; jitter ≈ 1: (almost) twice the floor — a wave of
    // requests refused together comes back spread over a whole Retry-After, not in one instant.
    // The jitter's span is the larger of the floor and the exponential backoff (100 ms · 2^(n-1), at most 4 s,
    // past the floor from the fifth wait), the whole wait at most maxDelayMs (4 s).
    ['00', 0x00, [1000, 1000, 1000, 1000, 1000, 1000, 1000]],
    ['80', 0x80, [1, 1, 1, 1, 1.6, 3.2, 4].map((span) => Math.min(4000, 1000 + 1000 * span * J80))],
    ['ff', 0xff, [1, 1, 1, 1, 1.6, 3.2, 4].map((span) => Math.min(4000, 1000 + 1000 * span * JFF))],
  ])('429 with Retry-After: 1 (random bytes 0x%s): waits at least 1 s, up to twice that and more as the backoff grows; eight tries in all (DEFAULT_RETRY.throttledAttempts), then fails carrying it', async (_, byte, waits) => {
    const { fetch, calls } = scriptedFetch(throttled);
    const { kube, sleeps } = adapter(fetch, { random: constantRandom(byte) });
    const error = await failureOf(kube.getConfigMap('kube-public', 'cluster-info'));
    expect(error).toMatchObject({ failure: 'status', status: 429, retryAfterSeconds: 1 });
    expect(calls).toHaveLength(DEFAULT_RETRY.throttledAttempts);
    expect(sleeps).toEqual(waits);
  });

  it('a Retry-After longer than the longest wait is not waited out: one try, and the caller gets it', async () => {
    const { fetch, calls } = scriptedFetch(status(429, { 'retry-after': '7' }));
    const { kube, sleeps } = adapter(fetch);
    expect(await failureOf(kube.getConfigMap('kube-public', 'cluster-info'))).toMatchObject({ status: 429, retryAfterSeconds: 7 });
    expect(calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('a wait never exceeds maxDelayMs, even with a Retry-After near the limit', async () => {
    const { fetch } = scriptedFetch(status(503, { 'retry-after': '3' }));
    const { kube, sleeps } = adapter(fetch, { random: constantRandom(0xff) });
    await failureOf(kube.getConfigMap('kube-public', 'cluster-info'));
    expect(sleeps).toEqual([DEFAULT_RETRY.maxDelayMs, DEFAULT_RETRY.maxDelayMs]);
  });

  it.each(['Wed, 21 Oct 2015 07:28:00 GMT', '-1', '1.5', ''])('an unusable Retry-After (%j) is ignored: plain backoff', async (header) => {
    const { fetch } = scriptedFetch(status(503, { 'retry-after': header }));
    const { kube, sleeps } = adapter(fetch, { random: constantRandom(0x00) });
    expect(await failureOf(kube.getConfigMap('kube-public', 'cluster-info'))).toMatchObject({ retryAfterSeconds: undefined });
    expect(sleeps).toEqual([0, 0]);
  });
});

describe('which failures are retried', () => {
  it.each([
    ['500 InternalError', internal, 'status'],
    ['503', status(503), 'status'],
    ['a reset connection', reset, 'network'],
    ['a timeout', timedOut, 'timeout'],
  ] as const)('a GET after %s: full jitter over 100 ms, 200 ms; three tries', async (_, outcome, failure) => {
    const { fetch, calls } = scriptedFetch(outcome);
    const { kube, sleeps } = adapter(fetch);
    expect(await failureOf(kube.getSecret('kube-system', 'bootstrap-token-abcdef'))).toMatchObject({ failure });
    expect(calls.map((c) => c.method)).toEqual(['GET', 'GET', 'GET']);
    expect(sleeps).toEqual([100 * (0x8080 / 0x10000), 200 * (0x8080 / 0x10000)]);
  });

  it('a GET that succeeds on the second try returns its answer', async () => {
    const { fetch, calls } = scriptedFetch(internal, json(200, { data: { kubeconfig: 'x' } }));
    const { kube } = adapter(fetch);
    expect(await kube.getConfigMap('kube-public', 'cluster-info')).toEqual({ data: { kubeconfig: 'x' } });
    expect(calls).toHaveLength(2);
  });

  it.each([
    ['401', status(401)],
    ['403', json(403, { reason: 'Forbidden' })],
    ['409', json(409, { reason: 'AlreadyExists' })],
    ['422', json(422, { reason: 'Invalid' })],
  ])('%s is final: one try', async (_, outcome) => {
    const { fetch, calls } = scriptedFetch(outcome);
    const { kube } = adapter(fetch);
    await failureOf(kube.createSecret('kube-system', SECRET));
    expect(calls).toHaveLength(1);
  });

  it('404 on a GET is "absent", not a failure, and not retried', async () => {
    const { fetch, calls } = scriptedFetch(json(404, { reason: 'NotFound' }));
    const { kube } = adapter(fetch);
    expect(await kube.getSecret('kube-system', 'bootstrap-token-abcdef')).toBeUndefined();
    expect(calls).toHaveLength(1);
  });
});

describe('a create (not idempotent)', () => {
  it.each([
    ['500', internal, { failure: 'status', status: 500 }],
    ['503', status(503), { failure: 'status', status: 503 }],
    ['a reset connection', reset, { failure: 'network' }],
    ['a timeout', timedOut, { failure: 'timeout' }],
  ] as const)('is not repeated after %s, which may hide a completed create', async (_, outcome, expected) => {
    const { fetch, calls } = scriptedFetch(outcome, json(201, SECRET));
    const { kube, sleeps } = adapter(fetch);
    expect(await failureOf(kube.createSecret('kube-system', SECRET))).toMatchObject(expected);
    expect(calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('is repeated after a 429, which proves it was not applied, honouring Retry-After', async () => {
    const { fetch, calls } = scriptedFetch(throttled, throttled, json(201, SECRET));
    const { kube, sleeps } = adapter(fetch, { random: constantRandom(0x00) });
    expect(await kube.createSecret('kube-system', SECRET)).toEqual(SECRET);
    expect(calls.map((c) => c.method)).toEqual(['POST', 'POST', 'POST']);
    expect(sleeps).toEqual([1000, 1000]);
  });

  it('a 201 whose body is cut off is a network failure (outcome unknown), not a success', async () => {
    const cutOff = () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"apiVersion":"v1","kind":"Sec'));
            controller.error(new TypeError('Network connection lost.'));
          },
        }),
        { status: 201, headers: { 'content-type': 'application/json' } },
      );
    const { fetch, calls } = scriptedFetch(cutOff);
    const { kube } = adapter(fetch);
    expect(await failureOf(kube.createSecret('kube-system', SECRET))).toMatchObject({ failure: 'network' });
    expect(calls).toHaveLength(1);
  });

  it('a 201 whose body is not JSON is a network failure too', async () => {
    const { fetch } = scriptedFetch(status(201, { 'content-type': 'application/json' }, '<html>proxy error</html>'));
    const { kube } = adapter(fetch);
    expect(await failureOf(kube.createSecret('kube-system', SECRET))).toMatchObject({ failure: 'network' });
  });
});

describe('the caller\'s deadline', () => {
  it('429s are retried only while a wait and a useful attempt fit before it; the last 429 goes back to the caller', async () => {
    const { fetch, calls } = scriptedFetch(throttled);
    const { kube, sleeps } = adapter(fetch, { random: constantRandom(0x80) });
    const wait = 1000 + 1000 * J80;
    const error = await failureOf(kube.createSecret('kube-system', SECRET, { deadline: 5000 }));
    expect(error).toMatchObject({ failure: 'status', status: 429, retryAfterSeconds: 1 });
    // Tries at 0, 1502, 3004 and 4506 ms; a fifth would start at 6008, past the deadline.
    expect(calls.map((c) => c.method)).toEqual(['POST', 'POST', 'POST', 'POST']);
    expect(sleeps).toEqual([wait, wait, wait]);
  });

  it('a 429 answered after the deadline cannot be retried is the caller\'s at once', async () => {
    const { fetch, calls } = scriptedFetch(throttled);
    const { kube, sleeps } = adapter(fetch);
    await failureOf(kube.createSecret('kube-system', SECRET, { deadline: 1000 + MIN_ATTEMPT_MS }));
    expect(calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('a retry after a 5xx waits only if the deadline leaves room for it', async () => {
    const { fetch, calls } = scriptedFetch(internal);
    const { kube, sleeps } = adapter(fetch, { random: constantRandom(0xff) });
    await failureOf(kube.getSecret('kube-system', 'bootstrap-token-abcdef', { deadline: 100 * JFF + MIN_ATTEMPT_MS }));
    expect(calls).toHaveLength(2);
    expect(sleeps).toEqual([100 * JFF]);
  });

  it.each([
    ['has passed', -1],
    ['leaves less than MIN_ATTEMPT_MS', MIN_ATTEMPT_MS - 1],
  ])('when it %s, nothing is sent: a "deadline" failure, which certainly had no effect', async (_, deadline) => {
    const { fetch, calls } = scriptedFetch(json(201, SECRET));
    const { kube } = adapter(fetch);
    const error = await failureOf(kube.createSecret('kube-system', SECRET, { deadline }));
    expect(error).toMatchObject({ failure: 'deadline', message: 'create secret: deadline', certainlyNotApplied: true, transient: false });
    expect(calls).toEqual([]);
  });

  it('an attempt is aborted when the deadline comes before KUBE_TIMEOUT_MS would', async () => {
    const aborted: number[] = [];
    const fetch: Fetch = (_input, init) =>
      new Promise((_resolve, reject) => {
        const started = Date.now();
        init?.signal?.addEventListener('abort', () => {
          aborted.push(Date.now() - started);
          reject(init.signal!.reason);
        });
      });
    // On the real clock here: the attempt's timeout is what aborts it.
    const kube = createKubeApi({ server: new URL('https://kube.example.test'), token: TOKEN, fetch, timeoutMs: 60_000, random: constantRandom(0), sleep: async () => undefined });
    const error = await failureOf(kube.getSecret('kube-system', 'bootstrap-token-abcdef', { deadline: Date.now() + 300 }));
    expect(error.failure).toBe('timeout');
    // Aborted after ~300 ms (not 60 s); a retry would not fit, so one attempt in all.
    expect(aborted).toHaveLength(1);
    expect(aborted[0]!).toBeLessThan(30_000);
  });
});

describe('the bearer token', () => {
  it('is sent, and no error message carries it', async () => {
    const { fetch, calls } = scriptedFetch(json(500, { reason: 'InternalError', message: `echo ${TOKEN}` }));
    const { kube } = adapter(fetch);
    const error = await failureOf(kube.getConfigMap('kube-public', 'cluster-info'));
    expect(calls[0]!.authorization).toBe(`Bearer ${TOKEN}`);
    expect(`${error.message} ${String(error)} ${JSON.stringify(error)}`).not.toContain(TOKEN);
    expect(error.message).toBe('get configmap: status 500 InternalError');
  });

  it.each([`Bearer ${TOKEN}`, TOKEN, 'Not Found', 'x'.repeat(65)])('a Status reason that is not a StatusReason word (%j) is dropped, not repeated in the message', async (reason) => {
    const { fetch } = scriptedFetch(json(502, { kind: 'Status', reason }));
    const { kube } = adapter(fetch);
    const error = await failureOf(kube.getConfigMap('kube-public', 'cluster-info'));
    expect(error).toMatchObject({ status: 502, reason: undefined, message: 'get configmap: status 502' });
  });
});
