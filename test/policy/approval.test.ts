/** Pool options of node-bound certificates: `approval` and `servingCertificate` (README "Node-bound certificates"). */
import { describe, expect, it } from 'vitest';
import { parseJoinPolicy } from '../../src/policy/parse.js';
import { brokerApprovalGroup } from '../../src/policy/schema.js';
import { BOOTSTRAP_GROUP_PATTERN } from '../../src/policy/kubernetes-names.js';

const pool = (yaml: string) => {
  const result = parseJoinPolicy(`pools: [${yaml}]`);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.policy.pools[0]!;
};
const errors = (yaml: string): string[] => {
  const result = parseJoinPolicy(`pools: [${yaml}]`);
  return result.ok ? [] : result.errors;
};

describe('approval mode', () => {
  it.each([
    ['{name: workers}', 'controller', ['system:bootstrappers:kubeadm:default-node-token']],
    ['{name: workers, approval: controller}', 'controller', ['system:bootstrappers:kubeadm:default-node-token']],
    ['{name: workers, approval: controller, authExtraGroups: ["system:bootstrappers:custom"]}', 'controller', ['system:bootstrappers:custom']],
    ['{name: workers, approval: broker}', 'broker', ['system:bootstrappers:kube-join-broker:workers']],
    ['{name: gpu-a1, approval: broker, authExtraGroups: ["system:bootstrappers:kube-join-broker:gpu-a1"]}', 'broker', ['system:bootstrappers:kube-join-broker:gpu-a1']],
  ])('%s → %s, tokens carry %j', (yaml, approval, groups) => {
    expect(pool(yaml)).toMatchObject({ approval, authExtraGroups: groups });
  });

  it('the broker group of every valid pool name is a valid bootstrap-token group', () => {
    for (const name of ['a', 'workers', 'gpu-a1', `${'a'.repeat(62)}z`]) expect(brokerApprovalGroup(name)).toMatch(BOOTSTRAP_GROUP_PATTERN);
  });

  it.each([
    ['{name: w, approval: broker, authExtraGroups: ["system:bootstrappers:kubeadm:default-node-token"]}', 'pools[0].authExtraGroups: approval: broker tokens carry only system:bootstrappers:kube-join-broker:w (leave authExtraGroups out)'],
    ['{name: w, approval: broker, authExtraGroups: ["system:bootstrappers:kube-join-broker:w", "system:bootstrappers:x"]}', 'pools[0].authExtraGroups: approval: broker tokens carry only system:bootstrappers:kube-join-broker:w (leave authExtraGroups out)'],
    ['{name: w, approval: broker, authExtraGroups: ["system:bootstrappers:kube-join-broker:other"]}', 'pools[0].authExtraGroups: approval: broker tokens carry only system:bootstrappers:kube-join-broker:w (leave authExtraGroups out)'],
    ['{name: w, approval: kubelet}', 'pools[0].approval: expected one of "controller", "broker"'],
  ])('refuses %s', (yaml, message) => {
    expect(errors(yaml)).toEqual([message]);
  });
});

describe('servingCertificate', () => {
  it('defaults to no extra names and no lifetime cap', () => {
    expect(pool('{name: w}').servingCertificate).toEqual({ extraDnsNames: [] });
  });

  it.each([
    ['{extraDnsNames: [node.example.com, lb.internal]}', { extraDnsNames: ['node.example.com', 'lb.internal'] }],
    ['{maxLifetime: 24h}', { extraDnsNames: [], maxLifetime: 86_400 }],
    ['{maxLifetime: 600}', { extraDnsNames: [], maxLifetime: 600 }],
    ['{maxLifetime: 87600h}', { extraDnsNames: [], maxLifetime: 315_360_000 }],
  ])('reads %s', (yaml, expected) => {
    expect(pool(`{name: w, servingCertificate: ${yaml}}`).servingCertificate).toEqual(expected);
  });

  it.each([
    ['{maxLifetime: 599}', 'pools[0].servingCertificate.maxLifetime: must be between 10m and 87600h'],
    ['{maxLifetime: 87601h}', 'pools[0].servingCertificate.maxLifetime: must be between 10m and 87600h'],
    ['{extraDnsNames: ["*.example.com"]}', 'pools[0].servingCertificate.extraDnsNames[0]: expected a lower-case DNS name'],
    ['{extraDnsNames: ["Node.Example.com"]}', 'pools[0].servingCertificate.extraDnsNames[0]: expected a lower-case DNS name'],
    ['{extraDnsNames: ["a,b"]}', 'pools[0].servingCertificate.extraDnsNames[0]: expected a lower-case DNS name'],
    ['{extraIps: ["10.0.0.1"]}', 'pools[0].servingCertificate: unknown field extraIps'],
  ])('refuses %s', (yaml, message) => {
    expect(errors(`{name: w, servingCertificate: ${yaml}}`)).toEqual([message]);
  });
});
