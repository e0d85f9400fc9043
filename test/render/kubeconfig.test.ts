import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseApiServer } from '../../src/render/api-server.js';
import { renderBootstrapKubeconfig } from '../../src/render/kubeconfig.js';
import { CA_PEM, TOKEN } from './fixtures.js';
import { kubectlView } from './harness.js';

const expected = (cluster: string, server: string) => ({
  apiVersion: 'v1',
  kind: 'Config',
  clusters: [{ name: cluster, cluster: { server, 'certificate-authority-data': Buffer.from(CA_PEM).toString('base64') } }],
  users: [{ name: 'tls-bootstrap-token-user', user: { token: TOKEN } }],
  contexts: [{ name: `tls-bootstrap-token-user@${cluster}`, context: { cluster, user: 'tls-bootstrap-token-user' } }],
  'current-context': `tls-bootstrap-token-user@${cluster}`,
  preferences: {},
});

describe('renderBootstrapKubeconfig', () => {
  it.each([
    ['prod', 'https://10.0.0.1:6443', 'https://10.0.0.1:6443'],
    ['kubernetes', 'https://api.example.com', 'https://api.example.com'],
    ['kubernetes', 'https://API.Example.com:443/', 'https://api.example.com'],
    ['x', 'https://[fd00::1]:6443', 'https://[fd00::1]:6443'],
  ])('cluster %s at %s has exactly the kubeadm discovery shape', (cluster, apiServer, server) => {
    const text = renderBootstrapKubeconfig({ apiServer, caCertificates: CA_PEM, token: TOKEN, clusterName: cluster });
    expect(parse(text)).toEqual(expected(cluster, server));
  });

  it("defaults the cluster name to kubeadm's `kubernetes`", () => {
    const text = renderBootstrapKubeconfig({ apiServer: 'https://10.0.0.1:6443', caCertificates: CA_PEM, token: TOKEN });
    expect(parse(text)).toEqual(expected('kubernetes', 'https://10.0.0.1:6443'));
  });

  it('is what kubectl reads: server, CA bundle, token and current context', () => {
    const view = kubectlView(
      renderBootstrapKubeconfig({ apiServer: 'https://10.0.0.1:6443', caCertificates: CA_PEM, token: TOKEN, clusterName: 'prod' }),
    );
    expect(view['current-context']).toBe('tls-bootstrap-token-user@prod');
    expect(view.contexts).toEqual([{ name: 'tls-bootstrap-token-user@prod', context: { cluster: 'prod', user: 'tls-bootstrap-token-user' } }]);
    expect(view.clusters).toHaveLength(1);
    expect(view.clusters[0]?.name).toBe('prod');
    expect(view.clusters[0]?.cluster.server).toBe('https://10.0.0.1:6443');
    expect(Buffer.from(view.clusters[0]?.cluster['certificate-authority-data'] ?? '', 'base64').toString()).toBe(CA_PEM);
    expect(view.users).toEqual([{ name: 'tls-bootstrap-token-user', user: { token: TOKEN } }]);
  });

  it.each([
    ['http://10.0.0.1:6443'],
    ['10.0.0.1:6443'],
    ['https://10.0.0.1:6443/api'],
    ['https://10.0.0.1:6443/?x=1'],
    ['https://10.0.0.1:6443?'],
    ['https://10.0.0.1:6443#f'],
    ['https://user:pass@10.0.0.1:6443'],
    ['https://'],
    [''],
  ])('refuses apiServer %j with invalid_api_server', (apiServer) => {
    expect(() => renderBootstrapKubeconfig({ apiServer, caCertificates: CA_PEM, token: TOKEN })).toThrowError(
      expect.objectContaining({ code: 'invalid_api_server' }),
    );
  });

  it.each([[''], ['not a certificate'], ['-----BEGIN PUBLIC KEY-----\n']])('refuses CA bundle %j with invalid_ca_bundle', (ca) => {
    expect(() => renderBootstrapKubeconfig({ apiServer: 'https://10.0.0.1:6443', caCertificates: ca, token: TOKEN })).toThrowError(
      expect.objectContaining({ code: 'invalid_ca_bundle' }),
    );
  });
});

describe('parseApiServer', () => {
  it.each([
    ['https://10.0.0.1:6443', 'https://10.0.0.1:6443', '10.0.0.1:6443'],
    ['https://api.example.com', 'https://api.example.com', 'api.example.com:443'],
    ['https://api.example.com:443', 'https://api.example.com', 'api.example.com:443'],
    ['https://[fd00::1]:6443/', 'https://[fd00::1]:6443', '[fd00::1]:6443'],
    ['https://[fd00::1]', 'https://[fd00::1]', '[fd00::1]:443'],
  ])('%s → url %s, endpoint %s', (apiServer, url, endpoint) => {
    expect(parseApiServer(apiServer)).toEqual({ url, endpoint });
  });
});
