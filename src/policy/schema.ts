import * as z from 'zod/mini';
import type { Provider } from '../attest/identity.js';
import { parseX509Certificate } from '../attest/azure/x509.js';
import { decodePemCertificates } from '../attest/cms/encoding.js';
import { inlineJwksSchema, issuerConfigListSchema } from '../attest/oidc/config.js';
import { durationSeconds, durationWithin } from './duration.js';
import {
  BOOTSTRAP_GROUP_PATTERN,
  isKubeletSettableLabel,
  isLabelKey,
  isLabelValue,
  isNodeName,
} from './kubernetes-names.js';

// zod/mini keeps the Worker bundle small (zod's classic API costs ~90 KiB gzip, mini ~4 KiB).
// Every schema here is `z.lazy`: zod builds a schema's objects where it is defined, which at module
// top level would be on every Worker start-up (~10 ms of workerd CPU for this file, src/config.ts
// and src/attest/oidc/config.ts together, bench/README.md); lazily it happens on the first
// request, which parses the configuration anyway. Validation is unchanged.

export const DEFAULT_TOKEN_TTL_SECONDS = 600;
export const MAX_TOKEN_TTL_SECONDS = 3600;
export const DEFAULT_FRESHNESS_SECONDS = 600;
export const DEFAULT_AUTH_EXTRA_GROUP = 'system:bootstrappers:kubeadm:default-node-token';
export const DEFAULT_NODE_NAME_TEMPLATE = '{{defaultNodeName}}';

/** Variables a node-name template may use; anything else is a configuration error. */
export const NODE_NAME_VARIABLES = ['defaultNodeName', 'instanceId', 'account', 'region', 'zone', 'pool'] as const;
export const TEMPLATE_VARIABLE = /\{\{\s*([A-Za-z.]+)\s*\}\}/g;

const nodeNameTemplate = z.lazy(() => z.string().check(
  z.minLength(1, 'must not be empty'),
  z.maxLength(253, 'must be at most 253 characters'),
  z.superRefine((template, ctx) => {
    for (const [, name] of template.matchAll(TEMPLATE_VARIABLE)) {
      const known = (NODE_NAME_VARIABLES as readonly string[]).includes(name!) || /^attributes\.[A-Za-z]+$/.test(name!);
      if (!known) ctx.issues.push({ code: 'custom', input: template, message: `unknown template variable {{${name}}}` });
    }
    if (!/^[a-z0-9.-]*$/.test(template.replace(TEMPLATE_VARIABLE, ''))) {
      ctx.issues.push({ code: 'custom', input: template, message: 'literal text must be lowercase letters, digits, "-" or "."' });
    }
  }),
));

const labelMap = z.lazy(() => z.record(z.string(), z.string()).check(
  z.superRefine((labels, ctx) => {
    for (const [key, value] of Object.entries(labels)) {
      const issue = (message: string) => ctx.issues.push({ code: 'custom', input: labels, path: [key], message });
      if (!isLabelKey(key)) issue('not a valid label key');
      else if (!isKubeletSettableLabel(key)) issue('the NodeRestriction admission plugin does not let a kubelet set this label');
      if (!isLabelValue(value)) issue('not a valid label value');
    }
  }),
));

/** `key[=value]:Effect`, as the kubelet's --register-with-taints takes it. */
const taint = z.lazy(() => z.string().check(
  z.refine((text) => {
    const match = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(text);
    return match !== null && isLabelKey(match[1]!) && isLabelValue(match[2] ?? '');
  }, 'expected key[=value]:NoSchedule|PreferNoSchedule|NoExecute'),
));

export const REJOIN_POLICIES = ['never', 'after-relaunch', 'always-within-window'] as const;
export type RejoinPolicy = (typeof REJOIN_POLICIES)[number];

export const APPROVAL_MODES = ['controller', 'broker'] as const;
export type ApprovalMode = (typeof APPROVAL_MODES)[number];

/**
 * The `auth-extra-groups` entry of a `broker`-approval pool's tokens. It matches the bootstrap
 * group pattern (pool names are DNS-1123 labels). `setup --broker-approval-pools` binds it to what
 * `kubeadm join` and the kubelet need but never to nodeclient auto-approval, so the controller
 * leaves these tokens' client CSRs to the broker.
 */
export const brokerApprovalGroup = (pool: string): string => `system:bootstrappers:kube-join-broker:${pool}`;

const dnsName = z.lazy(() => z.string().check(z.refine((name) => name.length <= 253 && isNodeName(name), 'expected a lower-case DNS name')));

/** Kubelet serving certificates (both approval modes; src/approval/decide.ts). */
export const servingCertificateSchema = z.lazy(() => z.strictObject({
  /** Names every node of the pool may carry besides the ones its identity document attests. */
  extraDnsNames: z._default(z.array(dnsName), []),
  /**
   * Longest lifetime a serving CSR may ask for (`spec.expirationSeconds`). Set: a request must
   * ask for one, at most this. Unset: no cap here (the cluster's --cluster-signing-duration).
   */
  maxLifetime: z.optional(z.pipe(durationSeconds, z.number().check(z.refine((s) => s >= 600 && s <= 10 * 8760 * 3600, 'must be between 10m and 87600h')))),
}));

const nodePoolFields = z.lazy(() => z.strictObject({
  name: z.string().check(z.regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'pool names are DNS-1123 labels')),
  tokenTtl: durationWithin(DEFAULT_TOKEN_TTL_SECONDS, 60, MAX_TOKEN_TTL_SECONDS, 'must be between 1m and 1h'),
  freshness: durationWithin(DEFAULT_FRESHNESS_SECONDS, 1, 24 * 3600, 'must be between 1s and 24h'),
  /** Default: kubeadm's default-node-token group (`approval: controller`), the pool's broker group (`approval: broker`). */
  authExtraGroups: z.optional(
    z
      .array(z.string().check(z.regex(BOOTSTRAP_GROUP_PATTERN, 'groups must match system:bootstrappers:[a-z0-9:-]*[a-z0-9]')))
      .check(z.minLength(1, 'list at least one group')),
  ),
  nodeLabels: z._default(labelMap, {}),
  nodeTaints: z._default(z.array(taint), []),
  nodeName: z._default(nodeNameTemplate, DEFAULT_NODE_NAME_TEMPLATE),
  rejoin: z._default(z.enum(REJOIN_POLICIES), 'never'),
  /**
   * How `kubeadm join` finds the CA. `token` (kubeadm's shape): the token also carries
   * `usage-bootstrap-signing`, so the bootstrapsigner publishes a JWS of cluster-info for it.
   * `file`: authentication-only tokens; the join script hands kubeadm the CA the broker already
   * delivered over HTTPS, so no JWS (an offline brute-force target) is ever published.
   */
  discovery: z._default(z.enum(['token', 'file']), 'token'),
  /**
   * Only instances an autoscaling launch hook announced (`POST /v1/hooks/aws/lifecycle`) may
   * join: until the announcement arrives, a join is answered `503 launch_not_announced` with
   * `Retry-After` (the launch event may trail the boot), and a machine started outside the group
   * never gets past it.
   */
  requireLaunchHook: z._default(z.boolean(), false),
  /**
   * Who approves the kubelet client CSR. `controller` (kubeadm's shape): tokens carry kubeadm's
   * default-node-token group and kube-controller-manager auto-approves any `system:node:*` name
   * they ask for. `broker`: tokens carry `brokerApprovalGroup(pool)` and the broker approves only
   * the CN of the node it minted the token for (README "Node-bound certificates").
   */
  approval: z._default(z.enum(APPROVAL_MODES), 'controller'),
  servingCertificate: z._default(servingCertificateSchema, { extraDnsNames: [] }),
}));

/**
 * A pool, with `authExtraGroups` resolved from its approval mode. A `broker` pool takes no other
 * group: any group the cluster binds to nodeclient auto-approval (kubeadm's does, and `setup
 * --groups` binds custom ones the same way) would let its tokens' holders obtain a client
 * certificate for any node name again.
 */
export const nodePoolSchema = z.lazy(() => z.pipe(
  nodePoolFields,
  z.transform((pool, ctx) => {
    const own = brokerApprovalGroup(pool.name);
    if (pool.approval === 'broker' && pool.authExtraGroups !== undefined && (pool.authExtraGroups.length !== 1 || pool.authExtraGroups[0] !== own)) {
      ctx.issues.push({ code: 'custom', input: pool.authExtraGroups, path: ['authExtraGroups'], message: `approval: broker tokens carry only ${own} (leave authExtraGroups out)` });
    }
    const authExtraGroups = pool.authExtraGroups ?? (pool.approval === 'broker' ? [own] : [DEFAULT_AUTH_EXTRA_GROUP]);
    return { ...pool, authExtraGroups };
  }),
));
export type NodePool = z.infer<typeof nodePoolSchema>;

const PROVIDERS = ['aws', 'gcp', 'azure', 'oidc'] as const satisfies readonly Provider[];
const nonEmptyList = z.lazy(() => z.array(z.string().check(z.minLength(1))).check(z.minLength(1, 'list at least one value')));

/**
 * A rule admits identities of one provider to one pool. `accounts` is required: a rule that
 * named no account would admit every account of that cloud. `"*"` must be written explicitly.
 */
export const joinRuleSchema = z.lazy(() => z.strictObject({
  pool: z.string(),
  provider: z.enum(PROVIDERS),
  accounts: nonEmptyList,
  regions: z.optional(nonEmptyList),
  zones: z.optional(nonEmptyList),
  instanceTypes: z.optional(nonEmptyList),
  imageIds: z.optional(nonEmptyList),
  attributes: z.optional(z.record(z.string(), z.union([z.string(), nonEmptyList]))),
}));
export type JoinRule = z.infer<typeof joinRuleSchema>;

const pem = z.lazy(() => z.string().check(z.includes('-----BEGIN CERTIFICATE-----', 'expected a PEM certificate')));

/**
 * An SNS topic ARN in a partition whose SNS endpoints the hook can reach
 * (`sns.<region>.amazonaws.com[.cn]`, src/hooks/aws/sns-urls.ts). FIFO topics (`.fifo`) cannot
 * deliver to HTTPS endpoints, so they are refused here rather than never heard from.
 */
export const SNS_TOPIC_ARN = /^arn:(aws|aws-cn|aws-us-gov):sns:([a-z]{2,4}(?:-[a-z]+)+-[0-9]{1,2}):[0-9]{12}:[A-Za-z0-9_-]{1,256}$/;

const snsTopicArn = z.lazy(() => z.string().check(
  z.refine((arn) => {
    const match = SNS_TOPIC_ARN.exec(arn);
    // The China partition's regions are cn-*, and only they.
    return match !== null && (match[1] === 'aws-cn') === match[2]!.startsWith('cn-');
  }, 'expected an SNS topic ARN, arn:aws:sns:<region>:<account>:<topic> (standard topics only)'),
));

export const awsLifecycleSettingsSchema = z.lazy(() => z.strictObject({
  /**
   * The SNS topics whose messages `POST /v1/hooks/aws/lifecycle` accepts (exact ARNs). No
   * default, and no wildcard: a valid SNS signature only proves that SNS delivered the message
   * from *some* topic, and anyone can subscribe the broker's URL to a topic of their own. Empty:
   * every SNS delivery is refused (`untrusted_topic`); EventBridge deliveries need none of this.
   */
  trustedTopicArns: z._default(z.array(snsTopicArn), []),
}));

export const awsSettingsSchema = z.lazy(() => z.strictObject({
  /** Autoscaling lifecycle hooks delivered by SNS (README "Autoscaling lifecycle hooks"). */
  lifecycle: z._default(awsLifecycleSettingsSchema, { trustedTopicArns: [] }),
  /** Certificates trusted in addition to AWS's regional table (new regions, test signers). */
  extraCertificates: z._default(
    z.array(
      z.strictObject({
        regions: nonEmptyList,
        certificate: pem,
        form: z.optional(z.enum(['rsa2048', 'signature'])),
      }),
    ),
    [],
  ),
}));

export const gcpSettingsSchema = z.lazy(() => z.strictObject({
  /** The `aud` GCP identity tokens must carry; default: PUBLIC_URL. */
  audience: z.optional(z.string().check(z.minLength(1, 'must not be empty'))),
  /**
   * Keys trusted beside Google's JWKS, for development and tests only: a token whose `kid` is
   * one of these verifies with it instead of Google's keys. Every key must carry a `kid`.
   * Whoever holds the private key can mint any GCP identity: never set in production.
   */
  extraJwks: z.optional(
    inlineJwksSchema.check(
      z.superRefine((jwks, ctx) => {
        const kids = jwks.keys.map((key) => key['kid']);
        if (kids.some((kid) => typeof kid !== 'string' || kid === '')) ctx.issues.push({ code: 'custom', input: jwks, message: 'every key needs a kid' });
        else if (new Set(kids).size !== kids.length) ctx.issues.push({ code: 'custom', input: jwks, message: 'two keys share a kid' });
      }),
    ),
  ),
}));

/** Exactly one PEM certificate that decodes and is a CA (basicConstraints cA true). */
const caCertificatePem = z.lazy(() => z.string().check(
  z.refine((text) => {
    const ders = decodePemCertificates(text);
    if (ders?.length !== 1) return false;
    const parsed = parseX509Certificate(ders[0] as Uint8Array);
    return parsed.ok && parsed.certificate.basicConstraints?.ca === true;
  }, 'expected one PEM CA certificate (basicConstraints cA true)'),
));

export const azureSettingsSchema = z.lazy(() => z.strictObject({
  /**
   * Intermediate CA certificates added to the shipped Microsoft ones, when Azure rotates its
   * issuing CAs (https://learn.microsoft.com/azure/security/fundamentals/azure-ca-details). They
   * add no trust: a signer's path through one must still end at a root.
   */
  extraIntermediates: z._default(z.array(caCertificatePem), []),
  /**
   * Roots trusted beside DigiCert Global Root G2 and Baltimore CyberTrust Root, for development
   * and tests only (a self-made signer chain): any `*.metadata.azure.*` certificate such a root
   * issues signs documents the broker accepts. Never set in production.
   */
  extraRoots: z._default(z.array(caCertificatePem), []),
  /** How long a nonce from `POST /v1/nonce` may be used. 1s..15m, default 5m. */
  nonceTtl: durationWithin(300, 1, 900, 'must be between 1s and 15m'),
}));

/**
 * The policy fields that make the broker trust keys nobody's cloud controls (a self-made Azure
 * root, extra GCP keys): whoever holds those private keys can mint any identity of that cloud.
 * The configuration accepts them only for a broker served on a loopback http URL (`npm start`,
 * tests), so a development policy copied into a deployment fails at start-up instead.
 */
export function developmentTrustFields(policy: Pick<JoinPolicy, 'azure' | 'gcp'>): string[] {
  const fields: string[] = [];
  if (policy.azure.extraRoots.length > 0) fields.push('azure.extraRoots');
  if (policy.gcp.extraJwks !== undefined) fields.push('gcp.extraJwks');
  return fields;
}

export const oidcSettingsSchema = z.lazy(() => z.strictObject({
  /** Trusted JWT issuers. A rule with `provider: oidc` lists issuer URLs as its `accounts`. */
  issuers: z._default(issuerConfigListSchema, []),
}));

export const joinPolicySchema = z.lazy(() => z
  .strictObject({
    pools: z.array(nodePoolSchema).check(z.minLength(1, 'define at least one pool')),
    rules: z._default(z.array(joinRuleSchema), []),
    aws: z._default(awsSettingsSchema, { lifecycle: { trustedTopicArns: [] }, extraCertificates: [] }),
    gcp: z._default(gcpSettingsSchema, {}),
    azure: z._default(azureSettingsSchema, { extraIntermediates: [], extraRoots: [], nonceTtl: 300 }),
    oidc: z._default(oidcSettingsSchema, { issuers: [] }),
  })
  .check(
    z.superRefine((policy, ctx) => {
      const names = new Set<string>();
      policy.pools.forEach((pool, i) => {
        if (names.has(pool.name)) ctx.issues.push({ code: 'custom', input: pool.name, path: ['pools', i, 'name'], message: 'duplicate pool name' });
        names.add(pool.name);
      });
      const launchHookPools = new Set(policy.pools.filter((pool) => pool.requireLaunchHook).map((pool) => pool.name));
      policy.rules.forEach((rule, i) => {
        if (!names.has(rule.pool)) ctx.issues.push({ code: 'custom', input: rule.pool, path: ['rules', i, 'pool'], message: `no pool named "${rule.pool}"` });
        // Only an AWS autoscaling group announces its instances: a machine of another provider in
        // such a pool could never be admitted, so say so at load rather than at every join.
        else if (rule.provider !== 'aws' && launchHookPools.has(rule.pool)) {
          ctx.issues.push({ code: 'custom', input: rule.pool, path: ['rules', i, 'pool'], message: `pool "${rule.pool}" has requireLaunchHook, which only AWS autoscaling groups can satisfy (this rule is ${rule.provider})` });
        }
      });
    }),
  ));
export type JoinPolicy = z.infer<typeof joinPolicySchema>;
