import { describe, expect, it } from 'vitest';
import { reconcile, type ObjectLike } from '../../cli/setup/reconcile.js';
import { brokerRbac, checkGroups, groupPlan } from '../../cli/setup/rbac.js';
import { parseDurationSeconds } from '../../cli/setup/command.js';
import { tokenSecret } from '../../cli/setup/token.js';

const RBAC = 'rbac.authorization.k8s.io';
const desired = brokerRbac();
const stored = <T extends ObjectLike>(o: T, extra: object = {}): T => ({ ...structuredClone(o), ...extra, metadata: { ...o.metadata, resourceVersion: '42', annotations: { other: 'tool' } } });

describe('reconcile: what setup changes in an existing object', () => {
  it.each<[string, ObjectLike, ObjectLike, string]>([
    ['same ClusterRole', desired.clusterRole, stored(desired.clusterRole), 'unchanged'],
    ['server-defaulted subject apiGroup', desired.clusterRoleBinding, stored(desired.clusterRoleBinding, { subjects: [{ kind: 'ServiceAccount', apiGroup: '', name: 'kube-join-broker', namespace: 'kube-system' }] }), 'unchanged'],
    ['extra labels kept', desired.serviceAccount, { ...stored(desired.serviceAccount), metadata: { name: 'kube-join-broker', namespace: 'kube-system', labels: { 'app.kubernetes.io/name': 'kube-join-broker', team: 'x' } } }, 'unchanged'],
    ['rules narrowed', desired.clusterRole, stored(desired.clusterRole, { rules: desired.clusterRole.rules!.slice(0, 2) }), 'update:rules'],
    ['label missing', desired.roles[0]!, { ...stored(desired.roles[0]!), metadata: { name: 'kube-join-broker', namespace: 'kube-system', resourceVersion: '42', annotations: { other: 'tool' } } }, 'update:metadata.labels'],
    ['subject added by hand', desired.roleBindings[0]!, stored(desired.roleBindings[0]!, { subjects: [...desired.roleBindings[0]!.subjects!, { kind: 'User', name: 'mallory' }] }), 'update:subjects'],
    ['roleRef differs', desired.clusterRoleBinding, stored(desired.clusterRoleBinding, { roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'cluster-admin' } }), 'recreate'],
    ['token Secret of another type', tokenSecret({ namespace: 'kube-system', name: 'kube-join-broker' }), stored(tokenSecret({ namespace: 'kube-system', name: 'kube-join-broker' }), { type: 'Opaque' }), 'conflict'],
  ])('%s → %s', (_name, want, existing, expected) => {
    const change = reconcile(want, existing);
    const summary = change.action === 'update' ? `update:${change.fields.join(',')}` : change.action;
    expect(summary).toBe(expected);
    if (change.action === 'update') {
      expect(change.merged.metadata?.resourceVersion).toBe('42');
      expect(change.merged.metadata?.annotations).toEqual({ other: 'tool' });
    }
  });
});

describe('group bindings', () => {
  it('none for kubeadm\'s default group, six for a custom one', () => {
    expect(groupPlan(['system:bootstrappers:kubeadm:default-node-token'])).toEqual([]);
    expect(groupPlan(['system:bootstrappers:gpu']).map((p) => `${p.object.kind} ${p.object.metadata!.name} → ${(p.object as { roleRef: { name: string } }).roleRef.name}`)).toEqual([
      'ClusterRoleBinding kube-join-broker:kubelet-bootstrap:gpu → system:node-bootstrapper',
      'ClusterRoleBinding kube-join-broker:node-autoapprove-bootstrap:gpu → system:certificates.k8s.io:certificatesigningrequests:nodeclient',
      'ClusterRoleBinding kube-join-broker:get-nodes:gpu → kubeadm:get-nodes',
      'RoleBinding kube-join-broker:nodes-kubeadm-config:gpu → kubeadm:nodes-kubeadm-config',
      'RoleBinding kube-join-broker:kubelet-config:gpu → kubeadm:kubelet-config',
      'RoleBinding kube-join-broker:kube-proxy:gpu → kube-proxy',
    ]);
  });

  it.each([
    [['system:bootstrappers:gpu', 'system:bootstrappers:gpu'], { ok: true, groups: ['system:bootstrappers:gpu'] }],
    [['system:nodes'], { ok: false }],
    [['system:bootstrappers:GPU'], { ok: false }],
    [['system:bootstrappers:gpu-'], { ok: false }],
  ])('checkGroups(%j)', (groups, expected) => {
    expect(checkGroups(groups)).toMatchObject(expected);
  });
});

describe('--token-ttl durations', () => {
  it.each([
    ['8760h', 31_536_000],
    ['365d', 31_536_000],
    ['10m', 600],
    ['90s', 90],
    ['1y', undefined],
    ['10', undefined],
    ['-5m', undefined],
  ])('%s → %s', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });
});
