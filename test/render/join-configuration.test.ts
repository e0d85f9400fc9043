import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderJoinConfiguration, type JoinConfigurationInput } from '../../src/render/join-configuration.js';
import { PIN_A, PIN_B, TOKEN } from './fixtures.js';

const input: JoinConfigurationInput = {
  apiServer: 'https://10.0.0.1:6443',
  token: TOKEN,
  caCertHashes: [PIN_A, PIN_B],
  nodeName: 'ip-10-0-1-23.ec2.internal',
  nodeLabels: { team: 'infra', 'node.kubernetes.io/pool': 'general' },
  nodeTaints: ['dedicated=gpu:NoSchedule', 'example.com/spot:PreferNoSchedule'],
  discovery: { method: 'token' },
};

const nodeRegistration = {
  name: 'ip-10-0-1-23.ec2.internal',
  kubeletExtraArgs: [{ name: 'node-labels', value: 'node.kubernetes.io/pool=general,team=infra' }],
  taints: [
    { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
    { key: 'example.com/spot', effect: 'PreferNoSchedule' },
  ],
};

describe('renderJoinConfiguration', () => {
  it('token discovery: endpoint, token and pins; labels as a v1beta4 kubeletExtraArgs list; taints', () => {
    expect(parse(renderJoinConfiguration(input))).toEqual({
      apiVersion: 'kubeadm.k8s.io/v1beta4',
      kind: 'JoinConfiguration',
      discovery: {
        bootstrapToken: { apiServerEndpoint: '10.0.0.1:6443', token: TOKEN, caCertHashes: [PIN_A, PIN_B] },
        tlsBootstrapToken: TOKEN,
      },
      nodeRegistration,
    });
  });

  it('file discovery: the kubeconfig path and the TLS bootstrap token, no endpoint or pins', () => {
    const text = renderJoinConfiguration({ ...input, discovery: { method: 'file', kubeConfigPath: '/run/x/bootstrap.yaml' } });
    expect(parse(text)).toEqual({
      apiVersion: 'kubeadm.k8s.io/v1beta4',
      kind: 'JoinConfiguration',
      discovery: { file: { kubeConfigPath: '/run/x/bootstrap.yaml' }, tlsBootstrapToken: TOKEN },
      nodeRegistration,
    });
  });

  it('omits kubeletExtraArgs and taints when the pool has none', () => {
    const text = renderJoinConfiguration({ ...input, nodeLabels: {}, nodeTaints: [] });
    expect(parse(text).nodeRegistration).toEqual({ name: 'ip-10-0-1-23.ec2.internal' });
    expect(parse(renderJoinConfiguration({ ...input, nodeLabels: {}, nodeTaints: undefined })).nodeRegistration).toEqual({
      name: 'ip-10-0-1-23.ec2.internal',
    });
  });

  it.each([
    ['k:NoSchedule', { key: 'k', effect: 'NoSchedule' }],
    ['k=:NoExecute', { key: 'k', value: '', effect: 'NoExecute' }],
    ['example.com/k=v-1.2_3:PreferNoSchedule', { key: 'example.com/k', value: 'v-1.2_3', effect: 'PreferNoSchedule' }],
  ])('parses taint %s', (taint, parsed) => {
    expect(parse(renderJoinConfiguration({ ...input, nodeTaints: [taint] })).nodeRegistration.taints).toEqual([parsed]);
  });

  it.each([['k=v'], ['k'], [''], ['k:noschedule'], ['k:NoSchedule '], [':NoSchedule:Bogus']])(
    'refuses taint %j with invalid_node_taint',
    (taint) => {
      expect(() => renderJoinConfiguration({ ...input, nodeTaints: [taint] })).toThrowError(
        expect.objectContaining({ code: 'invalid_node_taint' }),
      );
    },
  );

  it.each([
    [':NoSchedule'], ['k y:NoSchedule'], ['k=a b:NoSchedule'], ['k=a,b=c:NoSchedule'], ['a,b:NoSchedule'],
    ['k=a=b:NoSchedule'], ['k=$(x):NoSchedule'], ['k:x:NoSchedule'], ['k=v\n:NoSchedule'],
  ])('refuses taint %j with unsafe_kubelet_flag_value', (taint) => {
    expect(() => renderJoinConfiguration({ ...input, nodeTaints: [taint] })).toThrowError(
      expect.objectContaining({ code: 'unsafe_kubelet_flag_value' }),
    );
  });

  it.each([
    [{ 'a b': 'v' }], [{ k: 'a b' }], [{ k: 'a,x=y' }], [{ 'k=x': 'v' }], [{ '': 'v' }], [{ k: 'v\n--x' }],
    [{ k: '"v"' }], [{ k: "'v'" }], [{ k: '$HOME' }], [{ k: 'v\\' }], [{ k: 'é' }], [{ k: 'a:b' }], [{ k: 'v%n' }],
    [{ 'k#': 'v' }], [{ k: 'v\t' }],
  ])('refuses labels %j with unsafe_kubelet_flag_value', (nodeLabels) => {
    expect(() => renderJoinConfiguration({ ...input, nodeLabels })).toThrowError(
      expect.objectContaining({ code: 'unsafe_kubelet_flag_value' }),
    );
  });

  it('accepts an empty label value and a prefixed key', () => {
    const text = renderJoinConfiguration({ ...input, nodeLabels: { 'example.com/empty': '', k: 'V_1.x-2' }, nodeTaints: [] });
    expect(parse(text).nodeRegistration.kubeletExtraArgs).toEqual([{ name: 'node-labels', value: 'example.com/empty=,k=V_1.x-2' }]);
  });

  it('only token discovery needs pins', () => {
    expect(() => renderJoinConfiguration({ ...input, caCertHashes: [] })).toThrowError(expect.objectContaining({ code: 'invalid_ca_cert_hash' }));
    expect(() =>
      renderJoinConfiguration({ ...input, caCertHashes: [], discovery: { method: 'file', kubeConfigPath: '/run/k' } }),
    ).not.toThrow();
  });
});
