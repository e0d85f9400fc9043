import { describe, expect, it } from 'vitest';
import type { NodeIdentity } from '../../src/attest/identity.js';
import { renderJoinBundle } from '../../src/render/bundle.js';
import { renderJoinCommand } from '../../src/render/join-command.js';
import { renderBootstrapKubeconfig } from '../../src/render/kubeconfig.js';
import { CA_PEM, joinInput, PIN_A, PIN_B, TOKEN } from './fixtures.js';

describe('renderJoinBundle', () => {
  it('answers everything a node needs, exactly', () => {
    const bundle = renderJoinBundle(joinInput());
    expect(bundle).toEqual({
      token: TOKEN,
      tokenId: 'abcdef',
      expiresAt: '2025-03-10T03:22:11Z',
      nodeName: 'ip-10-0-1-23.ec2.internal',
      clusterName: 'prod',
      apiServer: 'https://10.0.0.1:6443',
      apiServerEndpoint: '10.0.0.1:6443',
      caCertHashes: [PIN_A, PIN_B],
      caCertificates: CA_PEM,
      kubeconfig: renderBootstrapKubeconfig({ apiServer: 'https://10.0.0.1:6443', caCertificates: CA_PEM, token: TOKEN, clusterName: 'prod' }),
      joinCommand: renderJoinCommand({ apiServer: 'https://10.0.0.1:6443', token: TOKEN, caCertHashes: [PIN_A, PIN_B], nodeName: 'ip-10-0-1-23.ec2.internal' }),
      identity: { provider: 'aws', account: '123456789012', region: 'us-east-1', instanceId: 'i-0123456789abcdef0' },
      pool: 'general',
      nodeLabels: { 'node.kubernetes.io/pool': 'general', team: 'infra' },
      nodeTaints: ['dedicated=gpu:NoSchedule'],
      servingSans: { ips: ['10.0.1.23'], dnsNames: ['ip-10-0-1-23.ec2.internal'] },
    });
    expect(JSON.parse(JSON.stringify(bundle))).toEqual(bundle);
  });

  it.each([
    ['2025-03-10T03:22:11.000Z', '2025-03-10T03:22:11Z'],
    ['2025-03-10T03:22:11.999Z', '2025-03-10T03:22:11Z'],
    ['2025-03-10T05:22:11+02:00', '2025-03-10T03:22:11Z'],
  ])('writes expiry %s as RFC 3339 UTC seconds %s, as kubeadm', (at, expiresAt) => {
    expect(renderJoinBundle(joinInput({ token: { id: 'abcdef', secret: '0123456789abcdef', expiresAt: new Date(at) } })).expiresAt).toBe(expiresAt);
  });

  it('refuses an invalid expiry', () => {
    expect(() =>
      renderJoinBundle(joinInput({ token: { id: 'abcdef', secret: '0123456789abcdef', expiresAt: new Date('nope') } })),
    ).toThrowError(expect.objectContaining({ code: 'invalid_expiry' }));
  });

  it('reports only provider, account, region and instance ID of the identity', () => {
    const identity: NodeIdentity = {
      provider: 'oidc',
      account: 'https://issuer.example',
      instanceId: 'spiffe://x/y',
      issuedAt: new Date(0),
      attributes: { secret: 'x' },
      addresses: { ips: ['10.0.0.2'], dnsNames: [] },
      defaultNodeName: 'n',
    };
    expect(renderJoinBundle(joinInput({ identity })).identity).toStrictEqual({
      provider: 'oidc',
      account: 'https://issuer.example',
      instanceId: 'spiffe://x/y',
    });
  });

  it('defaults the cluster name and taints', () => {
    const bundle = renderJoinBundle(joinInput({ clusterName: undefined, nodeTaints: undefined }));
    expect(bundle.clusterName).toBe('kubernetes');
    expect(bundle.nodeTaints).toEqual([]);
  });

  it('copies labels as own data, a `__proto__` key included', () => {
    const nodeLabels = JSON.parse('{"__proto__":"x","a":"b"}') as Record<string, string>;
    const bundle = renderJoinBundle(joinInput({ nodeLabels }));
    expect(Object.getPrototypeOf(bundle.nodeLabels)).toBe(Object.prototype);
    expect(Object.entries(bundle.nodeLabels)).toEqual([['__proto__', 'x'], ['a', 'b']]);
  });

  it.each([
    ['an unsafe label', { nodeLabels: { k: 'a b' } }, 'unsafe_kubelet_flag_value'],
    ['an invalid taint', { nodeTaints: ['k=v'] }, 'invalid_node_taint'],
    ['no pin', { caCertHashes: [] }, 'invalid_ca_cert_hash'],
    ['no certificate', { caPem: 'x' }, 'invalid_ca_bundle'],
    ['an http API server', { apiServer: 'http://10.0.0.1' }, 'invalid_api_server'],
    ['a NUL in the node name', { nodeName: 'a\0b' }, 'unrepresentable_value'],
  ] as const)('refuses %s', (_, overrides, code) => {
    expect(() => renderJoinBundle(joinInput(overrides))).toThrowError(expect.objectContaining({ code }));
  });
});
