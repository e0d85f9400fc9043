import type { NodeIdentity } from '../attest/identity.js';
import { isNodeName } from './kubernetes-names.js';
import type { JoinPolicy, JoinRule, NodePool } from './schema.js';

export type PolicyDecision =
  | { ok: true; pool: NodePool; ruleIndex: number }
  | { ok: false; reason: 'access_denied'; detail: string };

const listAllows = (allowed: readonly string[] | undefined, value: string | undefined): boolean =>
  allowed === undefined || allowed.includes('*') || (value !== undefined && allowed.includes(value));

/** Which rule field refused the identity, for the audit log; undefined when the rule matches. */
function mismatch(rule: JoinRule, identity: NodeIdentity): string | undefined {
  if (rule.provider !== identity.provider) return 'provider';
  if (!listAllows(rule.accounts, identity.account)) return 'account';
  if (!listAllows(rule.regions, identity.region)) return 'region';
  if (!listAllows(rule.zones, identity.zone)) return 'zone';
  if (!listAllows(rule.instanceTypes, identity.attributes['instanceType'])) return 'instanceType';
  if (!listAllows(rule.imageIds, identity.attributes['imageId'])) return 'imageId';
  for (const [name, expected] of Object.entries(rule.attributes ?? {})) {
    if (!listAllows(typeof expected === 'string' ? [expected] : expected, identity.attributes[name])) {
      return `attributes.${name}`;
    }
  }
  return undefined;
}

/**
 * Deny by default: the first rule whose every field admits the identity picks the pool. A rule
 * field that is absent admits anything; `accounts` is always present (schema). The detail says
 * which field of each rule refused, for the audit log only; callers see `access_denied`.
 */
export function decideJoin(identity: NodeIdentity, policy: JoinPolicy): PolicyDecision {
  const refusals: string[] = [];
  for (const [ruleIndex, rule] of policy.rules.entries()) {
    const field = mismatch(rule, identity);
    if (field === undefined) {
      const pool = policy.pools.find((candidate) => candidate.name === rule.pool);
      // The schema guarantees the pool exists; a missing one is still a denial, never an accept.
      if (pool === undefined) return { ok: false, reason: 'access_denied', detail: `rule ${ruleIndex} names no pool` };
      return { ok: true, pool, ruleIndex };
    }
    refusals.push(`rule ${ruleIndex}: ${field}`);
  }
  const detail = refusals.length === 0 ? 'no rules in policy' : `no rule matched (${refusals.join('; ')})`;
  return { ok: false, reason: 'access_denied', detail };
}

export type NodeNameResult = { ok: true; nodeName: string } | { ok: false; detail: string };

/**
 * Lower-cases A–Z only. Unicode case mapping folds look-alikes into ASCII (the Kelvin sign K,
 * U+212A, lower-cases to "k"), which would turn an identity that merely looks like `node-k1`
 * into that very name; left as they are, such characters make the name invalid and refused.
 */
const asciiLowerCase = (text: string): string => text.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());

/**
 * Renders the pool's node-name template from signed identity values. The result must be a valid
 * Node name; anything else is refused rather than "fixed", since the name ends up in the
 * kubelet's certificate CN and in scripts.
 */
export function renderNodeName(template: string, identity: NodeIdentity, pool: NodePool): NodeNameResult {
  const values: Record<string, string | undefined> = {
    defaultNodeName: identity.defaultNodeName,
    instanceId: identity.instanceId,
    account: identity.account,
    region: identity.region,
    zone: identity.zone,
    pool: pool.name,
  };
  let missing: string | undefined;
  const nodeName = template.replace(/\{\{\s*([A-Za-z.]+)\s*\}\}/g, (_, name: string) => {
    const value = name.startsWith('attributes.') ? identity.attributes[name.slice('attributes.'.length)] : values[name];
    if (value === undefined) missing ??= name;
    return asciiLowerCase(value ?? '');
  });
  if (missing !== undefined) return { ok: false, detail: `node-name template variable {{${missing}}} has no value` };
  if (!isNodeName(nodeName)) return { ok: false, detail: `rendered node name ${JSON.stringify(nodeName)} is not a valid Node name` };
  return { ok: true, nodeName };
}
