import * as z from 'zod/mini';
import { parseJoinPolicy } from './policy/parse.js';
import { developmentTrustFields, type JoinPolicy } from './policy/schema.js';

/** Worker variables and secrets, as wrangler.toml `[vars]` and `wrangler secret put` provide them. */
export interface ConfigEnv {
  KUBE_API_SERVER?: string;
  KUBE_TOKEN?: string;
  CLUSTER_NAME?: string;
  CLUSTER_ENDPOINT?: string;
  PUBLIC_URL?: string;
  JOIN_POLICY?: string;
  ADMIN_TOKEN?: string;
  MAX_BODY_BYTES?: string;
  KUBE_TIMEOUT_MS?: string;
  JOIN_DEADLINE_MS?: string;
  KUBE_ACCESS_CLIENT_ID?: string;
  KUBE_ACCESS_CLIENT_SECRET?: string;
  CF_ACCESS_TEAM_DOMAIN?: string;
  CF_ACCESS_AUD?: string;
  LIFECYCLE_HOOK_SECRET?: string;
}

export interface Config {
  kubeApiServer: URL;
  kubeToken: string;
  clusterName: string;
  /** The API server URL nodes use; undefined means "the server named in cluster-info". */
  clusterEndpoint: URL | undefined;
  publicUrl: URL;
  policy: JoinPolicy;
  adminToken: string | undefined;
  maxBodyBytes: number;
  kubeTimeoutMs: number;
  /**
   * How long one join may spend on the Kubernetes API (creates, retries, read-backs, clean-up)
   * before it answers 503 with Retry-After. Default 3 × kubeTimeoutMs (15 s), at most 50 s:
   * below the 60 s the generated join script's curl waits.
   */
  joinDeadlineMs: number;
  /** Cloudflare Access service-token headers for an API server behind a Cloudflare Tunnel. */
  kubeAccessHeaders: Record<string, string>;
  /** Cloudflare Access in front of the admin API: its JWTs are accepted as admin credentials. */
  adminAccess: { teamDomain: string; audience: string } | undefined;
  /**
   * The shared secret EventBridge API destinations (and plain deliveries) send in
   * `X-Kube-Join-Broker-Hook-Secret`; undefined: such deliveries are refused (401).
   */
  lifecycleHookSecret: string | undefined;
}

export interface ConfigIssue {
  variable: keyof ConfigEnv;
  message: string;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; issues: ConfigIssue[] };

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const required = (message = 'is required') => z.string({ error: message });

// Schemas are `z.lazy`: built on the first request's loadConfig, not at start-up (src/policy/schema.ts).

/** https everywhere; plain http only to a loopback address, for the local emulator. */
const serviceUrl = z.lazy(() => z.pipe(
  required().check(z.trim(), z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })),
  z.pipe(
    z.transform((text: string) => new URL(text)),
    z.instanceof(URL).check(
      z.refine((url) => url.protocol === 'https:' || LOOPBACK.has(url.hostname), 'must use https (http only for loopback)'),
      z.refine((url) => url.username === '' && url.password === '', 'must not contain credentials'),
    ),
  ),
));

/** The team domain Access issues JWTs from: exactly `https://<team>.cloudflareaccess.com`. */
const accessTeamDomain = z.lazy(() => z.pipe(
  z.string().check(z.trim(), z.url({ protocol: /^https$/, error: 'must be https://<team>.cloudflareaccess.com' })),
  z.pipe(
    z.transform((text: string) => new URL(text)),
    z.instanceof(URL).check(
      z.refine(
        (url) => /^[a-z0-9]([a-z0-9-]*[a-z0-9])?\.cloudflareaccess\.com$/.test(url.hostname) && url.port === '' && url.username === '' && url.password === '',
        'must be https://<team>.cloudflareaccess.com',
      ),
      z.refine((url) => url.pathname === '/' && url.search === '' && url.hash === '', 'must be the bare team domain, without a path'),
    ),
  ),
));

const secret = (minLength: number) => required().check(z.minLength(minLength, `must be at least ${minLength} characters`));

const integerBetween = (min: number, max: number) =>
  z.pipe(
    z.string().check(z.regex(/^\d+$/, 'must be a whole number')),
    z.pipe(
      z.transform(Number),
      z.number().check(z.refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`)),
    ),
  );

const integerInRange = (fallback: number, min: number, max: number) => z._default(integerBetween(min, max), fallback);

const envSchema = z.lazy(() => z.object({
  KUBE_API_SERVER: serviceUrl,
  KUBE_TOKEN: secret(1),
  CLUSTER_NAME: z._default(z.string().check(z.regex(/^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/, 'must be a DNS-1123 name')), 'kubernetes'),
  CLUSTER_ENDPOINT: z.optional(serviceUrl),
  PUBLIC_URL: serviceUrl,
  JOIN_POLICY: required('is required (YAML or JSON; see README "Join policy")').check(z.minLength(1, 'must not be empty')),
  ADMIN_TOKEN: z.optional(secret(32)),
  MAX_BODY_BYTES: integerInRange(64 * 1024, 1024, 1024 * 1024),
  KUBE_TIMEOUT_MS: integerInRange(5000, 100, 60_000),
  JOIN_DEADLINE_MS: z.optional(integerBetween(500, 50_000)),
  KUBE_ACCESS_CLIENT_ID: z.optional(z.string().check(z.minLength(1))),
  KUBE_ACCESS_CLIENT_SECRET: z.optional(z.string().check(z.minLength(1))),
  CF_ACCESS_TEAM_DOMAIN: z.optional(accessTeamDomain),
  CF_ACCESS_AUD: z.optional(z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,256}$/, 'must be the Access application\'s audience tag (AUD)'))),
  LIFECYCLE_HOOK_SECRET: z.optional(
    required().check(
      z.minLength(32, 'must be at least 32 characters (e.g. openssl rand -hex 32)'),
      // Sent as an HTTP header value by the EventBridge connection: visible ASCII only.
      z.regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (it travels in an HTTP header)'),
    ),
  ),
}));

/**
 * Parses the Worker environment once. Issues name the variable and never echo its value,
 * since several are secrets.
 */
export function loadConfig(env: ConfigEnv): ConfigResult {
  // Unset and empty variables are the same thing to an operator (wrangler.toml `X = ""`).
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => typeof value === 'string' && value.trim() !== ''),
  ) as ConfigEnv;
  const parsed = envSchema.safeParse(present);
  const issues: ConfigIssue[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({
        variable: issue.path[0] as keyof ConfigEnv,
        message: issue.message,
      }));
  if ((env.KUBE_ACCESS_CLIENT_ID === undefined) !== (env.KUBE_ACCESS_CLIENT_SECRET === undefined)) {
    issues.push({ variable: 'KUBE_ACCESS_CLIENT_SECRET', message: 'KUBE_ACCESS_CLIENT_ID and KUBE_ACCESS_CLIENT_SECRET go together' });
  }
  if ((present.CF_ACCESS_TEAM_DOMAIN === undefined) !== (present.CF_ACCESS_AUD === undefined)) {
    issues.push({ variable: 'CF_ACCESS_AUD', message: 'CF_ACCESS_TEAM_DOMAIN and CF_ACCESS_AUD go together' });
  }
  let policy: JoinPolicy | undefined;
  if (typeof env.JOIN_POLICY === 'string' && env.JOIN_POLICY.length > 0) {
    const result = parseJoinPolicy(env.JOIN_POLICY);
    if (result.ok) policy = result.policy;
    else issues.push(...result.errors.map((message) => ({ variable: 'JOIN_POLICY' as const, message })));
  }
  if (policy !== undefined && parsed.success && !(parsed.data.PUBLIC_URL.protocol === 'http:' && LOOPBACK.has(parsed.data.PUBLIC_URL.hostname))) {
    for (const field of developmentTrustFields(policy)) {
      issues.push({ variable: 'JOIN_POLICY', message: `${field} is for development only: it needs PUBLIC_URL on http:// to 127.0.0.1, localhost or [::1]` });
    }
  }
  if (!parsed.success || policy === undefined || issues.length > 0) return { ok: false, issues };
  const e = parsed.data;
  return {
    ok: true,
    config: {
      kubeApiServer: e.KUBE_API_SERVER,
      kubeToken: e.KUBE_TOKEN,
      clusterName: e.CLUSTER_NAME,
      clusterEndpoint: e.CLUSTER_ENDPOINT,
      publicUrl: e.PUBLIC_URL,
      policy,
      adminToken: e.ADMIN_TOKEN,
      maxBodyBytes: e.MAX_BODY_BYTES,
      kubeTimeoutMs: e.KUBE_TIMEOUT_MS,
      joinDeadlineMs: e.JOIN_DEADLINE_MS ?? Math.min(3 * e.KUBE_TIMEOUT_MS, 50_000),
      kubeAccessHeaders:
        e.KUBE_ACCESS_CLIENT_ID !== undefined && e.KUBE_ACCESS_CLIENT_SECRET !== undefined
          ? { 'CF-Access-Client-Id': e.KUBE_ACCESS_CLIENT_ID, 'CF-Access-Client-Secret': e.KUBE_ACCESS_CLIENT_SECRET }
          : {},
      adminAccess:
        e.CF_ACCESS_TEAM_DOMAIN !== undefined && e.CF_ACCESS_AUD !== undefined
          ? { teamDomain: e.CF_ACCESS_TEAM_DOMAIN.origin, audience: e.CF_ACCESS_AUD }
          : undefined,
      lifecycleHookSecret: e.LIFECYCLE_HOOK_SECRET,
    },
  };
}

export const describeConfigIssues = (issues: readonly ConfigIssue[]): string =>
  issues.map((issue) => `${issue.variable}: ${issue.message}`).join('; ');

