import { describe, expect, it } from 'vitest';
import type { NodeIdentity } from '../../src/attest/identity.js';
import { decideJoin, renderNodeName } from '../../src/policy/decide.js';
import { isKubeletSettableLabel, isNodeName } from '../../src/policy/kubernetes-names.js';
import { parseJoinPolicy } from '../../src/policy/parse.js';
import type { JoinPolicy } from '../../src/policy/schema.js';

const identity: NodeIdentity = {
  provider: 'aws',
  account: '123456789012',
  region: 'us-west-2',
  zone: 'us-west-2a',
  instanceId: 'i-0123456789abcdef0',
  issuedAt: new Date('2026-11-30T12:00:00Z'),
  attributes: { instanceType: 'm5.large', imageId: 'ami-0abc', privateIp: '10.0.1.23' },
  addresses: { ips: ['10.0.1.23'], dnsNames: ['ip-10-0-1-23.us-west-2.compute.internal'] },
  defaultNodeName: 'ip-10-0-1-23.us-west-2.compute.internal',
};

function policy(text: string): JoinPolicy {
  const result = parseJoinPolicy(text);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.policy;
}

describe('parseJoinPolicy', () => {
  it('applies pool defaults', () => {
    const p = policy('{"pools":[{"name":"workers"}],"rules":[{"pool":"workers","provider":"aws","accounts":["123456789012"]}]}');
    expect(p.pools[0]).toEqual({
      name: 'workers',
      tokenTtl: 600,
      freshness: 600,
      authExtraGroups: ['system:bootstrappers:kubeadm:default-node-token'],
      nodeLabels: {},
      nodeTaints: [],
      nodeName: '{{defaultNodeName}}',
      rejoin: 'never',
      discovery: 'token',
      requireLaunchHook: false,
      approval: 'controller',
      servingCertificate: { extraDnsNames: [] },
    });
    expect(p.aws.extraCertificates).toEqual([]);
  });

  it('reads durations with units', () => {
    const p = policy('pools: [{name: a, tokenTtl: 1h, freshness: 90s}]');
    expect(p.pools[0]).toMatchObject({ tokenTtl: 3600, freshness: 90 });
  });

  it.each([
    ['pools: [{name: a, tokenTtl: 2h}]', 'pools[0].tokenTtl: must be between 1m and 1h'],
    ['pools: [{name: a, tokenTtl: 30}]', 'pools[0].tokenTtl: must be between 1m and 1h'],
    ['pools: [{name: a, tokenTtl: soon}]', 'pools[0].tokenTtl'],
    ['pools: [{name: a, authExtraGroups: ["system:masters"]}]', 'pools[0].authExtraGroups[0]: groups must match'],
    ['pools: [{name: a, authExtraGroups: []}]', 'pools[0].authExtraGroups: list at least one group'],
    ['pools: [{name: a, nodeLabels: {"node-role.kubernetes.io/worker": ""}}]', 'NodeRestriction'],
    ['pools: [{name: a, nodeLabels: {"bad key!": "x"}}]', 'not a valid label key'],
    ['pools: [{name: a, nodeLabels: {team: "has spaces"}}]', 'not a valid label value'],
    ['pools: [{name: a, nodeTaints: ["dedicated=gpu"]}]', 'pools[0].nodeTaints[0]: expected key[=value]:'],
    ['pools: [{name: a, nodeName: "{{hostname}}"}]', 'unknown template variable {{hostname}}'],
    ['pools: [{name: a, nodeName: "Node_{{instanceId}}"}]', 'literal text must be lowercase'],
    ['pools: [{name: a, rejoin: sometimes}]', 'pools[0].rejoin: expected one of "never"'],
    ['pools: [{name: Workers}]', 'pools[0].name: pool names are DNS-1123 labels'],
    ['pools: [{name: a}, {name: a}]', 'pools[1].name: duplicate pool name'],
    ['pools: [{name: a}]\nrules: [{pool: b, provider: aws, accounts: ["1"]}]', 'rules[0].pool: no pool named "b"'],
    ['pools: [{name: a, requireLaunchHook: true}]\nrules: [{pool: a, provider: gcp, accounts: [p]}]', 'rules[0].pool: pool "a" has requireLaunchHook, which only AWS autoscaling groups can satisfy (this rule is gcp)'],
    ['pools: [{name: a}]\nrules: [{pool: a, provider: aws}]', 'rules[0].accounts'],
    ['pools: [{name: a}]\nrules: [{pool: a, provider: aws, accounts: []}]', 'rules[0].accounts: list at least one value'],
    ['pools: [{name: a}]\nrules: [{pool: a, provider: ibm, accounts: ["1"]}]', 'rules[0].provider'],
    ['pools: [{name: a, ttl: 5m}]', 'pools[0]: unknown field ttl'],
    ['pools: [{name: a}]\nextra: 1', 'unknown field extra'],
    ['pools: [{name: a}]\naws: {extraCertificates: [{regions: ["*"], certificate: "nope"}]}', 'aws.extraCertificates[0].certificate: expected a PEM certificate'],
    ['a: 1\na: 2', 'not valid YAML or JSON'],
  ])('rejects %s naming the field', (text, message) => {
    const result = parseJoinPolicy(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.join('\n')).toContain(message);
  });
});

describe('decideJoin', () => {
  const base = policy(`
pools: [{name: workers}, {name: gpu}]
rules:
  - {pool: gpu, provider: aws, accounts: ["123456789012"], instanceTypes: [p4d.24xlarge]}
  - {pool: workers, provider: aws, accounts: ["123456789012"], regions: [us-west-2, us-east-1]}
`);

  it('picks the first matching rule', () => {
    const decision = decideJoin(identity, base);
    expect(decision).toMatchObject({ ok: true, ruleIndex: 1, pool: { name: 'workers' } });
    expect(decideJoin({ ...identity, attributes: { instanceType: 'p4d.24xlarge' } }, base)).toMatchObject({ ok: true, pool: { name: 'gpu' } });
  });

  it.each([
    ['another account', { account: '210987654321' }, 'rule 0: account; rule 1: account'],
    ['another region', { region: 'eu-west-1' }, 'rule 1: region'],
    ['another provider', { provider: 'gcp' as const }, 'rule 0: provider; rule 1: provider'],
  ])('denies %s, saying which field refused for the log', (_, change, detail) => {
    const decision = decideJoin({ ...identity, ...change }, base);
    expect(decision.ok).toBe(false);
    if (!decision.ok) expect(decision.detail).toContain(detail);
  });

  describe('zones and imageIds', () => {
    const narrow = policy(`
pools: [{name: a}, {name: b}]
rules:
  - {pool: a, provider: aws, accounts: ["123456789012"], zones: [us-west-2a, us-west-2b]}
  - {pool: b, provider: aws, accounts: ["123456789012"], imageIds: [ami-0abc, ami-0def]}
  - {pool: a, provider: gcp, accounts: [my-project], zones: [europe-west4-a]}
`);
    const gcpIdentity: NodeIdentity = {
      ...identity,
      provider: 'gcp',
      account: 'my-project',
      region: 'europe-west4',
      zone: 'europe-west4-a',
      instanceId: '1234567890123456789',
      attributes: { projectNumber: '123456789', instanceName: 'worker-1' },
      defaultNodeName: 'worker-1',
    };

    it.each([
      ['an AWS identity in a listed zone (rule 0)', identity, { ruleIndex: 0, pool: { name: 'a' } }],
      ['an AWS identity outside the zones but with a listed AMI (rule 1)', { ...identity, zone: 'us-west-2c' }, { ruleIndex: 1, pool: { name: 'b' } }],
      ['a GCP identity in the listed zone (rule 2)', gcpIdentity, { ruleIndex: 2, pool: { name: 'a' } }],
    ])('admits %s', (_, who, expected) => {
      expect(decideJoin(who, narrow)).toMatchObject({ ok: true, ...expected });
    });

    it.each([
      [
        'an AWS identity in another zone with another AMI',
        { ...identity, zone: 'us-west-2c', attributes: { ...identity.attributes, imageId: 'ami-0bad' } },
        'no rule matched (rule 0: zone; rule 1: imageId; rule 2: provider)',
      ],
      [
        'an AWS identity in another zone with no AMI at all',
        { ...identity, zone: 'us-west-2c', attributes: { instanceType: 'm5.large' } },
        'no rule matched (rule 0: zone; rule 1: imageId; rule 2: provider)',
      ],
      [
        'a GCP identity in another zone of the same region',
        { ...gcpIdentity, zone: 'europe-west4-b' },
        'no rule matched (rule 0: provider; rule 1: provider; rule 2: zone)',
      ],
    ])('denies %s, saying which field refused for the log', (_, who, detail) => {
      expect(decideJoin(who, narrow)).toEqual({ ok: false, reason: 'access_denied', detail });
    });
  });

  it('denies everything when there are no rules', () => {
    expect(decideJoin(identity, policy('pools: [{name: a}]'))).toEqual({ ok: false, reason: 'access_denied', detail: 'no rules in policy' });
  });

  it('matches attribute lists and the explicit wildcard', () => {
    const p = policy(`
pools: [{name: a}]
rules: [{pool: a, provider: aws, accounts: ["*"], attributes: {imageId: [ami-1, ami-0abc]}}]`);
    expect(decideJoin(identity, p).ok).toBe(true);
    expect(decideJoin({ ...identity, attributes: { imageId: 'ami-2' } }, p).ok).toBe(false);
    expect(decideJoin({ ...identity, attributes: {} }, p).ok).toBe(false);
  });
});

describe('renderNodeName', () => {
  const pool = policy('pools: [{name: workers}]').pools[0]!;

  it.each([
    ['{{defaultNodeName}}', 'ip-10-0-1-23.us-west-2.compute.internal'],
    ['{{pool}}-{{instanceId}}', 'workers-i-0123456789abcdef0'],
    ['{{ instanceId }}.{{region}}', 'i-0123456789abcdef0.us-west-2'],
    ['{{attributes.privateIp}}', '10.0.1.23'],
  ])('%s → %s', (template, expected) => {
    expect(renderNodeName(template, identity, pool)).toEqual({ ok: true, nodeName: expected });
  });

  it.each([
    ['node-\u212a1', 'the Kelvin sign K, which Unicode lower-cases to ASCII k'],
    ['\u0130p-10-0-1-23', 'the dotted capital I, which lower-cases to i + a combining dot'],
    ['n\u043ede-1', 'a Cyrillic o'],
  ])('refuses %j (%s) instead of folding it into an ASCII name', (instanceId) => {
    expect(renderNodeName('{{instanceId}}', { ...identity, instanceId }, pool)).toMatchObject({ ok: false });
  });

  it('lower-cases ASCII letters', () => {
    expect(renderNodeName('{{instanceId}}', { ...identity, instanceId: 'Node-A1' }, pool)).toEqual({ ok: true, nodeName: 'node-a1' });
  });

  it('refuses a name that is not a valid Node name rather than fixing it', () => {
    const hostile = { ...identity, instanceId: "i-1'$(touch pwned)" };
    expect(renderNodeName('{{instanceId}}', hostile, pool)).toMatchObject({ ok: false });
    expect(renderNodeName('{{attributes.missing}}', identity, pool)).toMatchObject({ ok: false, detail: expect.stringContaining('has no value') });
  });
});

describe('Kubernetes names', () => {
  it.each([
    ['ip-10-0-1-23.ec2.internal', true],
    ['worker-1', true],
    ['Worker-1', false],
    ['-worker', false],
    ['a'.repeat(254), false],
    ['x\ny', false],
  ])('isNodeName(%j) is %s', (name, ok) => expect(isNodeName(name)).toBe(ok));

  it.each([
    ['team', true],
    ['example.com/team', true],
    ['node.kubernetes.io/pool', true],
    ['topology.kubernetes.io/zone', true],
    ['node-role.kubernetes.io/worker', false],
    ['kubernetes.io/role', false],
    ['foo.k8s.io/x', false],
  ])('isKubeletSettableLabel(%j) is %s', (key, ok) => expect(isKubeletSettableLabel(key)).toBe(ok));
});
