import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLOUD_INIT_PROGRAM_PATH, renderCloudInit, type CloudInitOptions } from '../../src/render/cloud-init.js';
import { problemResponse } from '../../src/http/problem.js';
import { FIRST_BOOT_PROVIDERS, type FirstBootProvider } from '../../src/render/first-boot.js';
import { DEFAULT_RETRY_POLICY, renderJoinProgram, type JoinProgramOptions } from '../../src/render/join-program.js';
import { renderJoinOneLiner } from '../../src/render/one-liner.js';
import { JOIN_SCRIPT_MODES, type JoinScriptMode } from '../../src/render/script.js';
import {
  AWS_DOCUMENT,
  azureDocument,
  FirstBootFake,
  FirstBootSandbox,
  GCP_TOKEN,
  IMDS_SESSION_TOKEN,
  problemReply,
  scriptReply,
  type ProgramRun,
  type Reply,
} from './first-boot-fakes.js';

const BROKER = 'https://join.example.com';
const COMBINATIONS = FIRST_BOOT_PROVIDERS.flatMap((provider) => JOIN_SCRIPT_MODES.map((mode) => [provider, mode] as const));

const dir = mkdtempSync(join(tmpdir(), 'kjb-cloud-init-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a Debian tool the tests need; a missing tool fails the test with how to install it. */
function tool(command: string, args: string[], input?: string, debianPackage = command) {
  const result = spawnSync(command, args, { input, encoding: 'utf8' });
  expect(result.error, `${command} must be installed (apt-get install -y ${debianPackage})`).toBeUndefined();
  return result;
}

interface CloudConfig {
  write_files: { path: string; owner: string; permissions: string; content: string }[];
  runcmd: string[][];
}

/** The document as cloud-init itself reads it: PyYAML `safe_load` (cloud-init depends on python3-yaml). */
function pyyaml(text: string): unknown {
  const result = tool('python3', ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'], text, 'cloud-init');
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout);
}

const programs = new Map<string, string>();
/** The embedded program, as cloud-init would write it (PyYAML takes a while to start: memoized). */
function programOf(userData: string): string {
  let program = programs.get(userData);
  if (program === undefined) {
    program = (pyyaml(userData) as CloudConfig).write_files[0]?.content ?? '';
    programs.set(userData, program);
  }
  return program;
}

describe('renderCloudInit: the document', () => {
  it.each(COMBINATIONS)('%s/%s passes `cloud-init schema --config-file`', (provider, mode) => {
    const file = join(dir, `${provider}-${mode}.yaml`);
    writeFileSync(file, renderCloudInit({ provider, mode, brokerUrl: BROKER }));
    const result = tool('cloud-init', ['schema', '--config-file', file]);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(`Valid cloud-config: ${file}`);
    expect(result.status).toBe(0);
  });

  it.each(COMBINATIONS)('%s/%s: cloud-init (PyYAML) and `yaml` read the same document, carrying the program verbatim', (provider, mode) => {
    const options = { provider, mode, brokerUrl: BROKER };
    const text = renderCloudInit(options);
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    const expected: CloudConfig = {
      write_files: [{ path: CLOUD_INIT_PROGRAM_PATH, owner: 'root:root', permissions: '0700', content: renderJoinProgram(options) }],
      runcmd: [['sh', CLOUD_INIT_PROGRAM_PATH]],
    };
    expect(pyyaml(text)).toEqual(expected);
    expect(parse(text, { version: '1.1' })).toEqual(expected);
    expect(parse(text)).toEqual(expected);
  });

  it('writes the program as a literal block, readable in the user-data', () => {
    const text = renderCloudInit({ provider: 'aws', mode: 'kubeadm', brokerUrl: BROKER });
    expect(text).toContain('  content: |\n    #!/bin/sh\n');
    expect(text).toContain(`\n    KJB_JOIN_URL='https://join.example.com/v1/join/aws?format=script&mode=kubeadm'\n`);
  });

  it('refuses providers without a first-boot program and unknown modes', () => {
    expect(() => renderCloudInit({ provider: 'oidc' as FirstBootProvider, mode: 'kubeadm', brokerUrl: BROKER })).toThrowError(TypeError);
    expect(() => renderCloudInit({ provider: 'aws', mode: 'csr2' as JoinScriptMode, brokerUrl: BROKER })).toThrowError(TypeError);
  });
});

describe('renderJoinProgram: static checks', () => {
  it.each(COMBINATIONS)('%s/%s: the program cloud-init writes passes shellcheck -s sh', (provider, mode) => {
    const program = programOf(renderCloudInit({ provider, mode, brokerUrl: BROKER }));
    const result = tool('shellcheck', ['--shell=sh', '--severity=style', '-'], program);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.each(COMBINATIONS.flatMap(([provider, mode]) => (['dash', 'bash'] as const).map((shell) => [provider, mode, shell] as const)))(
    '%s/%s parses under %s -n',
    (provider, mode, shell) => {
      expect(tool(shell, ['-n'], renderJoinProgram({ provider, mode, brokerUrl: BROKER })).status).toBe(0);
    },
  );

  /** A `KJB_NAME=<word>` line: a single-quoted word or a bare inert one. */
  const ASSIGNMENT = /^KJB_[A-Z0-9_]+=(?:'[^']*'(?:\\''[^']*')*|[A-Za-z0-9_@%+:,./-]+)$/gm;
  const code = (program: string) => program.replace(ASSIGNMENT, 'KJB_…');

  it.each(FIRST_BOOT_PROVIDERS)('%s: values change only the KJB_* assignments, never the code', (provider) => {
    const options: JoinProgramOptions = { provider, mode: 'kubeadm', brokerUrl: BROKER };
    const other = renderJoinProgram({
      provider,
      mode: 'kubeadm',
      brokerUrl: "https://zq9.example.org/zq9'$(x)",
      gcpAudience: "zq9'\n`x`",
      retry: { attempts: 97, maxDelaySeconds: 977 },
    });
    expect(code(other)).not.toMatch(/zq9|97/);
    expect(code(other)).toBe(code(renderJoinProgram(options)));
    // The data block, plus the per-provider constant KJB_DOCUMENT_TYPE=<media type>.
    expect(code(other).match(/^KJB_…$/gm)).toHaveLength(provider === 'aws' ? 4 : 5);
  });

  it.each([
    ['aws', 'http://169.254.169.254'],
    ['gcp', 'http://metadata.google.internal'],
    ['azure', 'http://169.254.169.254'],
  ] as const)('%s: the metadata service defaults to %s', (provider, origin) => {
    expect(renderJoinProgram({ provider, mode: 'kubeadm', brokerUrl: BROKER })).toContain(`\nKJB_IMDS_URL=\${KJB_IMDS_URL:-${origin}}\n`);
  });

  it('posts to the join URL with format=script and the mode', () => {
    expect(renderJoinProgram({ provider: 'gcp', mode: 'kubelet', brokerUrl: `${BROKER}/` })).toContain(
      "\nKJB_JOIN_URL='https://join.example.com/v1/join/gcp?format=script&mode=kubelet'\n",
    );
  });

  it('defaults to ten attempts, waits capped at a minute', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({ attempts: 10, maxDelaySeconds: 60 });
    const program = renderJoinProgram({ provider: 'aws', mode: 'kubeadm', brokerUrl: BROKER });
    expect(program).toContain('\nKJB_ATTEMPTS=10\nKJB_MAX_DELAY=60\n');
  });
});

describe('renderJoinProgram: refused options', () => {
  it.each([
    ['plain http to a public host', 'http://join.example.com'],
    ['another scheme', 'ftp://join.example.com'],
    ['credentials', 'https://user:secret@join.example.com'],
    ['a query', 'https://join.example.com/?x=1'],
    ['an empty query', 'https://join.example.com/?'],
    ['a fragment', 'https://join.example.com/#x'],
    ['a newline', 'https://join.example.com/\n$(pwned)'],
    ['a newline in the host', 'https://join.exa\nmple.com'],
    ['a tab', 'https://join.example.com/\t'],
    ['a blank', 'https://join.example.com/a $(pwned)'],
    ['a leading blank', ' https://join.example.com'],
    ['command substitution in the host', 'https://a$(pwned).example.com'],
    ['backquotes in the host', 'https://a`pwned`.example.com'],
    ['a quote in the host', "https://a'b.example.com"],
    ['non-ASCII', 'https://jöin.example.com'],
    ['not a URL', 'join.example.com'],
    ['nothing', ''],
  ])('a broker URL with %s', (_, brokerUrl) => {
    for (const provider of FIRST_BOOT_PROVIDERS) {
      expect(() => renderCloudInit({ provider, mode: 'kubeadm', brokerUrl })).toThrowError(expect.objectContaining({ code: 'invalid_broker_url' }));
      expect(() => renderJoinOneLiner({ provider, brokerUrl })).toThrowError(expect.objectContaining({ code: 'invalid_broker_url' }));
    }
  });

  it.each(['http://127.0.0.1:8787', 'http://localhost:8787', 'http://[::1]:8787', 'https://10.0.0.1:8443/broker', 'https://[2001:db8::1]'])(
    'accepts %s',
    (brokerUrl) => {
      expect(() => renderCloudInit({ provider: 'aws', mode: 'kubeadm', brokerUrl })).not.toThrow();
    },
  );

  it.each([
    ['empty', '', 'invalid_gcp_audience'],
    ['too long', 'a'.repeat(2049), 'invalid_gcp_audience'],
    ['an unpaired surrogate', 'aud\ud800', 'unrepresentable_value'],
  ])('a GCP audience that is %s', (_, gcpAudience, code) => {
    expect(() => renderCloudInit({ provider: 'gcp', mode: 'kubeadm', brokerUrl: BROKER, gcpAudience })).toThrowError(expect.objectContaining({ code }));
  });

  it.each([
    { attempts: 0, maxDelaySeconds: 60 },
    { attempts: 101, maxDelaySeconds: 60 },
    { attempts: 1.5, maxDelaySeconds: 60 },
    { attempts: Number.NaN, maxDelaySeconds: 60 },
    { attempts: 3, maxDelaySeconds: 0 },
    { attempts: 3, maxDelaySeconds: 3601 },
    { attempts: 3, maxDelaySeconds: Number.POSITIVE_INFINITY },
  ])('retry %j', (retry) => {
    expect(() => renderCloudInit({ provider: 'aws', mode: 'kubeadm', brokerUrl: BROKER, retry })).toThrowError(
      expect.objectContaining({ code: 'invalid_retry_policy' }),
    );
  });
});

describe('the join program, run against fake metadata services and broker', () => {
  const fake = new FirstBootFake();
  let sandbox: FirstBootSandbox;
  let origin: string;

  beforeAll(async () => {
    origin = await fake.start();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    sandbox = new FirstBootSandbox();
  });
  afterEach(() => sandbox.cleanup());

  /** Renders user-data for the fake, extracts the program as cloud-init would, and runs it. */
  const boot = (options: Partial<CloudInitOptions> & { provider: FirstBootProvider }, shell: 'dash' | 'bash' = 'dash'): Promise<ProgramRun> => {
    const program = programOf(renderCloudInit({ mode: 'kubeadm', brokerUrl: origin, ...options }));
    return sandbox.run(program, { KJB_IMDS_URL: origin }, shell);
  };

  /** Nothing secret in the logs: no line of any identity document, no session token, no join script. */
  const expectNoSecretsLogged = (run: ProgramRun) => {
    const logs = [run.stdout, run.stderr, ...sandbox.loggerLines()].join('\n');
    for (const secret of [...AWS_DOCUMENT.split('\n'), IMDS_SESSION_TOKEN, GCP_TOKEN, 'MIIKfakePKCS7', 'KJB_TEST_OUT']) {
      expect(logs).not.toContain(secret);
    }
  };

  const expectJoined = (run: ProgramRun) => {
    expect(run.stderr).toContain('kube-join-broker: the join script finished');
    expect(run.status).toBe(0);
    // The join script (it holds the token) sat in a fresh 0700 directory, itself 0600 under umask 077.
    expect(sandbox.joinScriptRun()).toEqual({ 'file-mode': '600', 'dir-mode': '700', umask: '0077' });
    expect(sandbox.leftovers()).toEqual([]);
    expect(sandbox.pwned()).toBe(false);
    expectNoSecretsLogged(run);
  };

  it.each(JOIN_SCRIPT_MODES.flatMap((mode) => (['dash', 'bash'] as const).map((shell) => [mode, shell] as const)))(
    'aws/%s under %s: IMDSv2 token first, then the document with it, posted verbatim; the script runs',
    async (mode, shell) => {
      const run = await boot({ provider: 'aws', mode }, shell);
      expectJoined(run);
      const [put, get, post, ...rest] = fake.requests;
      expect(rest).toEqual([]);
      expect(put).toMatchObject({ method: 'PUT', url: '/latest/api/token', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' } });
      expect(get).toMatchObject({ method: 'GET', url: '/latest/dynamic/instance-identity/rsa2048', headers: { 'x-aws-ec2-metadata-token': IMDS_SESSION_TOKEN } });
      expect(post).toMatchObject({ method: 'POST', url: `/v1/join/aws?format=script&mode=${mode}`, headers: { 'content-type': 'text/plain' }, body: AWS_DOCUMENT });
      expect(post?.headers.expect).toBeUndefined();
    },
  );

  it('gcp: asks for the token with Metadata-Flavor, the broker URL as audience and format=full', async () => {
    const run = await boot({ provider: 'gcp', mode: 'kubelet' });
    expectJoined(run);
    const [identity, post] = fake.requests;
    expect(identity?.method).toBe('GET');
    expect(identity?.headers['metadata-flavor']).toBe('Google');
    const url = new URL(identity?.url ?? '', 'http://x');
    expect(url.pathname).toBe('/computeMetadata/v1/instance/service-accounts/default/identity');
    expect([...url.searchParams]).toEqual([['audience', origin], ['format', 'full']]);
    expect(post).toMatchObject({ url: '/v1/join/gcp?format=script&mode=kubelet', headers: { 'content-type': 'application/jwt' }, body: GCP_TOKEN });
    expect(fake.requests).toHaveLength(2);
  });

  it('gcp: a configured audience, hostile characters included, reaches the metadata service exactly', async () => {
    const gcpAudience = "aud'$(pwned)\"`pwned`\n;pwned &x=1#y %41";
    const run = await boot({ provider: 'gcp', gcpAudience });
    expectJoined(run);
    expect(new URL(fake.requests[0]?.url ?? '', 'http://x').searchParams.getAll('audience')).toEqual([gcpAudience]);
  });

  it('azure: a nonce from the broker, the attested document for that nonce, posted verbatim', async () => {
    const run = await boot({ provider: 'azure' });
    expectJoined(run);
    const [nonce, attested, post] = fake.requests;
    expect(nonce).toMatchObject({ method: 'POST', url: '/v1/nonce', body: '' });
    expect(attested).toMatchObject({ method: 'GET', url: '/metadata/attested/document?api-version=2020-09-01&nonce=4200000001', headers: { metadata: 'true' } });
    expect(post).toMatchObject({ url: '/v1/join/azure?format=script&mode=kubeadm', headers: { 'content-type': 'application/json' }, body: azureDocument('4200000001') });
    expect(fake.requests).toHaveLength(3);
  });

  it('azure: every attempt gets a fresh nonce', async () => {
    fake.join = [problemReply(503, 'upstream_unavailable', 1), scriptReply()];
    expectJoined(await boot({ provider: 'azure' }));
    expect(fake.to('/metadata/attested/document').map((r) => new URL(r.url, 'http://x').searchParams.get('nonce'))).toEqual(['4200000001', '4200000002']);
    expect(fake.to('/v1/join/azure').map((r) => r.body)).toEqual([azureDocument('4200000001'), azureDocument('4200000002')]);
  });

  it('azure: a nonce answer without a usable nonce is final', async () => {
    fake.nonce = [{ status: 200, headers: { 'content-type': 'application/json' }, body: '{"nonce":"a&b=c"}' }];
    const run = await boot({ provider: 'azure' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('no nonce of 1 to 32 letters and digits');
    expect(fake.to('/metadata/attested/document')).toEqual([]);
  });

  it('azure: a 503 on the nonce is retried, honouring its Retry-After', async () => {
    fake.nonce = [problemReply(503, 'upstream_unavailable', 2), { status: 200, body: '{"nonce":"1234567890","expiresAt":"x"}' }];
    expectJoined(await boot({ provider: 'azure' }));
    expect(sandbox.sleeps()).toHaveLength(1);
    expect(sandbox.sleeps()[0]).toBeGreaterThanOrEqual(2);
    expect(sandbox.sleeps()[0]).toBeLessThanOrEqual(3);
    expect(fake.to('/metadata/attested/document')[0]?.url).toContain('&nonce=1234567890');
  });

  it('503 with Retry-After: 1, then 200: retried once after 1 s with a fresh document; one log line for the failure', async () => {
    fake.join = [problemReply(503, 'upstream_unavailable', 1), scriptReply()];
    const run = await boot({ provider: 'aws' });
    expectJoined(run);
    expect(sandbox.sleeps()).toEqual([1]);
    expect(fake.to('/v1/join/aws')).toHaveLength(2);
    expect(fake.to('/latest/api/token')).toHaveLength(2);
    const line = 'attempt 1 of 10 failed: the broker answered HTTP 503 upstream_unavailable; retrying in 1s';
    expect(run.stderr.split('\n').filter((l) => l.includes('failed'))).toEqual([`kube-join-broker: ${line}`]);
    expect(sandbox.loggerLines()).toContain(`-t kube-join-broker ${line}`);
  });

  describe('503 launch_not_announced (requireLaunchHook; the launch lifecycle event has not reached the broker yet)', () => {
    const hint = "the broker has not yet received the autoscaling launch lifecycle event this instance's pool requires; if that persists, check the group's launch hook and its EventBridge or SNS delivery";
    /** The answer exactly as the broker builds it (pipeline detail, Retry-After), with a short wait for the test. */
    const brokerAnswer = async (): Promise<Reply> => {
      const response = problemResponse('launch_not_announced', { detail: "The pool admits only instances its autoscaling group announced, and this instance's launch lifecycle event has not reached the broker yet: try again after Retry-After.", retryAfterSeconds: 1 });
      return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
    };

    it.each(['dash', 'bash'] as const)('under %s: retried after its Retry-After with a fresh document, the log line says why; then the join succeeds', async (shell) => {
      fake.join = [await brokerAnswer(), await brokerAnswer(), scriptReply()];
      const run = await boot({ provider: 'aws' }, shell);
      expectJoined(run);
      expect(sandbox.sleeps()).toEqual([1, 1]);
      expect(fake.to('/v1/join/aws')).toHaveLength(3);
      expect(fake.to('/latest/dynamic/instance-identity/rsa2048')).toHaveLength(3);
      const lines = [1, 2].map((n) => `attempt ${n} of 10 failed: the broker answered HTTP 503 launch_not_announced (${hint}); retrying in 1s`);
      expect(run.stderr.split('\n').filter((l) => l.includes('failed'))).toEqual(lines.map((line) => `kube-join-broker: ${line}`));
      expect(sandbox.loggerLines().filter((l) => l.includes('failed'))).toEqual(lines.map((line) => `-t kube-join-broker ${line}`));
    });

    it('still not announced after the last attempt: gives up with 75, the line says why', async () => {
      fake.join = [await brokerAnswer()];
      const run = await boot({ provider: 'aws', retry: { attempts: 2, maxDelaySeconds: 1 } });
      expect(run.status).toBe(75);
      expect(fake.to('/v1/join/aws')).toHaveLength(2);
      expect(run.stderr).toContain(`kube-join-broker: error: giving up after 2 attempts: the broker answered HTTP 503 launch_not_announced: ${hint}\n`);
      expect(sandbox.joinScriptRun()).toBeUndefined();
      expectNoSecretsLogged(run);
    });
  });

  it.each([
    [403, 'access_denied', "the broker's log has the detailed reason"],
    [403, 'stale_document', "the broker's log has the detailed reason"],
    [400, 'malformed_document', undefined],
    [
      409,
      'already_joined',
      'the broker has a join on record for this instance: an earlier attempt may have joined without its answer arriving, or another join of it is in flight; an operator can reset it with DELETE /v1/joins/{key}',
    ],
    [404, 'not_found', undefined],
  ])('%i %s: no retry, exit 1, the log line names the code', async (status, code, hint) => {
    fake.join = [problemReply(status, code)];
    const run = await boot({ provider: 'aws' });
    expect(run.status).toBe(1);
    expect(fake.to('/v1/join/aws')).toHaveLength(1);
    expect(sandbox.sleeps()).toEqual([]);
    expect(sandbox.joinScriptRun()).toBeUndefined();
    const line = `error: the broker answered HTTP ${status} ${code}; not retrying${hint === undefined ? '' : `: ${hint}`}`;
    expect(run.stderr).toContain(`kube-join-broker: ${line}\n`);
    expect(sandbox.loggerLines()).toEqual([`-t kube-join-broker ${line}`]);
    expect(sandbox.leftovers()).toEqual([]);
    expectNoSecretsLogged(run);
  });

  it('429 without Retry-After: exponential backoff with jitter, then gives up with 75', async () => {
    fake.join = [problemReply(429, 'rate_limited')];
    const run = await boot({ provider: 'aws', retry: { attempts: 5, maxDelaySeconds: 60 } });
    expect(run.status).toBe(75);
    expect(fake.to('/v1/join/aws')).toHaveLength(5);
    const sleeps = sandbox.sleeps();
    expect(sleeps).toHaveLength(4);
    [[1, 2], [2, 4], [4, 8], [8, 16]].forEach(([low, high], i) => {
      expect(sleeps[i]).toBeGreaterThanOrEqual(low as number);
      expect(sleeps[i]).toBeLessThanOrEqual(high as number);
    });
    expect(run.stderr).toContain('kube-join-broker: error: giving up after 5 attempts: the broker answered HTTP 429 rate_limited\n');
    expect(sandbox.joinScriptRun()).toBeUndefined();
  });

  it('jitter: the same backoff step does not always draw the same delay', async () => {
    fake.join = [problemReply(500, 'internal_error')];
    await boot({ provider: 'aws', retry: { attempts: 21, maxDelaySeconds: 4 } });
    const capped = sandbox.sleeps().slice(2);
    expect(capped.every((s) => s >= 2 && s <= 4)).toBe(true);
    expect(new Set(capped).size).toBeGreaterThan(1);
  });

  it('Retry-After above the maximum delay is capped to it', async () => {
    fake.join = [problemReply(503, 'upstream_unavailable', 3600)];
    const run = await boot({ provider: 'aws', retry: { attempts: 3, maxDelaySeconds: 5 } });
    expect(run.status).toBe(75);
    expect(sandbox.sleeps()).toEqual([5, 5]);
  });

  it('a 502 without a problem body (a proxy in front) is retried and logged as such', async () => {
    fake.join = [{ status: 502, headers: { 'content-type': 'text/html' }, body: '<html>bad gateway</html>' }, scriptReply()];
    const run = await boot({ provider: 'aws' });
    expectJoined(run);
    expect(run.stderr).toContain('attempt 1 of 10 failed: the broker answered HTTP 502 without a problem code; retrying in');
  });

  it('no answer from the broker: retried, logged with curl\'s error, gives up with 75', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const program = programOf(renderCloudInit({ provider: 'aws', mode: 'kubeadm', brokerUrl: `http://127.0.0.1:${closed}`, retry: { attempts: 2, maxDelaySeconds: 1 } }));
    const run = await sandbox.run(program, { KJB_IMDS_URL: origin });
    expect(run.status).toBe(75);
    expect(sandbox.sleeps()).toEqual([1]);
    expect(run.stderr).toMatch(/attempt 1 of 2 failed: no answer from the broker \(curl exit 7: curl: \(7\) [^\n]*\); retrying in 1s\n/);
    expect(run.stderr).toMatch(/error: giving up after 2 attempts: no answer from the broker \(curl exit 7/);
    expect(fake.to('/latest/api/token')).toHaveLength(2);
  });

  it('a metadata service 500 is retried; the broker is called only with a document', async () => {
    fake.imds.set('/latest/dynamic/instance-identity/rsa2048', [{ status: 500 }, { status: 200, body: AWS_DOCUMENT }]);
    const run = await boot({ provider: 'aws' });
    expectJoined(run);
    expect(run.stderr).toContain('attempt 1 of 10 failed: the metadata service answered HTTP 500; retrying in');
    expect(fake.to('/v1/join/aws').map((r) => r.body)).toEqual([AWS_DOCUMENT]);
  });

  it('a metadata service 404 (GCP: no service account) is final and never reaches the broker', async () => {
    fake.imds.set('/computeMetadata/v1/instance/service-accounts/default/identity', [{ status: 404 }]);
    const run = await boot({ provider: 'gcp' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('kube-join-broker: error: the metadata service answered HTTP 404; not retrying\n');
    expect(fake.to('/v1/join/gcp')).toEqual([]);
  });

  it('an empty identity document is retried, not posted', async () => {
    fake.imds.set('/computeMetadata/v1/instance/service-accounts/default/identity', [{ status: 200, body: '' }, { status: 200, body: GCP_TOKEN }]);
    expectJoined(await boot({ provider: 'gcp' }));
    expect(fake.to('/v1/join/gcp').map((r) => r.body)).toEqual([GCP_TOKEN]);
  });

  it.each([
    ['another media type (a captive portal, a proxy)', { status: 200, headers: { 'content-type': 'text/html' }, body: '#!/bin/sh\npwned\n' }],
    ['an empty body', { status: 200, headers: { 'content-type': 'text/x-shellscript' }, body: '' }],
  ])('a 200 with %s is never run, and is final', async (_, reply) => {
    fake.join = [reply];
    const run = await boot({ provider: 'aws' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('error: the broker answered HTTP 200 with something other than a join script; not retrying');
    expect(sandbox.pwned()).toBe(false);
    expect(sandbox.leftovers()).toEqual([]);
  });

  it('a failing join script is not retried (its token is spent); its status is the exit status', async () => {
    fake.join = [scriptReply('#!/bin/sh\nexit 3\n')];
    const run = await boot({ provider: 'aws' });
    expect(run.status).toBe(3);
    expect(fake.to('/v1/join/aws')).toHaveLength(1);
    expect(run.stderr).toContain('kube-join-broker: error: the join script failed with exit status 3\n');
    expect(sandbox.leftovers()).toEqual([]);
  });

  it('does nothing, and asks nobody, once /etc/kubernetes/kubelet.conf exists', async () => {
    spawnSync('mkdir', ['-p', join(sandbox.root, 'etc/kubernetes')]);
    writeFileSync(join(sandbox.root, 'etc/kubernetes/kubelet.conf'), 'joined');
    const run = await boot({ provider: 'aws' });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('kube-join-broker: /etc/kubernetes/kubelet.conf exists: this machine has joined already; nothing to do\n');
    expect(fake.requests).toEqual([]);
  });

  it.each(["/p'$(pwned)'", '/p`pwned`', '/p;pwned;', '/p"$(pwned)"', '/p$(pwned)', '/p\\$(pwned)', '/p&&pwned', '/p|pwned'])(
    'a hostile broker path %j is posted to literally, never run',
    async (path) => {
      const brokerUrl = `${origin}${path}`;
      const run = await boot({ provider: 'azure', brokerUrl });
      expectJoined(run);
      const expected = new URL(`${brokerUrl}/v1/join/azure`).pathname;
      expect(fake.to('/v1/join/azure').map((r) => new URL(r.url, 'http://x').pathname)).toEqual([expected]);
      expect(fake.to('/v1/nonce').map((r) => new URL(r.url, 'http://x').pathname)).toEqual([new URL(`${brokerUrl}/v1/nonce`).pathname]);
    },
  );
});

describe('renderJoinOneLiner', () => {
  /** The README's one-liners, pinned. */
  const README = {
    aws:
      "TOKEN=$(curl -fsS -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token)" +
      ' && curl -fsS -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/dynamic/instance-identity/rsa2048' +
      " | curl -fsS --data-binary @- 'https://join.example.com/v1/join/aws?format=script' | sh",
    gcp:
      "curl -fsS -H 'Metadata-Flavor: Google' 'http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/identity?audience=https%3A%2F%2Fjoin.example.com&format=full'" +
      " | curl -fsS --data-binary @- 'https://join.example.com/v1/join/gcp?format=script' | sh",
    azure:
      "NONCE=$(curl -fsS -d '' https://join.example.com/v1/nonce | sed -n 's/.*\"nonce\" *: *\"\\([0-9A-Za-z]*\\)\".*/\\1/p')" +
      " && curl -fsS -H 'Metadata: true' --noproxy '*' \"http://169.254.169.254/metadata/attested/document?api-version=2020-09-01&nonce=$NONCE\"" +
      " | curl -fsS -H 'Content-Type: application/json' --data-binary @- 'https://join.example.com/v1/join/azure?format=script' | sh",
  } as const;

  it.each(FIRST_BOOT_PROVIDERS)('%s: the README form', (provider) => {
    expect(renderJoinOneLiner({ provider, brokerUrl: BROKER })).toBe(README[provider]);
  });

  it.each(FIRST_BOOT_PROVIDERS)('%s passes shellcheck -s sh', (provider) => {
    const result = tool('shellcheck', ['--shell=sh', '--severity=style', '-'], `${renderJoinOneLiner({ provider, brokerUrl: BROKER, mode: 'kubelet' })}\n`);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('adds the mode when one is given', () => {
    expect(renderJoinOneLiner({ provider: 'aws', brokerUrl: BROKER, mode: 'kubelet' })).toContain("'https://join.example.com/v1/join/aws?format=script&mode=kubelet' | sh");
  });

  describe('run against the fakes', () => {
    const fake = new FirstBootFake();
    let sandbox: FirstBootSandbox;
    let origin: string;
    beforeAll(async () => {
      origin = await fake.start();
    });
    afterAll(() => fake.close());
    beforeEach(() => {
      fake.reset();
      sandbox = new FirstBootSandbox();
    });
    afterEach(() => sandbox.cleanup());

    it.each(FIRST_BOOT_PROVIDERS)('%s: fetches the document, posts it verbatim, runs the script', async (provider) => {
      // The metadata origins are the only part swapped for the fake's.
      const line = renderJoinOneLiner({ provider, brokerUrl: origin })
        .replaceAll('http://169.254.169.254', origin)
        .replaceAll('http://metadata.google.internal', origin);
      const run = await sandbox.runLine(line, {});
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(sandbox.joinScriptRun()).toMatchObject({ 'file-mode': 'stdin', 'dir-mode': 'stdin' });
      const posted = fake.to(`/v1/join/${provider}`);
      expect(posted.map((r) => r.body)).toEqual([{ aws: AWS_DOCUMENT, gcp: GCP_TOKEN, azure: azureDocument('4200000001') }[provider]]);
    });
  });
});
