/**
 * Shared set-up for the lifecycle-hook route's fast tests: the app on fakes with a hook secret
 * and a trusted topic, a fetch that serves SNS certificates and records every request, a
 * Kubernetes fake that counts its writes, EventBridge event bodies, and a join recorded the way
 * the pipeline records one (Secret, ledger record, index row).
 */
import type { V1Node } from '@kubernetes/client-node';
import { expect } from 'vitest';
import { createApp } from '../../src/app.js';
import { mintBootstrapToken, type MintedToken } from '../../src/cluster/mint.js';
import type { Deps, Fetch } from '../../src/deps.js';
import type { LedgerKey } from '../../src/ledger/ledger.js';
import { ContractValidator } from '../contract/openapi.js';
import { inMemoryAudit } from '../fakes/audit.js';
import { capturingLogger, counterRandom, fakeDeps, fakeKube, fixedClock, testConfig } from '../fakes/deps.js';
import { inMemoryLedger } from '../fakes/ledger.js';
import { TEST_TOPIC } from '../hooks/aws/signer.js';

export const HOOK_PATH = '/v1/hooks/aws/lifecycle';
export const HOOK_SECRET = 'hook-secret-for-tests-0123456789abcdef';
export const SECRET_HEADER = { 'x-kube-join-broker-hook-secret': HOOK_SECRET };
export const ACCOUNT = '123456789012';
export const INSTANCE = 'i-0123456789abcdef0';
export const NODE_NAME = 'ip-10-0-1-23.ec2.internal';
/** The instance joined (pendingTime 11:49, token minted 11:50), its Node registered at 11:51; the events are from 12:00. */
export const JOINED_AT = '2026-11-30T11:50:00Z';
export const PENDING_TIME = '2026-11-30T11:49:00Z';
export const EVENT_TIME = '2026-11-30T12:00:00.123Z';
export const NOW = '2026-11-30T12:00:05Z';
export const PUDDING_TOPIC = 'arn:aws:sns:us-east-1:341288657826:pudding-test-topic';

export const keyOf = (instanceId = INSTANCE, account = ACCOUNT): LedgerKey => ({ provider: 'aws', account, instanceId });

export function hookPolicy(trustedTopicArns: string[] = [TEST_TOPIC, PUDDING_TOPIC], pool: object = { name: 'workers' }): string {
  return JSON.stringify({
    pools: [pool],
    rules: [{ pool: 'workers', provider: 'aws', accounts: [ACCOUNT, '341288657826'] }],
    aws: { lifecycle: { trustedTopicArns } },
  });
}

export interface FetchCall {
  url: string;
  init: RequestInit | undefined;
}

/** A fetch that answers by URL (`serve`), else as a host that cannot be reached; every call recorded. */
export function recordingFetch(serve: Record<string, () => Response | Promise<Response>> = {}): Fetch & { calls: FetchCall[] } {
  const calls: FetchCall[] = [];
  const fetch = (async (input: Request | string | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    calls.push({ url, init });
    const answer = serve[url];
    if (answer === undefined) throw new TypeError('fetch failed: no route to host');
    return answer();
  }) as Fetch & { calls: FetchCall[] };
  fetch.calls = calls;
  return fetch;
}

export type CountingKube = ReturnType<typeof fakeKube> & { writes: string[] };

/** The Kubernetes fake with every create and delete it served recorded (`writes`), the way the emulator's request log is read end to end. */
export function countingKube(): CountingKube {
  const kube = fakeKube();
  const writes: string[] = [];
  const counted: CountingKube = Object.assign(kube, { writes });
  const createSecret = kube.createSecret.bind(kube);
  const deleteSecret = kube.deleteSecret.bind(kube);
  const deleteNode = kube.deleteNode.bind(kube);
  counted.createSecret = async (namespace, secret) => {
    writes.push(`create secret ${secret.metadata?.name}`);
    return createSecret(namespace, secret);
  };
  counted.deleteSecret = async (namespace, name, preconditions) => {
    writes.push(`delete secret ${name}`);
    return deleteSecret(namespace, name, preconditions);
  };
  counted.deleteNode = async (name, preconditions) => {
    writes.push(`delete node ${name}`);
    return deleteNode(name, preconditions);
  };
  return counted;
}

export interface HookApp {
  app: ReturnType<typeof createApp>;
  deps: Deps;
  kube: CountingKube;
  ledger: ReturnType<typeof inMemoryLedger>;
  audit: ReturnType<typeof inMemoryAudit>;
  log: ReturnType<typeof capturingLogger>;
  clock: ReturnType<typeof fixedClock>;
  fetch: ReturnType<typeof recordingFetch>;
  post(body: string | Uint8Array, headers?: Record<string, string>): Promise<Response>;
}

export function hookApp(options: { env?: Record<string, string | undefined>; fetch?: ReturnType<typeof recordingFetch>; now?: string | Date } = {}): HookApp {
  const kube = countingKube();
  const ledger = inMemoryLedger();
  const audit = inMemoryAudit();
  const log = capturingLogger();
  const clock = fixedClock(options.now ?? NOW);
  const fetch = options.fetch ?? recordingFetch();
  const env = { JOIN_POLICY: hookPolicy(), LIFECYCLE_HOOK_SECRET: HOOK_SECRET, ...options.env };
  const deps = fakeDeps({ config: testConfig(env), kube, ledger, audit, log, clock, fetch });
  const app = createApp(deps);
  return {
    app,
    deps,
    kube,
    ledger,
    audit,
    log,
    clock,
    fetch,
    post: async (body, headers = {}) => app.request(HOOK_PATH, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers }),
  };
}

const contract = new ContractValidator();

/** The answer, held to openapi.yaml, with its parsed body. */
export async function answer(response: Response): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const text = await response.text();
  expect(contract.violations('POST', HOOK_PATH, { status: response.status, headers: response.headers, text })).toEqual([]);
  return { status: response.status, body: JSON.parse(text) as Record<string, unknown>, headers: response.headers };
}

export interface EventBridgeOptions {
  instanceId?: string;
  time?: string;
  id?: string;
  token?: string | undefined;
  origin?: string;
  destination?: string;
  account?: string;
}

/** An EventBridge lifecycle-action event as Auto Scaling emits it (the AWS doc examples' shape). */
export function eventBridgeEvent(kind: 'launch' | 'terminate', options: EventBridgeOptions = {}): string {
  const detail: Record<string, string> = {
    AutoScalingGroupName: 'kjb-workers',
    LifecycleHookName: kind === 'launch' ? 'kjb-launch' : 'kjb-terminate',
    EC2InstanceId: options.instanceId ?? INSTANCE,
    LifecycleTransition: kind === 'launch' ? 'autoscaling:EC2_INSTANCE_LAUNCHING' : 'autoscaling:EC2_INSTANCE_TERMINATING',
  };
  const token = 'token' in options ? options.token : kind === 'launch' ? '5d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c0d' : '87654321-4321-4321-4321-210987654321';
  if (token !== undefined) detail['LifecycleActionToken'] = token;
  if (options.origin !== undefined) detail['Origin'] = options.origin;
  if (options.destination !== undefined) detail['Destination'] = options.destination;
  return JSON.stringify({
    version: '0',
    id: options.id ?? '12345678-1234-1234-1234-123456789012',
    'detail-type': kind === 'launch' ? 'EC2 Instance-launch Lifecycle Action' : 'EC2 Instance-terminate Lifecycle Action',
    source: 'aws.autoscaling',
    account: options.account ?? ACCOUNT,
    time: options.time ?? EVENT_TIME,
    region: 'us-east-1',
    resources: [`arn:aws:autoscaling:us-east-1:${ACCOUNT}:autoScalingGroup:042cba90-ad2f-431c-9b4d-6d9055bcc9fb:autoScalingGroupName/kjb-workers`],
    detail,
  });
}

export interface RecordedJoin {
  minted: MintedToken;
  key: LedgerKey;
}

/** A join as the pipeline records it: the broker's Secret, the ledger record, the index row. */
export async function recordJoin(hook: Pick<HookApp, 'kube' | 'ledger' | 'audit'>, options: { instanceId?: string; pendingTime?: string; joinedAt?: string; seed?: number; rejoin?: 'never' | 'after-relaunch' } = {}): Promise<RecordedJoin> {
  const instanceId = options.instanceId ?? INSTANCE;
  const at = new Date(options.joinedAt ?? JOINED_AT);
  const pendingTime = options.pendingTime ?? PENDING_TIME;
  const key = keyOf(instanceId);
  const identity = { ...key, region: 'us-east-1', zone: 'us-east-1a', issuedAt: new Date(pendingTime), attributes: {}, addresses: { ips: ['10.0.1.23'], dnsNames: [NODE_NAME] }, defaultNodeName: NODE_NAME };
  const pool = testConfig().policy.pools[0]!;
  const minted = await mintBootstrapToken(hook.kube, counterRandom(options.seed ?? 11), { identity, pool, nodeName: NODE_NAME, usages: ['authentication'], now: at });
  const claim = await hook.ledger.claim({ key, issuedAt: new Date(pendingTime), rejoin: options.rejoin ?? 'never', now: at, leaseMs: 60_000 });
  if (!claim.ok) throw new Error(claim.detail);
  const committed = await hook.ledger.commit({
    key,
    claimId: claim.claimId,
    now: at,
    record: { identity: { ...key, region: 'us-east-1', zone: 'us-east-1a' }, issuedAt: new Date(pendingTime).toISOString(), nodeName: NODE_NAME, pool: 'workers', tokenId: minted.token.id, mintedAt: at.toISOString(), tokenExpiresAt: minted.expiresAt.toISOString() },
  });
  if (!committed) throw new Error('commit failed');
  await hook.audit.recordMint(
    { key: `aws/${key.account}/${instanceId}`, ...key, region: 'us-east-1', nodeName: NODE_NAME, pool: 'workers', tokenId: minted.token.id, mintedAt: at.toISOString(), expiresAt: minted.expiresAt.toISOString(), addresses: { ips: ['10.0.1.23'], dnsNames: [NODE_NAME] } },
    { at: at.toISOString(), event: 'join.minted', ...key, tokenId: minted.token.id, nodeName: NODE_NAME },
  );
  hook.kube.writes.length = 0;
  return { minted, key };
}

/** The Node the kubelet registered. */
export function registerNode(kube: CountingKube, options: { name?: string; providerID?: string; createdAt?: string; uid?: string } = {}): V1Node {
  const name = options.name ?? NODE_NAME;
  const node: V1Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: options.uid ?? `node-uid-${name}`, creationTimestamp: new Date(options.createdAt ?? '2026-11-30T11:51:00Z') },
    ...(options.providerID === undefined ? {} : { spec: { providerID: options.providerID } }),
  };
  kube.nodes.set(name, node);
  return node;
}
