import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { fakeDeps, testConfig } from '../fakes/deps.js';
import { run } from '../support/run.js';

describe('GET /v1/cloud-init', () => {
  const app = createApp(fakeDeps({ config: testConfig({ PUBLIC_URL: 'https://join.example.com/' }) }));

  it.each([
    ['aws', 'kubeadm'],
    ['aws', 'kubelet'],
    ['gcp', 'kubeadm'],
    ['gcp', 'kubelet'],
    ['azure', 'kubeadm'],
    ['azure', 'kubelet'],
  ])('provider=%s mode=%s: #cloud-config that cloud-init accepts, posting to this broker', async (provider, mode) => {
    const res = await app.request(`/v1/cloud-init?provider=${provider}&mode=${mode}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/cloud-config; charset=utf-8');
    const text = await res.text();
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    expect(text).toContain(`https://join.example.com/v1/join/${provider}?format=script&mode=${mode}`);
    const file = join(mkdtempSync(join(tmpdir(), 'kjb-ci-')), 'user-data');
    writeFileSync(file, text);
    const schema = await run('cloud-init', ['schema', '--config-file', file]);
    expect(schema.code, schema.stdout + schema.stderr).toBe(0);
    expect(parseYaml(text)).toHaveProperty('runcmd');
  });

  it('defaults to mode=kubeadm', async () => {
    expect(await (await app.request('/v1/cloud-init?provider=aws')).text()).toContain('mode=kubeadm');
  });

  it.each([
    ['/v1/cloud-init', 'provider must be one of aws, gcp, azure.'],
    ['/v1/cloud-init?provider=oidc', 'provider must be one of aws, gcp, azure.'],
    ['/v1/cloud-init?provider=aws&mode=csr2', 'mode must be one of kubeadm, kubelet, csr.'],
  ])('%s → 400 problem+json', async (path, detail) => {
    const res = await app.request(path);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'invalid_request', detail });
  });
});
