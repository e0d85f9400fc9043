/**
 * The wire contract under fuzzing: hostile bodies, query strings and content types posted to
 * every join route the app serves, through `createApp(fakeDeps()).request(...)`. Every answer is a
 * 4xx `application/problem+json` whose `code` is one of PROBLEM_CODES with that code's status, and
 * nothing is minted. Each route first proves the fuzzer reaches the pipeline: its genuine
 * document (a real AWS or Google vector with the clock pinned, a token from a test issuer) joins.
 *
 * Routes come from `createAttestors`, so a provider added there (Azure) is fuzzed with the
 * generic inputs as soon as it lands; provider-specific mutations are listed in SPECIFIC. The
 * lifecycle-hook route is fuzzed as soon as the app mounts it (see its test). Each route gets a
 * tenth of FUZZ_RUNS (10 000 in `npm run fuzz`).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { GOOGLE_JWKS_URI } from '../../src/attest/gcp/index.js';
import type { Provider } from '../../src/attest/identity.js';
import { PROBLEM_CODES, PROBLEM_CONTENT_TYPE } from '../../src/http/problem.js';
import { createAttestors } from '../../src/join/attestors.js';
import { berish, mutationsOf } from '../attest/fuzz-properties.js';
import { perturbedEvents } from '../hooks/aws/fuzz-properties.js';
import { snsBody, VERIFIED_SNS_VECTORS } from '../hooks/aws/vectors.js';
import { base64, derOf, fixtureText } from '../attest/aws/fixtures.js';
import { GCP_VECTORS, insideValidity } from '../attest/gcp/vectors.js';
import { anyInput, mutate, mutations } from '../attest/oidc/mutations.js';
import { generateTestKey, jwksOf, seconds, signToken, type TestKey } from '../attest/oidc/tokens.js';
import { fakeDeps, fakeKube, fixedClock, testConfig } from '../fakes/deps.js';
import { clusterInfoConfigMap, opensslCa } from '../support/ca.js';
import { fuzzRuns } from './settings.js';

const RUNS = fuzzRuns(0.1);
const HOOK_PATH = '/v1/hooks/aws/lifecycle';
const OIDC_ISSUER = 'https://ci.example.com';
const OIDC_NOW = new Date('2026-03-01T12:00:00Z');

const AWS = { rsa2048: derOf('teleport-2021-us-west-2.rsa2048'), document: JSON.parse(fixtureText('teleport-2021-us-west-2.document.json')) as { accountId: string; pendingTime: string } };
const AWS_SIGNATURE_FORM = { document: fixtureText('coder-2022-us-east-1.document.json'), signature: fixtureText('coder-2022-us-east-1.signature').replace(/\s+/g, '') };
const GCP = GCP_VECTORS[0]!;

let oidcKey: TestKey;
let oidcToken: string;
let caPem: string;

function policy(): string {
  return JSON.stringify({
    pools: [{ name: 'workers' }],
    rules: [
      { pool: 'workers', provider: 'aws', accounts: [AWS.document.accountId] },
      { pool: 'workers', provider: 'gcp', accounts: [GCP.projectId] },
      { pool: 'workers', provider: 'oidc', accounts: [OIDC_ISSUER] },
    ],
    gcp: { audience: GCP.aud },
    oidc: { issuers: [{ issuer: OIDC_ISSUER, jwks: jwksOf(oidcKey), algorithms: ['ES256'], audience: 'broker', identityClaim: 'sub' }] },
  });
}

/** The moment each provider's genuine document is fresh. */
const NOW_FOR: Partial<Record<Provider, Date>> = {
  aws: new Date(new Date(AWS.document.pendingTime).getTime() + 60_000),
  gcp: insideValidity(GCP),
  oidc: OIDC_NOW,
};

/** An app whose clock suits `provider`, with Google's keys served by the fake fetch, and its fake cluster. */
function appFor(provider: Provider) {
  const kube = fakeKube({ configMaps: { 'kube-public/cluster-info': clusterInfoConfigMap('https://10.0.0.1:6443', caPem) } });
  const googleKeys = JSON.stringify({ keys: GCP_VECTORS.flatMap((vector) => vector.jwks.keys) });
  const deps = fakeDeps({
    config: testConfig({ JOIN_POLICY: policy() }),
    clock: fixedClock(NOW_FOR[provider] ?? OIDC_NOW),
    kube,
    fetch: async (input) =>
      String(input instanceof Request ? input.url : input) === GOOGLE_JWKS_URI
        ? new Response(googleKeys, { headers: { 'content-type': 'application/json', 'cache-control': 'max-age=3600' } })
        : new Response('not found', { status: 404 }),
  });
  return { app: createApp(deps), kube };
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Inputs for every route: bytes, text, JSON, JWT-, PKCS7-, PEM- and form-shaped. */
const generic: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  berish(),
  berish().map(base64),
  berish().map((b) => `-----BEGIN PKCS7-----\n${base64(b)}\n-----END PKCS7-----\n`),
  anyInput.map((value) => (typeof value === 'string' ? value : JSON.stringify(value) ?? 'null')),
  fc.json({ maxDepth: 3 }),
  fc.record({ document: fc.string(), signature: fc.base64String(), pkcs7: fc.option(fc.base64String(), { nil: undefined }) }).map((o) => JSON.stringify(o)),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom('', ' ', '\n', '{}', '[]', 'null', '\ufeff', '\u0000'),
);

/**
 * Mutations of each provider's genuine document (built when the test runs: the OIDC key is made
 * in beforeAll). Azure: generic inputs only for now; its mutated real documents are fuzzed by
 * test/attest/azure/fuzz.test.ts, and belong here (with a genuine join, which needs a nonce
 * from the nonce store) once that suite is committed.
 */
const SPECIFIC: Partial<Record<Provider, () => fc.Arbitrary<string | Uint8Array>>> = {
  aws: () =>
    fc.oneof(
      mutationsOf(AWS.rsa2048).map(base64),
      mutationsOf(new TextEncoder().encode(base64(AWS.rsa2048))).map(text),
      mutationsOf(new TextEncoder().encode(JSON.stringify(AWS_SIGNATURE_FORM))),
      fc.constant(JSON.stringify({ document: fixtureText('teleport-2021-us-west-1.document.json'), pkcs7: base64(AWS.rsa2048) })),
    ),
  gcp: () => mutations.map((changes) => changes.reduce(mutate, GCP.token)).filter((t) => t !== GCP.token),
  oidc: () => mutations.map((changes) => changes.reduce(mutate, oidcToken)).filter((t) => t !== oidcToken),
};

const GENUINE: Partial<Record<Provider, () => string>> = {
  aws: () => base64(AWS.rsa2048),
  gcp: () => GCP.token,
  oidc: () => oidcToken,
};

const queries = fc.oneof(
  { weight: 6, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constantFrom('?format=json', '?format=script&mode=kubelet', '?format=yaml', '?mode=csr', '?format=', '?format=script&mode=%00', '?format=json&format=script') },
  { weight: 1, arbitrary: fc.webQueryParameters().map((q) => `?${q}`) },
);
const contentTypes = fc.option(fc.constantFrom('application/json', 'text/plain', 'application/pkcs7-mime', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', '*/*'), { nil: undefined });

async function expectProblem4xx(response: Response): Promise<string> {
  const body = await response.text();
  expect(response.status, body).toBeGreaterThanOrEqual(400);
  expect(response.status, body).toBeLessThan(500);
  expect(response.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
  const problem = JSON.parse(body) as { code: keyof typeof PROBLEM_CODES; status: number };
  expect(Object.keys(PROBLEM_CODES)).toContain(problem.code);
  expect(problem.status).toBe(response.status);
  expect(PROBLEM_CODES[problem.code].status).toBe(response.status);
  return problem.code;
}

beforeAll(async () => {
  oidcKey = await generateTestKey('ES256', 'ci-1');
  oidcToken = await signToken(oidcKey, { iss: OIDC_ISSUER, aud: 'broker', sub: 'runner-7', iat: seconds(OIDC_NOW) - 30, exp: seconds(OIDC_NOW) + 300 });
  caPem = (await opensslCa()).pem;
});

// The routes the app serves: one per attestor, whatever providers exist.
const PROVIDERS = Object.keys(createAttestors(fakeDeps())) as Provider[];

describe.each(PROVIDERS)('POST /v1/join/%s under fuzzing', (provider) => {
  it(`answers hostile input with a 4xx problem+json and mints nothing (${RUNS} runs)`, async () => {
    const { app, kube } = appFor(provider);
    const genuine = GENUINE[provider];
    if (genuine !== undefined) {
      // The fuzzer reaches the pipeline: this route's genuine document joins.
      const joined = await app.request(`/v1/join/${provider}`, { method: 'POST', body: genuine() });
      expect(joined.status, await joined.clone().text()).toBe(200);
    }
    const minted = kube.secrets.size;
    const specific = SPECIFIC[provider];
    const bodies = specific === undefined ? generic : fc.oneof(generic, specific());
    const codes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(bodies, queries, contentTypes, async (body, query, contentType) => {
        const response = await app.request(`/v1/join/${provider}${query}`, {
          method: 'POST',
          body: typeof body === 'string' ? body : new Uint8Array(body),
          headers: contentType === undefined ? {} : { 'content-type': contentType },
        });
        const code = await expectProblem4xx(response);
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }),
      { numRuns: RUNS },
    );
    expect(kube.secrets.size).toBe(minted);
    // With mutations of a genuine document, not everything dies at the first check: the
    // verifier's own refusals are reached too.
    if (specific !== undefined) expect([...codes.keys()].some((code) => code !== 'malformed_document' && code !== 'invalid_request')).toBe(true);
  });
});

describe('oversized and odd requests to every join route', () => {
  it.each(PROVIDERS)('%s: a body over the limit is 413 payload_too_large, streamed or declared', async (provider) => {
    const { app, kube } = appFor(provider);
    const big = new Uint8Array(testConfig().maxBodyBytes + 1).fill(0x41);
    expect(await expectProblem4xx(await app.request(`/v1/join/${provider}`, { method: 'POST', body: big }))).toBe('payload_too_large');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new Uint8Array(8192).fill(0x41));
        controller.close();
      },
    });
    const streamed = await app.request(`/v1/join/${provider}`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(await expectProblem4xx(streamed)).toBe('payload_too_large');
    expect(kube.secrets.size).toBe(0);
  });
});

/**
 * The lifecycle-hook route (src/hooks/aws, DESIGN "Who calls it" 2): perturbed EventBridge/SNS
 * events, mutated signed SNS bodies and arbitrary JSON, each answered with a 4xx problem+json
 * (none of them carries the hook's credentials or a valid signature). The route must be mounted:
 * a 404 not_found for the probe or for any fuzzed body fails, so an unmounted route cannot pass.
 */
describe(`POST ${HOOK_PATH} under fuzzing`, () => {
  it(`answers hostile hook payloads with a 4xx problem+json (${RUNS} runs)`, async () => {
    const { app, kube } = appFor('aws');
    const probe = await app.request(HOOK_PATH, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    const mounted = (await expectProblem4xx(probe)) !== 'not_found';
    expect(mounted).toBe(true);
    const bodies = fc.oneof(
      perturbedEvents(),
      fc.constantFrom(...VERIFIED_SNS_VECTORS).chain((vector) => mutationsOf(snsBody(vector))),
      fc.json({ maxDepth: 3 }),
      fc.string({ unit: 'binary', maxLength: 300 }),
    );
    const messageTypes = fc.option(fc.constantFrom('Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation', 'Bogus'), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(bodies, messageTypes, async (body, messageType) => {
        const headers: Record<string, string> = { 'content-type': messageType === undefined ? 'application/json' : 'text/plain; charset=UTF-8' };
        if (messageType !== undefined) headers['x-amz-sns-message-type'] = messageType;
        const response = await app.request(HOOK_PATH, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers });
        expect(await expectProblem4xx(response)).not.toBe('not_found');
      }),
      { numRuns: RUNS },
    );
    expect(kube.secrets.size).toBe(0);
  });
});

// The CSR approver's parser and decisions (node-bound certificates) have their own properties:
// test/fuzz/csr.test.ts (CSRs reach the broker from the cluster, not through a route).
