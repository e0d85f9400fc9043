import { describe, expect, it } from 'vitest';
import { loadConfig, type ConfigEnv } from '../src/config.js';
import { TEST_ENV } from './fakes/deps.js';

const without = (name: keyof ConfigEnv): ConfigEnv => {
  const env = { ...TEST_ENV };
  delete env[name];
  return env;
};

describe('loadConfig', () => {
  it('parses a complete environment with defaults', () => {
    const result = loadConfig({ ...TEST_ENV, CLUSTER_NAME: undefined });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.clusterName).toBe('kubernetes');
    expect(result.config.maxBodyBytes).toBe(65536);
    expect(result.config.kubeTimeoutMs).toBe(5000);
    expect(result.config.clusterEndpoint).toBeUndefined();
    expect(result.config.kubeApiServer.href).toBe('https://kube.example.test:6443/');
    expect(result.config.policy.pools[0]).toMatchObject({ name: 'workers', tokenTtl: 600, freshness: 600, rejoin: 'never' });
  });

  it.each([
    ['defaults to 3 × KUBE_TIMEOUT_MS', {}, 15_000],
    ['follows KUBE_TIMEOUT_MS', { KUBE_TIMEOUT_MS: '300' }, 900],
    ['at most 50 s by default', { KUBE_TIMEOUT_MS: '60000' }, 50_000],
    ['as set', { KUBE_TIMEOUT_MS: '300', JOIN_DEADLINE_MS: '4000' }, 4000],
  ] as const)('JOIN_DEADLINE_MS %s', (_, env, expected) => {
    const result = loadConfig({ ...TEST_ENV, ...env });
    expect(result.ok && result.config.joinDeadlineMs).toBe(expected);
  });

  it.each([
    ['KUBE_API_SERVER', without('KUBE_API_SERVER'), 'is required'],
    ['KUBE_API_SERVER', { ...TEST_ENV, KUBE_API_SERVER: 'kube.example.test' }, 'must be an absolute http(s) URL'],
    ['KUBE_API_SERVER', { ...TEST_ENV, KUBE_API_SERVER: 'http://kube.example.test' }, 'must use https (http only for loopback)'],
    ['KUBE_API_SERVER', { ...TEST_ENV, KUBE_API_SERVER: 'https://u:p@kube.example.test' }, 'must not contain credentials'],
    ['KUBE_TOKEN', without('KUBE_TOKEN'), 'is required'],
    ['CLUSTER_NAME', { ...TEST_ENV, CLUSTER_NAME: 'Not A Name' }, 'must be a DNS-1123 name'],
    ['CLUSTER_ENDPOINT', { ...TEST_ENV, CLUSTER_ENDPOINT: 'ftp://x' }, 'must be an absolute http(s) URL'],
    ['PUBLIC_URL', without('PUBLIC_URL'), 'is required'],
    ['JOIN_POLICY', without('JOIN_POLICY'), 'is required (YAML or JSON; see README "Join policy")'],
    ['JOIN_POLICY', { ...TEST_ENV, JOIN_POLICY: 'pools: [' }, 'not valid YAML or JSON'],
    ['JOIN_POLICY', { ...TEST_ENV, JOIN_POLICY: 'pools: []' }, 'pools: define at least one pool'],
    ['ADMIN_TOKEN', { ...TEST_ENV, ADMIN_TOKEN: 'short' }, 'must be at least 32 characters'],
    ['MAX_BODY_BYTES', { ...TEST_ENV, MAX_BODY_BYTES: '10' }, 'must be between 1024 and 1048576'],
    ['KUBE_TIMEOUT_MS', { ...TEST_ENV, KUBE_TIMEOUT_MS: 'soon' }, 'must be a whole number'],
    ['JOIN_DEADLINE_MS', { ...TEST_ENV, JOIN_DEADLINE_MS: '60000' }, 'must be between 500 and 50000'],
    ['KUBE_ACCESS_CLIENT_SECRET', { ...TEST_ENV, KUBE_ACCESS_CLIENT_ID: 'id' }, 'go together'],
  ] as const)('names %s when it is wrong', (variable, env, message) => {
    const result = loadConfig(env);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const issue = result.issues.find((i) => i.variable === variable);
    expect(issue, JSON.stringify(result.issues)).toBeDefined();
    expect(issue!.message).toContain(message);
  });

  it('never echoes a secret value in an issue', () => {
    const result = loadConfig({ ...TEST_ENV, ADMIN_TOKEN: 'tiny-secret', KUBE_API_SERVER: 'nope' });
    expect(JSON.stringify(result)).not.toContain('tiny-secret');
  });

  it('allows plain http only to loopback (the local emulator)', () => {
    expect(loadConfig({ ...TEST_ENV, KUBE_API_SERVER: 'http://127.0.0.1:6443' }).ok).toBe(true);
  });

  it('adds Cloudflare Access headers when both service-token parts are set', () => {
    const result = loadConfig({ ...TEST_ENV, KUBE_ACCESS_CLIENT_ID: 'id.access', KUBE_ACCESS_CLIENT_SECRET: 'sec' });
    expect(result.ok && result.config.kubeAccessHeaders).toEqual({ 'CF-Access-Client-Id': 'id.access', 'CF-Access-Client-Secret': 'sec' });
  });
});
