import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { caCertHash, createClusterCaSource, parseClusterInfo, pemCertificatesToDer } from '../../src/cluster/cluster-ca.js';
import { fakeKube, fixedClock } from '../fakes/deps.js';
import { run } from '../support/run.js';

const dir = mkdtempSync(join(tmpdir(), 'kjb-ca-'));

async function makeCa(name: string, keyArgs: string[]): Promise<{ pem: string; pin: string }> {
  const key = join(dir, `${name}.key`);
  const crt = join(dir, `${name}.crt`);
  await run('openssl', ['req', '-x509', '-newkey', ...keyArgs, '-nodes', '-keyout', key, '-out', crt, '-days', '1', '-subj', `/CN=${name}`]);
  // The openssl recipe from kubeadm's docs, run for real.
  const { stdout } = await run('sh', ['-c', `openssl x509 -pubkey -noout -in "${crt}" | openssl pkey -pubin -outform der | openssl dgst -sha256 -hex`]);
  return { pem: readFileSync(crt, 'utf8'), pin: `sha256:${stdout.trim().split(' ').pop()}` };
}

const clusterInfo = (server: string, caPem: string) => ({
  metadata: { name: 'cluster-info', namespace: 'kube-public' },
  data: {
    kubeconfig: stringify({
      apiVersion: 'v1',
      clusters: [{ cluster: { 'certificate-authority-data': btoa(caPem), server }, name: '' }],
      contexts: null,
      'current-context': '',
      kind: 'Config',
      preferences: {},
      users: null,
    }),
  },
});

describe('CA pins', () => {
  let rsa: { pem: string; pin: string };
  let ec: { pem: string; pin: string };
  beforeAll(async () => {
    rsa = await makeCa('rsa-ca', ['rsa:2048']);
    ec = await makeCa('ec-ca', ['ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  });

  it('equals `openssl x509 -pubkey | openssl pkey -pubin -outform der | sha256` for RSA and ECDSA CAs', async () => {
    expect(await caCertHash(pemCertificatesToDer(rsa.pem)[0]!)).toBe(rsa.pin);
    expect(await caCertHash(pemCertificatesToDer(ec.pem)[0]!)).toBe(ec.pin);
  });

  it('pins every CA of a bundle, in order', async () => {
    const ca = await parseClusterInfo(clusterInfo('https://10.0.0.1:6443', rsa.pem + ec.pem));
    expect(ca).toEqual({ server: 'https://10.0.0.1:6443', caPem: rsa.pem + ec.pem, caCertHashes: [rsa.pin, ec.pin] });
  });

  it.each([
    ['no kubeconfig key', { data: {} }, 'no kubeconfig key'],
    ['two clusters', { data: { kubeconfig: stringify({ clusters: [{ cluster: {} }, { cluster: {} }] }) } }, '2 clusters'],
    ['an http server', { data: { kubeconfig: stringify({ clusters: [{ cluster: { server: 'http://x' } }] }) } }, 'no https server'],
    ['no CA data', { data: { kubeconfig: stringify({ clusters: [{ cluster: { server: 'https://x' } }] }) } }, 'no certificate-authority-data'],
    ['CA data without a certificate', { data: { kubeconfig: stringify({ clusters: [{ cluster: { server: 'https://x', 'certificate-authority-data': btoa('nope') } }] }) } }, 'holds no certificate'],
  ])('rejects cluster-info with %s', async (_, configMap, message) => {
    await expect(parseClusterInfo(configMap)).rejects.toThrow(message);
  });

  it('caches cluster-info per isolate for the TTL, and does not cache failures', async () => {
    const kube = fakeKube({ configMaps: { 'kube-public/cluster-info': clusterInfo('https://10.0.0.1:6443', rsa.pem) } });
    let reads = 0;
    const counting = { ...kube, getConfigMap: (ns: string, name: string) => (reads++, kube.getConfigMap(ns, name)) };
    const clock = fixedClock('2026-11-30T12:00:00Z');
    const source = createClusterCaSource(counting, clock, 60_000);
    await source.get();
    await Promise.all([source.get(), source.get()]);
    expect(reads).toBe(1);
    clock.advance(59_999);
    await source.get();
    expect(reads).toBe(1);
    clock.advance(1);
    kube.configMaps.delete('kube-public/cluster-info');
    await expect(source.get()).rejects.toThrow();
    kube.configMaps.set('kube-public/cluster-info', clusterInfo('https://10.0.0.2:6443', rsa.pem));
    expect((await source.get()).server).toBe('https://10.0.0.2:6443');
    expect(reads).toBe(3);
  });
});
