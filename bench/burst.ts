/**
 * Burst: N concurrent joins with distinct dev-signed AWS documents through the built Worker
 * (workerd, Miniflare) against the Kubernetes API emulator with added latency and a max-in-flight
 * limit (`cluster.faults.set({ latencyMs, maxInFlight })`: beyond the limit, the apiserver's
 * plain-text 429 with Retry-After: 1).
 *
 * - Documents are signed before the clock starts, with the dev signer's key (in process); signing
 *   is reported on its own.
 * - One warm-up join first (it also fills the isolate's cluster-info cache), then the request log
 *   is cleared, the faults are switched on and all N posts are sent at once.
 * - The Worker's rate limits are raised for the burst (the per-address limit is 300/min and the
 *   bench posts from one address); the result says so.
 * - After every answer is in and the faults are off: the broker's Secrets in the emulator against
 *   the bundles returned. orphan = a Secret no bundle carries; duplicate = an instance with more
 *   than one Secret or bundle; phantom = a bundle whose token has no Secret (or a different secret).
 *   Orphans are counted twice: 0.5 s after the last answer (`orphanTokensAtAnswers`), and once the
 *   join index's "revoke later" records are worked off (`orphanTokens`; the wait is bounded by
 *   REVOCATION_SETTLE_MS + 15 s and reported as `orphanLifetimeMs`).
 * - k = the broker's join API requests (Secrets, cluster-info; not the CSR approval polls, counted
 *   apart) that were not refused with 429, per successful join, from the emulator's request log; lower bound = ceil(N·k / maxInFlight) · latencyMs. A second bound:
 *   local workerd runs the Worker and all its Durable Objects on one thread, so the burst cannot
 *   take less than the CPU time workerd spent on it.
 * - Settings: the broker's production default KUBE_TIMEOUT_MS (5 s, not the e2e stack's 2 s); the
 *   emulator's own controller resync period (1 s, not the e2e stack's 200 ms); the pool's
 *   discovery mode as given (`token`, the default, or `file`).
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { V1Secret } from '@kubernetes/client-node';
import { craftSignedData } from '../test/attest/cms/craft.js';
import { brokerSecrets, devSigner, instanceDocument, startStack, testPolicy } from '../test/e2e/stack.js';
import { REVOCATION_SETTLE_MS } from '../src/audit/revocations.js';
import { median, percentile, round } from './lib/stats.js';
import { processCpuNs, workerdChildren } from './lib/workerd-cpu.js';

export interface BurstResult {
  joins: number;
  discovery: 'token' | 'file';
  latencyMs: number;
  maxInFlight: number;
  rateLimitsRaised: string;
  kubeTimeoutMs: number;
  /** Where Miniflare keeps Durable Object storage (SQLite files): see bench/README.md. */
  miniflareTmpdir: string;
  /** CPU the workerd process and this Node process (emulator + load generator) used during the burst. */
  cpuSeconds: { workerd: number; node: number };
  signing: { documents: number; how: string; wallMs: number; perDocumentMedianMs: number };
  succeeded: number;
  failed: Record<string, number>;
  /** The Worker's warn/error log lines during the run, by event and error. */
  failureReasons: Record<string, number>;
  duplicateTokens: number;
  /** Broker Secrets no bundle carries, 0.5 s after the last answer. */
  orphanTokensAtAnswers: number;
  /** The same once the join index's "revoke later" records are worked off (the verdict). */
  orphanTokens: number;
  /** "Revoke later" records the joins left (tokens whose create might have landed after the join gave up). */
  revokeLaterRecords: number;
  /** From the last answer until no orphan and no record was left (0 when there were none). */
  orphanLifetimeMs: number;
  /** Each orphan's instance, what its join was answered, and its Secret's expiration. */
  orphanDetails: { instance: string; answered: string; expiration: string }[];
  phantomBundles: number;
  latency: { p50Ms: number; p99Ms: number; maxMs: number };
  wallMs: number;
  apiCallsPerJoin: number;
  apiRequests: { total: number; refused429: number; byVerb: Record<string, number> };
  /** Requests of the broker during the burst that are not the join's (the join index's CSR approval polls). */
  backgroundApiRequests: { total: number; refused429: number };
  /** [ms after the first post, join API requests served, refused with 429] per 250 ms. */
  timeline: [number, number, number][];
  lowerBoundMs: number;
  wallOverLowerBound: number;
  /** The emulator's bootstrapsigner during the burst: passes run and cluster-info updates written. */
  bootstrapSigner: { passes: number; writes: number };
  /** workerd runs the Worker and every Durable Object on one thread: its CPU time is a second lower bound. */
  workerdCpuBoundMs: number;
  wallOverWorkerdCpuBound: number;
  allSucceeded: boolean;
}

const BROKER_USER = 'system:serviceaccount:kube-system:kube-join-broker';
const KUBE_TIMEOUT_MS = 5000;

export interface BurstOptions {
  joins: number;
  latencyMs: number;
  maxInFlight: number;
  /**
   * The pool's discovery mode. `token` (the default): tokens also carry usage-bootstrap-signing,
   * so the emulator's bootstrapsigner re-signs cluster-info for every token after each change, as
   * kube-controller-manager does. `file`: authentication-only tokens, no JWS (DESIGN "Discovery
   * without a published JWS").
   */
  discovery: 'token' | 'file';
}

export async function benchBurst(options: BurstOptions): Promise<BurstResult> {
  const documents = Array.from({ length: options.joins + 1 }, () => instanceDocument());
  // Signed in this process with the dev signer's key and certificate (test/attest/cms/craft.ts:
  // SignedData with content, issuerAndSerialNumber, contentType and messageDigest attributes, as
  // EC2's rsa2048 document), not with one `openssl cms` process per document, which costs 15 to
  // 150 ms each here depending on the machine's load. The broker verifies both alike.
  const signer = devSigner();
  const key = createPrivateKey(readFileSync(signer.keyPath));
  const cert = new Uint8Array(new X509Certificate(readFileSync(signer.certPath)).raw);
  const signingStarted = performance.now();
  const perDocument: number[] = [];
  const bodies = documents.map((document) => {
    const started = performance.now();
    const der = craftSignedData({ content: new TextEncoder().encode(JSON.stringify(document, null, 2)), key, cert });
    perDocument.push(performance.now() - started);
    return Buffer.from(der).toString('base64');
  });
  const signing = { documents: bodies.length, how: 'node:crypto RSA-2048 SHA-256, in process', wallMs: round(performance.now() - signingStarted, 0), perDocumentMedianMs: round(median(perDocument), 2) };

  const raised = { simple: { limit: 1_000_000, period: 60 as const } };
  const stack = await startStack({
    policy: testPolicy([{ name: 'workers', discovery: options.discovery }]),
    // The production default (src/config.ts), not the e2e stack's 2 s.
    env: { KUBE_TIMEOUT_MS: String(KUBE_TIMEOUT_MS) },
    rateLimits: { JOIN_RATE_LIMIT_BY_ADDRESS: raised, JOIN_RATE_LIMIT_BY_IDENTITY: raised },
    // The emulator's own controller resync period (1 s, as `npm run cluster`), not the e2e stack's 200 ms.
    cluster: { requestLogLimit: 1_000_000, resyncIntervalMs: 1000 },
    worker: { captureOutput: true },
    // The answers are timed: not checked against openapi.yaml in the benchmark's process.
    contractCheck: false,
  });
  try {
    const warm = await stack.post('/v1/join/aws', bodies[0]!);
    if (warm.status !== 200) throw new Error(`warm-up join: ${warm.status} ${await warm.text()}`);
    await warm.arrayBuffer();
    const before = new Set(brokerSecrets(stack.cluster).map((s) => s.metadata?.name));

    stack.cluster.clearRequests();
    stack.cluster.faults.set({ latencyMs: options.latencyMs, maxInFlight: options.maxInFlight });
    const workerd = workerdChildren();
    const workerdCpu = () => workerd.reduce((sum, pid) => sum + processCpuNs(pid), 0) / 1e6;
    const workerdCpuStart = workerdCpu();
    const nodeCpuStart = processCpuNs(process.pid) / 1e6;
    const signer = stack.cluster.controllers.bootstrapSigner.counts;
    const signerStart = { ...signer };
    const started = performance.now();
    const answers = await Promise.all(
      bodies.slice(1).map(async (body, i) => {
        const sent = performance.now();
        try {
          const response = await stack.post('/v1/join/aws', body);
          const text = await response.text();
          return { instanceId: documents[i + 1]!.instanceId, status: response.status, text, ms: performance.now() - sent, at: performance.now() };
        } catch (error) {
          // No HTTP answer at all (the connection to workerd failed): counted, not thrown.
          const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
          return { instanceId: documents[i + 1]!.instanceId, status: 0, text: JSON.stringify({ code: `no response (${cause})` }), ms: performance.now() - sent, at: performance.now() };
        }
      }),
    );
    const wallMs = Math.max(...answers.map((a) => a.at)) - started;
    const workerdCpuMs = workerdCpu() - workerdCpuStart;
    const nodeCpuMs = processCpuNs(process.pid) / 1e6 - nodeCpuStart;
    // Why joins failed, from the Worker's own log lines (event and error, never a secret).
    const failureReasons: Record<string, number> = {};
    for (const line of stack.worker.output().split('\n')) {
      const start = line.indexOf('{"level":');
      if (start < 0) continue;
      try {
        const entry = JSON.parse(line.slice(start)) as { level: string; event: string; error?: string; reason?: string; detail?: string };
        if (entry.level === 'info') continue;
        const key = [entry.event, entry.reason, entry.error ?? entry.detail].filter((part) => part !== undefined).join(': ');
        failureReasons[key] = (failureReasons[key] ?? 0) + 1;
      } catch {
        // not one of the broker's JSON lines
      }
    }
    const log = [...stack.cluster.requests];
    const bootstrapSigner = { passes: signer.passes - signerStart.passes, writes: signer.writes - signerStart.writes };
    stack.cluster.faults.reset();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const answeredAt = performance.now() - 500;

    const failed: Record<string, number> = {};
    const bundles: { instanceId: string; tokenId: string; token: string; identity: string }[] = [];
    for (const answer of answers) {
      if (answer.status === 200) {
        const bundle = JSON.parse(answer.text) as { tokenId: string; token: string; identity: { instanceId: string } };
        bundles.push({ instanceId: answer.instanceId, tokenId: bundle.tokenId, token: bundle.token, identity: bundle.identity.instanceId });
      } else {
        let code = 'unknown';
        try {
          code = (JSON.parse(answer.text) as { code?: string }).code ?? code;
        } catch {
          // not problem+json
        }
        const key = `${answer.status} ${code}`;
        failed[key] = (failed[key] ?? 0) + 1;
      }
    }

    const bundleTokenIds = new Set(bundles.map((b) => b.tokenId));
    const tokenIdOf = (s: V1Secret) => Buffer.from(s.data?.['token-id'] ?? '', 'base64').toString('utf8');
    const orphansNow = () => brokerSecrets(stack.cluster).filter((s) => !before.has(s.metadata?.name) && !bundleTokenIds.has(tokenIdOf(s)));
    const secrets = brokerSecrets(stack.cluster).filter((s) => !before.has(s.metadata?.name));
    const secretByTokenId = new Map<string, V1Secret>(secrets.map((s) => [tokenIdOf(s), s]));
    const orphansAtAnswers = orphansNow();
    // What each orphan's join was answered, and when its Secret expires (the tokencleaner's deadline).
    const answerOf = new Map(answers.map((a) => [a.instanceId, a]));
    const orphanDetails = orphansAtAnswers.map((s) => {
      const instance = s.metadata?.labels?.['kube-join-broker.io/instance'] ?? '?';
      const answer = answerOf.get(instance);
      let code = '';
      try {
        code = (JSON.parse(answer?.text ?? '{}') as { code?: string }).code ?? '';
      } catch {
        // no JSON answer
      }
      return { instance, answered: `${answer?.status ?? '?'} ${code}`.trim(), expiration: Buffer.from(s.data?.['expiration'] ?? '', 'base64').toString('utf8') };
    });
    // The join index's "revoke later" records, and the wait until they are worked off.
    const index = (await stack.worker.miniflare.getDurableObjectNamespace('JOIN_INDEX')) as unknown as {
      idFromName(name: string): unknown;
      get(id: unknown): { dueRevocations(now: string, limit: number): Promise<unknown[]> };
    };
    const pendingRevocations = async () => (await index.get(index.idFromName('index')).dueRevocations('9999-12-31T00:00:00Z', 10_000)).length;
    const revokeLaterRecords = (await stack.worker.output()).split('\n').filter((line) => line.includes('"event":"join.revoke_later"')).length;
    const waitUntil = performance.now() + REVOCATION_SETTLE_MS + 15_000;
    while ((orphansNow().length > 0 || (await pendingRevocations()) > 0) && performance.now() < waitUntil) await new Promise((resolve) => setTimeout(resolve, 1000));
    const orphanLifetimeMs = orphansAtAnswers.length === 0 && revokeLaterRecords === 0 ? 0 : performance.now() - answeredAt;
    const orphanTokens = orphansNow().length;
    const phantomBundles = bundles.filter((b) => {
      const secret = secretByTokenId.get(b.tokenId);
      return secret === undefined || `${b.tokenId}.${Buffer.from(secret.data?.['token-secret'] ?? '', 'base64').toString('utf8')}` !== b.token || b.identity !== b.instanceId;
    }).length;
    const perInstance = new Map<string, number>();
    for (const s of secrets) {
      const instance = s.metadata?.labels?.['kube-join-broker.io/instance'] ?? '?';
      perInstance.set(instance, (perInstance.get(instance) ?? 0) + 1);
    }
    for (const b of bundles) perInstance.set(`bundle:${b.instanceId}`, (perInstance.get(`bundle:${b.instanceId}`) ?? 0) + 1);
    const duplicateTokens = [...perInstance.values()].filter((n) => n > 1).reduce((sum, n) => sum + n - 1, 0) + (bundles.length - bundleTokenIds.size);

    // The join's own calls (Secrets, cluster-info) apart from what runs in the background during
    // the burst (the join index's CSR approval polls: CSRs, Nodes).
    const background = (path: string) => path.includes('/certificatesigningrequests') || path.includes('/nodes');
    const brokerRequests = log.filter((entry) => entry.user === BROKER_USER && !background(entry.path));
    const backgroundRequests = log.filter((entry) => entry.user === BROKER_USER && background(entry.path));
    const refused429 = brokerRequests.filter((entry) => entry.status === 429).length;
    const byVerb: Record<string, number> = {};
    for (const entry of brokerRequests) {
      const key = `${entry.method} ${entry.status}`;
      byVerb[key] = (byVerb[key] ?? 0) + 1;
    }
    // Answers per 250 ms after the first post: [ms, served, refused with 429], to see retry waves.
    const startedAt = Date.now() - (performance.now() - started);
    const buckets = new Map<number, [number, number]>();
    for (const entry of brokerRequests) {
      const bucket = Math.max(0, Math.floor((Date.parse(entry.time) - startedAt) / 250)) * 250;
      const counts = buckets.get(bucket) ?? [0, 0];
      counts[entry.status === 429 ? 1 : 0]++;
      buckets.set(bucket, counts);
    }
    const timeline = [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([ms, [ok, refused]]) => [ms, ok, refused] as [number, number, number]);
    const served = brokerRequests.length - refused429;
    const k = bundles.length === 0 ? Number.NaN : served / bundles.length;
    const lowerBoundMs = Math.ceil((options.joins * k) / options.maxInFlight) * options.latencyMs;
    const latencies = answers.map((a) => a.ms);

    return {
      joins: options.joins,
      discovery: options.discovery,
      latencyMs: options.latencyMs,
      maxInFlight: options.maxInFlight,
      rateLimitsRaised: 'JOIN_RATE_LIMIT_BY_ADDRESS and JOIN_RATE_LIMIT_BY_IDENTITY set to 1,000,000/60 s for the burst (all posts come from one address)',
      kubeTimeoutMs: KUBE_TIMEOUT_MS,
      miniflareTmpdir: tmpdir(),
      cpuSeconds: { workerd: round(workerdCpuMs / 1000, 2), node: round(nodeCpuMs / 1000, 2) },
      signing,
      succeeded: bundles.length,
      failed,
      failureReasons,
      duplicateTokens,
      orphanTokensAtAnswers: orphansAtAnswers.length,
      orphanTokens,
      revokeLaterRecords,
      orphanLifetimeMs: round(orphanLifetimeMs, 0),
      orphanDetails,
      phantomBundles,
      latency: { p50Ms: round(percentile(latencies, 50), 1), p99Ms: round(percentile(latencies, 99), 1), maxMs: round(Math.max(...latencies), 1) },
      wallMs: round(wallMs, 0),
      apiCallsPerJoin: round(k, 2),
      apiRequests: { total: brokerRequests.length, refused429, byVerb },
      backgroundApiRequests: { total: backgroundRequests.length, refused429: backgroundRequests.filter((entry) => entry.status === 429).length },
      timeline,
      lowerBoundMs,
      wallOverLowerBound: round(wallMs / lowerBoundMs, 2),
      bootstrapSigner,
      workerdCpuBoundMs: round(workerdCpuMs, 0),
      wallOverWorkerdCpuBound: round(wallMs / workerdCpuMs, 2),
      allSucceeded: bundles.length === options.joins,
    };
  } finally {
    await stack.stop();
  }
}

