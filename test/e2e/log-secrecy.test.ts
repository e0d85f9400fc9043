/**
 * Issue 10, no secret in logs: joins that succeed, joins refused, joins that meet upstream
 * failures, and admin calls, with every log line captured, then a search of the captured text
 * for each bundle's token, the Worker's KUBE_TOKEN and its ADMIN_TOKEN. The same search runs
 * over every response body, except that a bundle may carry its own token.
 *
 * Two layers: the app with fakes and the capturing logger (test/fakes/deps.ts), where upstream
 * errors can be made to carry the secrets in their messages; and the built Worker in workerd
 * against the emulator, capturing workerd's stdout/stderr and Miniflare's log
 * (`startWorker({ captureOutput: true })`).
 */
import { exportJWK, SignJWT } from 'jose';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, createUnconfiguredApp } from '../../src/app.js';
import { KubeApiError } from '../../src/cluster/kube-api.js';
import { loadConfig } from '../../src/config.js';
import { capturingLogger, fakeDeps, fakeKube, fixedClock, TEST_ENV, testConfig } from '../fakes/deps.js';
import { clusterInfoConfigMap, opensslCa } from '../support/ca.js';
import { startWorker } from '../worker/harness.js';
import { bodyOf, brokerClient, joinAws, joinText } from './client.js';
import { E2E_ADMIN_TOKEN, instanceDocument, signDocument, stackBindings, startStack, type Stack } from './stack.js';

/** Finds each secret in `text`; for a bundle token, its secret half alone counts too. */
function leaked(text: string, secrets: Record<string, string>): string[] {
  return Object.entries(secrets).flatMap(([name, value]) => {
    const secretHalf = /^[a-z0-9]{6}\.([a-z0-9]{16})$/.exec(value)?.[1];
    return text.includes(value) || (secretHalf !== undefined && text.includes(secretHalf)) ? [name] : [];
  });
}

/** Response bodies, each with the one token it may legitimately carry. */
type Answer = { what: string; text: string; ownToken?: string };
/** A response (or a typed client's result, whose body the contract check kept), as an Answer. */
async function answer(what: string, call: Response | Promise<Response | { response: Response }>): Promise<Answer & { status: number }> {
  const result = await call;
  const [status, text] = result instanceof Response ? [result.status, await result.text()] : [result.response.status, bodyOf(result.response)];
  const ownToken = status === 200 ? /[a-z0-9]{6}\.[a-z0-9]{16}/.exec(text)?.[0] : undefined;
  return { what, text, status, ...(ownToken === undefined ? {} : { ownToken }) };
}

function expectNoSecretsIn(answers: Answer[], secrets: Record<string, string>): void {
  for (const { what, text, ownToken } of answers) {
    const others = Object.fromEntries(Object.entries(secrets).filter(([, value]) => value !== ownToken));
    expect(leaked(text, others), what).toEqual([]);
  }
}

describe('fast layer: the app with fakes and the capturing logger', () => {
  const ISSUER = 'https://issuer.example.test';
  const NOW = new Date('2026-11-30T12:00:00Z');
  let key: KeyObject;
  let attacker: KeyObject;
  let policy: string;
  let caPem: string;

  beforeAll(async () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    key = pair.privateKey;
    attacker = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' }] };
    policy = JSON.stringify({
      pools: [{ name: 'workers' }],
      rules: [{ pool: 'workers', provider: 'oidc', accounts: [ISSUER] }],
      oidc: { issuers: [{ issuer: ISSUER, jwks, algorithms: ['RS256'], audience: 'https://join.example.test', identityClaim: 'sub' }] },
    });
    caPem = (await opensslCa()).pem;
  });

  const token = (sub: string, signer = key) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience('https://join.example.test')
      .setSubject(sub)
      .setIssuedAt(Math.floor(NOW.getTime() / 1000) - 5)
      .setExpirationTime(Math.floor(NOW.getTime() / 1000) + 300)
      .sign(signer);

  function app() {
    const log = capturingLogger();
    const kube = fakeKube({ configMaps: { 'kube-public/cluster-info': clusterInfoConfigMap('https://10.0.0.1:6443', caPem) } });
    const deps = fakeDeps({ config: testConfig({ JOIN_POLICY: policy }), kube, log, clock: fixedClock(NOW) });
    return { app: createApp(deps), log, kube };
  }
  const join = (a: ReturnType<typeof app>, body: string, query = '') => a.app.request(`/v1/join/oidc${query}`, { method: 'POST', body });
  const admin = (a: ReturnType<typeof app>, path: string, credential: string, method = 'GET') =>
    a.app.request(path, { method, headers: { authorization: `Bearer ${credential}` } });

  it('joins, refusals, upstream failures (their messages carrying the secrets) and admin calls log none of the secrets', async () => {
    const answers: (Answer & { status: number })[] = [];
    const logs: string[] = [];

    // Successes in every format, then refusals.
    const healthy = app();
    for (const [i, query] of ['', '?format=script', '?format=kubeconfig'].entries()) answers.push(await answer(`join ${query}`, join(healthy, await token(`node-${i}`), query)));
    answers.push(await answer('replay', join(healthy, await token('node-0'))));
    answers.push(await answer('forged', join(healthy, await token('node-9', attacker))));
    answers.push(await answer('garbage', join(healthy, 'not a jwt')));
    const minted = answers.filter((a) => a.status === 200).map((a) => a.ownToken!);
    expect(minted).toHaveLength(3);
    const tokenId = minted[0]!.split('.')[0]!;
    // Admin calls: right credential, wrong ones (a confused caller presenting the KUBE_TOKEN).
    answers.push(await answer('admin list', admin(healthy, '/v1/tokens', TEST_ENV.ADMIN_TOKEN!)));
    answers.push(await answer('admin joins', admin(healthy, '/v1/joins', TEST_ENV.ADMIN_TOKEN!)));
    answers.push(await answer('admin with KUBE_TOKEN', admin(healthy, '/v1/tokens', TEST_ENV.KUBE_TOKEN!)));
    answers.push(await answer('admin with a wrong token', admin(healthy, '/v1/tokens', `${TEST_ENV.ADMIN_TOKEN}x`)));
    answers.push(await answer('admin revoke', admin(healthy, `/v1/tokens/${tokenId}`, TEST_ENV.ADMIN_TOKEN!, 'DELETE')));
    logs.push(healthy.log.text());

    // Upstream failures whose messages carry every secret: only names and codes may be logged.
    const secretsInMessages = `Authorization: Bearer ${TEST_ENV.KUBE_TOKEN} admin=${TEST_ENV.ADMIN_TOKEN} token=${minted.join(',')}`;
    const failing: [string, Error][] = [
      ['a KubeApiError on the create', new KubeApiError('create secret', 'status', 500, 'InternalError')],
      ['a plain Error naming the secrets', new Error(secretsInMessages)],
      ['a TypeError naming the secrets', new TypeError(secretsInMessages)],
    ];
    for (const [what, error] of failing) {
      const broken = app();
      broken.kube.createSecret = async () => {
        throw error;
      };
      answers.push(await answer(what, join(broken, await token(`node-${what.length}`))));
      const coldCa = app();
      coldCa.kube.getConfigMap = async () => {
        throw error;
      };
      answers.push(await answer(`${what} reading cluster-info`, join(coldCa, await token(`node-ca-${what.length}`))));
      logs.push(broken.log.text(), coldCa.log.text());
    }

    // A Worker whose configuration does not parse reports variable names only.
    const unconfiguredLog = capturingLogger();
    const shortAdmin = 'adm1n-but-too-short';
    const bad = loadConfig({ ...TEST_ENV, ADMIN_TOKEN: shortAdmin, KUBE_API_SERVER: `https://broker:${TEST_ENV.KUBE_TOKEN}@kube.example.test` });
    expect(bad.ok).toBe(false);
    if (!bad.ok) answers.push(await answer('unconfigured', createUnconfiguredApp(bad.issues, unconfiguredLog).request('/v1/join/oidc', { method: 'POST', body: 'x' })));
    logs.push(unconfiguredLog.text());

    const secrets = { KUBE_TOKEN: TEST_ENV.KUBE_TOKEN!, ADMIN_TOKEN: TEST_ENV.ADMIN_TOKEN!, 'short ADMIN_TOKEN': shortAdmin, ...Object.fromEntries(minted.map((t, i) => [`bundle token ${i}`, t])) };
    const logText = logs.join('\n');
    expect(logText).toContain('join.minted');
    expect(logText).toContain('join.refused');
    expect(leaked(logText, secrets)).toEqual([]);
    expect(answers.filter((a) => a.status >= 500).length).toBeGreaterThanOrEqual(7);
    expectNoSecretsIn(answers, secrets);
  });
});

describe('workerd layer: the built Worker against the emulator, its output captured', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { KUBE_TIMEOUT_MS: '300' } });
  });
  afterAll(() => stack?.stop());

  it('joins, refusals, upstream failures and admin calls print none of the secrets', async () => {
    const answers: (Answer & { status: number })[] = [];
    const broker = brokerClient(stack);
    const post = (what: string, body: string, format?: 'script' | 'kubeconfig') =>
      answer(what, format === undefined ? joinAws(broker, body) : joinText(broker, 'aws', body, { format }));
    const faulted = async (what: string, fault: Parameters<Stack['cluster']['faults']['set']>[0]) => {
      stack.cluster.faults.set(fault);
      try {
        answers.push(await post(what, await signDocument(instanceDocument())));
      } finally {
        stack.cluster.faults.reset();
      }
    };

    // First: cluster-info unreadable (the isolate has not cached it yet).
    await faulted('cluster-info 500', { failNext: 3, errorPathPrefix: '/api/v1/namespaces/kube-public' });
    const document = instanceDocument();
    answers.push(await post('join json', await signDocument(document)));
    answers.push(await post('join script', await signDocument(instanceDocument()), 'script'));
    answers.push(await post('join kubeconfig', await signDocument(instanceDocument()), 'kubeconfig'));
    answers.push(await post('replay', await signDocument(document)));
    answers.push(await post('stale', await signDocument(instanceDocument({ pendingTime: '2020-01-01T00:00:00Z' }))));
    answers.push(await post('garbage', 'not a pkcs7'));
    await faulted('API 503', { unavailable: '503' });
    await faulted('API refusing connections', { unavailable: 'refuse' });
    await faulted('reset during the create', { resetPathPrefix: '/api/v1/namespaces/kube-system/secrets' });
    await faulted('create 500', { failNext: 1, errorPathPrefix: '/api/v1/namespaces/kube-system/secrets' });
    await faulted('slower than the timeout', { latencyMs: 600 });
    await faulted('429', { maxInFlight: 0 });

    const minted = answers.filter((a) => a.status === 200).map((a) => a.ownToken!);
    // The three joins, and 'create 500': a create that fails before it could apply is read back
    // and sent again with the same token within the join's deadline (src/cluster/mint.ts).
    expect(minted).toHaveLength(4);
    const admin = (credential: string) => brokerClient(stack, { adminToken: credential });
    answers.push(await answer('admin list', admin(E2E_ADMIN_TOKEN).GET('/v1/tokens')));
    answers.push(await answer('admin joins', admin(E2E_ADMIN_TOKEN).GET('/v1/joins')));
    answers.push(await answer('admin with the KUBE_TOKEN', admin(stack.cluster.brokerToken).GET('/v1/tokens')));
    answers.push(await answer('admin with a wrong token', admin(`${E2E_ADMIN_TOKEN}x`).GET('/v1/tokens')));
    answers.push(await answer('admin revoke', admin(E2E_ADMIN_TOKEN).DELETE('/v1/tokens/{id}', { params: { path: { id: minted[0]!.split('.')[0]! } } })));

    // A second Worker on the same emulator whose configuration does not parse.
    const shortAdmin = 'adm1n-but-too-short';
    const unconfigured = await startWorker(
      { ...stackBindings(stack.cluster), ADMIN_TOKEN: shortAdmin, KUBE_API_SERVER: `https://broker:${stack.cluster.brokerToken}@127.0.0.1:1` },
      { captureOutput: true },
    );
    try {
      answers.push(await answer('unconfigured', joinAws(brokerClient(unconfigured), 'x')));
    } finally {
      await unconfigured.dispose();
    }
    expect(answers.find((a) => a.what === 'unconfigured')!.status).toBe(503);

    const output = `${stack.worker.output()}\n${unconfigured.output()}`;
    // The capture works: the Worker's own lines are in it.
    expect(output).toContain('"event":"join.minted"');
    expect(output).toContain('"event":"join.refused"');
    expect(output).toContain('config.invalid');
    const secrets = { KUBE_TOKEN: stack.cluster.brokerToken, ADMIN_TOKEN: E2E_ADMIN_TOKEN, 'short ADMIN_TOKEN': shortAdmin, ...Object.fromEntries(minted.map((t, i) => [`bundle token ${i}`, t])) };
    expect(leaked(output, secrets)).toEqual([]);
    expect(answers.filter((a) => a.status === 503).length).toBeGreaterThanOrEqual(7);
    expectNoSecretsIn(answers, secrets);
  });
});
