/**
 * Issue 6 end to end: an Azure, a GCP and an OIDC join through the built Worker in workerd,
 * against the Kubernetes API emulator, each with a document signed in the test by a key the
 * development policy trusts (`azure.extraRoots`, `gcp.extraJwks`, an inline-JWKS OIDC issuer),
 * answering the same bundle as an AWS join. The Azure nonce is the real Durable Object: round
 * trip, single use (also under concurrency), expiry.
 */
import type { V1Secret } from '@kubernetes/client-node';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attestedContent, ensureDevAzureSigner, signAttestedDocument, type DevAzureSigner } from '../../dev/azure/signer.js';
import { renderJoinProgram } from '../../src/render/join-program.js';
import { generateTestKey, seconds, signToken, type TestKey } from '../attest/oidc/tokens.js';
import { brokerClient, join as joinAs, joinAws, type BrokerClient, type JoinBundle } from './client.js';
import { devSigner, instanceDocument, signDocument, startStack, type Stack } from './stack.js';

const PUBLIC_URL = 'http://127.0.0.1:8787';
const SUBSCRIPTION = '0b7c3f1e-7d0a-4a55-9f7e-2f6a1d3c9b10';
const PROJECT = { id: 'kjb-e2e-project', number: '123456789012' };
const ISSUER = 'https://ci.example.test';

let azureSigner: DevAzureSigner;
let gcpKey: TestKey;
let oidcKey: TestKey;
let stack: Stack;
let broker: BrokerClient;

function policy(nonceTtl = '5m'): string {
  return JSON.stringify({
    pools: [{ name: 'workers', nodeLabels: { 'node.kubernetes.io/pool': 'workers' } }],
    rules: [
      { pool: 'workers', provider: 'aws', accounts: ['111122223333'] },
      { pool: 'workers', provider: 'azure', accounts: [SUBSCRIPTION] },
      { pool: 'workers', provider: 'gcp', accounts: [PROJECT.id], regions: ['europe-west1'] },
      { pool: 'workers', provider: 'oidc', accounts: [ISSUER], attributes: { repository: 'org/infra' } },
    ],
    aws: { extraCertificates: [{ regions: ['*'], certificate: readFileSync(devSigner().certPath, 'utf8') }] },
    azure: { extraRoots: [readFileSync(azureSigner.rootPath, 'utf8')], nonceTtl },
    gcp: { extraJwks: { keys: [gcpKey.jwk] } },
    oidc: { issuers: [{ issuer: ISSUER, jwks: { keys: [oidcKey.jwk] }, algorithms: ['ES256'], audience: 'kube-join-broker', identityClaim: 'sub' }] },
  });
}

beforeAll(async () => {
  azureSigner = ensureDevAzureSigner(mkdtempSync(join(tmpdir(), 'kjb-azure-signer-')));
  gcpKey = await generateTestKey('RS256', 'kjb-e2e-gcp');
  oidcKey = await generateTestKey('ES256', 'kjb-e2e-oidc');
  stack = await startStack({ policy: policy(), env: { PUBLIC_URL } });
  broker = brokerClient(stack);
});
afterAll(() => stack?.stop());

const brokerSecrets = () =>
  (stack.cluster.store.list('secrets', 'kube-system') as unknown as V1Secret[]).filter((s) => s.metadata?.labels?.['app.kubernetes.io/managed-by'] === 'kube-join-broker');
/** A join's outcome: the problem code when refused, else the status (200). */
const codeOf = async (answer: ReturnType<typeof joinAs>): Promise<string | number> => {
  const { error, response } = await answer;
  return error?.code ?? response.status;
};

async function newNonce(client: BrokerClient = broker): Promise<{ nonce: string; expiresAt: string }> {
  // As the first-boot program asks: `curl -fsS -d '' <broker>/v1/nonce`.
  const { data, response } = await client.POST('/v1/nonce', {
    body: '' as never,
    bodySerializer: (body: unknown) => body as string,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('cache-control')).toBe('no-store');
  return data!;
}

const azureDocument = (nonce: string, vmId: string = randomUUID()) => ({
  vmId,
  body: signAttestedDocument(attestedContent({ nonce, subscriptionId: SUBSCRIPTION, vmId, createdOn: new Date(Date.now() - 2_000) }), azureSigner),
});

function gcpToken(instance: { id: string; name: string }, key: TestKey = gcpKey): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return signToken(key, {
    iss: 'https://accounts.google.com',
    aud: PUBLIC_URL,
    azp: '104412345678901234567',
    sub: '104412345678901234567',
    iat: now - 5,
    exp: now + 3595,
    google: {
      compute_engine: {
        project_id: PROJECT.id,
        project_number: Number(PROJECT.number),
        zone: 'europe-west1-b',
        instance_id: instance.id,
        instance_name: instance.name,
        instance_creation_timestamp: now - 60,
      },
    },
  });
}

function oidcToken(subject: string): Promise<string> {
  const now = new Date();
  return signToken(oidcKey, { iss: ISSUER, aud: 'kube-join-broker', sub: subject, repository: 'org/infra', iat: seconds(now) - 5, exp: seconds(now) + 300 });
}

/** The bundle's fields and their JSON types: what "the same bundle shape" compares. */
const shapeOf = (bundle: Record<string, unknown>) => Object.fromEntries(Object.entries(bundle).map(([k, v]) => [k, Array.isArray(v) ? 'array' : typeof v]));

describe('one join per provider, the same bundle as AWS', () => {
  let awsBundle: JoinBundle;
  beforeAll(async () => {
    const { data, error } = await joinAws(broker, await signDocument(instanceDocument()));
    expect(error).toBeUndefined();
    awsBundle = data!;
  });

  const expectJoined = (bundle: JoinBundle, identity: Record<string, unknown>, nodeName: string) => {
    expect(shapeOf(bundle as never)).toEqual(shapeOf(awsBundle as never));
    expect(bundle).toMatchObject({ identity, nodeName, pool: 'workers', apiServer: stack.cluster.url, caCertHashes: awsBundle.caCertHashes, nodeLabels: { 'node.kubernetes.io/pool': 'workers' } });
    expect(bundle.token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    const secret = brokerSecrets().find((s) => s.metadata?.name === `bootstrap-token-${bundle.tokenId}`);
    expect(secret?.metadata?.labels).toMatchObject({ 'kube-join-broker.io/provider': identity['provider'], 'kube-join-broker.io/pool': 'workers' });
  };

  it('Azure: nonce, attested document signed with it, join', async () => {
    const { nonce, expiresAt } = await newNonce();
    expect(nonce).toMatch(/^[0-9]{32}$/);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(290_000);
    const { vmId, body } = azureDocument(nonce);
    const { data, error } = await joinAs(broker, 'azure', body);
    expect(error).toBeUndefined();
    expectJoined(data!, { provider: 'azure', account: SUBSCRIPTION, instanceId: vmId }, `azure-${vmId}`);
  });

  it('GCP: an identity token (format=full) for the broker audience, join', async () => {
    const instance = { id: '7139453412345678901', name: 'gke-pool-a-1' };
    const { data, error } = await joinAs(broker, 'gcp', `${await gcpToken(instance)}\n`);
    expect(error).toBeUndefined();
    expectJoined(data!, { provider: 'gcp', account: PROJECT.id, region: 'europe-west1', instanceId: instance.id }, instance.name);
  });

  it('OIDC: a token from an issuer with an inline JWKS, join', async () => {
    const { data, error } = await joinAs(broker, 'oidc', await oidcToken('runner-42'));
    expect(error).toBeUndefined();
    expectJoined(data!, { provider: 'oidc', account: ISSUER, instanceId: 'runner-42' }, 'runner-42');
  });

  it('each provider joins each instance once', async () => {
    const instance = { id: '7139453412345678902', name: 'gke-pool-a-2' };
    expect(await codeOf(joinAs(broker, 'gcp', await gcpToken(instance)))).toBe(200);
    expect(await codeOf(joinAs(broker, 'gcp', await gcpToken(instance)))).toBe('already_joined');
    expect(await codeOf(joinAs(broker, 'oidc', await oidcToken('runner-43')))).toBe(200);
    expect(await codeOf(joinAs(broker, 'oidc', await oidcToken('runner-43')))).toBe('already_joined');
    // Azure: a new nonce and a new document from the same VM is still the same vmId.
    const vmId = randomUUID();
    expect(await codeOf(joinAs(broker, 'azure', azureDocument((await newNonce()).nonce, vmId).body))).toBe(200);
    expect(await codeOf(joinAs(broker, 'azure', azureDocument((await newNonce()).nonce, vmId).body))).toBe('already_joined');
  });
});

describe('Azure nonces in the Durable Object', () => {
  it('a nonce is single use: the same document again is invalid_nonce', async () => {
    const { nonce } = await newNonce();
    const { body } = azureDocument(nonce);
    expect(await codeOf(joinAs(broker, 'azure', body))).toBe(200);
    const replay = await joinAs(broker, 'azure', body);
    expect([replay.response.status, replay.error?.code]).toEqual([403, 'invalid_nonce']);
  });

  it('20 concurrent joins carrying one nonce (20 VMs): exactly one proceeds', async () => {
    const { nonce } = await newNonce();
    const before = brokerSecrets().length;
    const bodies = Array.from({ length: 20 }, () => azureDocument(nonce).body);
    const answers = await Promise.all(bodies.map((body) => joinAs(broker, 'azure', body)));
    expect(answers.map((a) => a.response.status).sort()).toEqual([200, ...Array.from({ length: 19 }, () => 403)]);
    expect(new Set(answers.filter((a) => a.response.status === 403).map((a) => a.error?.code))).toEqual(new Set(['invalid_nonce']));
    expect(brokerSecrets().length).toBe(before + 1);
  });

  it('a nonce the broker never issued is refused, and so is a document from another signer', async () => {
    expect(await codeOf(joinAs(broker, 'azure', azureDocument('12345678901234567890123456789012').body))).toBe('invalid_nonce');
    const stranger = ensureDevAzureSigner(mkdtempSync(join(tmpdir(), 'kjb-azure-stranger-')));
    const { nonce } = await newNonce();
    const forged = signAttestedDocument(attestedContent({ nonce, subscriptionId: SUBSCRIPTION, vmId: randomUUID() }), stranger);
    expect(await codeOf(joinAs(broker, 'azure', forged))).toBe('invalid_signature');
    // The forged document did not spend the nonce.
    expect(await codeOf(joinAs(broker, 'azure', azureDocument(nonce).body))).toBe(200);
  });

  it('a nonce expires: refused once its TTL has passed (a broker with nonceTtl 1s)', async () => {
    const shortLived = await stack.startWorker({ policy: policy('1s'), env: { PUBLIC_URL } });
    try {
      const shortLivedBroker = brokerClient(shortLived);
      const { nonce, expiresAt } = await newNonce(shortLivedBroker);
      // Wait until the nonce is certainly past expiresAt (whole seconds), then post.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(expiresAt) - Date.now()) + 1_100));
      const late = await joinAs(shortLivedBroker, 'azure', azureDocument(nonce).body);
      expect([late.response.status, late.error?.code]).toEqual([403, 'invalid_nonce']);
    } finally {
      await shortLived.dispose();
    }
  });
});

describe('GCP and OIDC refusals through the Worker', () => {
  it('a GCP token signed by another key under the trusted kid is invalid_signature; for another audience, invalid_claims', async () => {
    const impostor = await generateTestKey('RS256', 'kjb-e2e-gcp');
    expect(await codeOf(joinAs(broker, 'gcp', await gcpToken({ id: '7139453412345678903', name: 'x' }, impostor)))).toBe('invalid_signature');
    const now = Math.floor(Date.now() / 1000);
    const other = await signToken(gcpKey, { iss: 'https://accounts.google.com', aud: 'https://other.example', iat: now, exp: now + 3600, google: { compute_engine: {} } });
    expect(await codeOf(joinAs(broker, 'gcp', other))).toBe('invalid_claims');
  });

  it('an OIDC token whose claims no rule admits is access_denied', async () => {
    const now = new Date();
    const token = await signToken(oidcKey, { iss: ISSUER, aud: 'kube-join-broker', sub: 'runner-44', repository: 'org/other', iat: seconds(now), exp: seconds(now) + 300 });
    expect(await codeOf(joinAs(broker, 'oidc', token))).toBe('access_denied');
  });
});

describe('the first-boot program (src/render/join-program.ts) against the Worker', () => {
  it('an Azure VM joins: nonce from the broker, attested document from (a fake) IMDS with it, join script run', async () => {
    const asked: string[] = [];
    const vmId = randomUUID();
    // IMDS stand-in: signs whatever nonce it is asked for, as Azure would, with the dev signer.
    const imds = createServer((req, res) => {
      asked.push(`${req.method} ${req.url} Metadata=${String(req.headers['metadata'])}`);
      const url = new URL(req.url ?? '/', 'http://imds');
      const nonce = url.searchParams.get('nonce');
      if (url.pathname !== '/metadata/attested/document' || req.headers['metadata'] !== 'true' || nonce === null) {
        res.writeHead(400).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(azureDocumentFor(nonce, vmId));
    });
    await new Promise<void>((resolve) => imds.listen(0, '127.0.0.1', resolve));
    const root = mkdtempSync(join(tmpdir(), 'kjb-azure-node-'));
    try {
      const program = renderJoinProgram({ provider: 'azure', mode: 'kubelet', brokerUrl: stack.worker.url.href });
      const result = await runProgram(program, {
        KJB_IMDS_URL: `http://127.0.0.1:${(imds.address() as AddressInfo).port}`,
        KJB_ROOT: root,
        TMPDIR: root,
        PATH: `${new URL('../../dev/stubs', import.meta.url).pathname}:${process.env['PATH'] ?? ''}`,
      });
      expect(result.code, result.stderr).toBe(0);
      expect(asked).toEqual([expect.stringMatching(/^GET \/metadata\/attested\/document\?api-version=2020-09-01&nonce=[0-9]{32} Metadata=true$/)]);
      expect(existsSync(join(root, 'etc/kubernetes/bootstrap-kubelet.conf'))).toBe(true);
      expect(result.stderr).toContain('stub systemctl: restart kubelet');
      const minted = brokerSecrets().filter((secret) => secret.metadata?.labels?.['kube-join-broker.io/instance'] === vmId);
      expect(minted.map((secret) => secret.metadata?.labels?.['kube-join-broker.io/provider'])).toEqual(['azure']);
    } finally {
      imds.close();
    }
  });
});

function azureDocumentFor(nonce: string, vmId: string): string {
  return signAttestedDocument(attestedContent({ nonce, subscriptionId: SUBSCRIPTION, vmId, createdOn: new Date(Date.now() - 1_000) }), azureSigner);
}

function runProgram(program: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-s'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(program);
  });
}
