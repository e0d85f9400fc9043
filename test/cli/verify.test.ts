import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit-codes.js';
import { cliInProcess, cliProcess, npmCli, repoRoot } from './support.js';

/**
 * Vectors are read only from the committed copies in test/fixtures (copied from
 * ../shared/vectors, which a test never reads), named relative to the repository root as an
 * operator would name a file.
 */
const AWS_VECTOR = 'test/fixtures/aws/teleport-2021-us-west-2.rsa2048';
const AZURE = join(repoRoot, 'test/fixtures/azure');
const GCP = 'test/fixtures/gcp';
const GCP_TOKEN = `${GCP}/infisical-2024-us-central1-a.jwt`;
const GCP_AUDIENCE = '71d1b279-2fe3-4828-85f5-2f4a2fdb02a1';
const GCP_KEYS = `${GCP}/google-jwks-kid-a3b762f8.json`;
/** Inside the token's validity (iat 16:19:47, exp 17:19:47) and the 600 s window. */
const GCP_AT = '2024-05-17T16:25:00Z';

const dir = mkdtempSync(join(tmpdir(), 'kjb-cli-verify-'));
const policyFile = (name: string, policy: object): string => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(policy));
  return path;
};
const awsPolicy = (accounts: string[]) =>
  policyFile(`aws-${accounts.join('-')}.json`, {
    pools: [{ name: 'workers', nodeName: '{{pool}}-{{instanceId}}', freshness: '5m' }],
    rules: [{ pool: 'workers', provider: 'aws', accounts, regions: ['us-west-2'] }],
  });

describe('verify, as operators run it (real processes)', () => {
  it('prints the identity a real AWS document proves: npm run --silent cli -- verify aws --at … <file> from the repository root', async () => {
    const { code, stdout, stderr } = await npmCli(['verify', 'aws', '--at', '2021-09-03T21:26:00Z', AWS_VECTOR]);
    expect(stderr).toBe('');
    expect(code).toBe(EXIT.ok);
    const out = JSON.parse(stdout);
    expect(out.verdict).toBe('accepted');
    expect(out.identity).toMatchObject({ provider: 'aws', account: '278576220453', instanceId: 'i-078517ca8a70a1dde', region: 'us-west-2', issuedAt: '2021-09-03T21:25:44.000Z' });
    expect(out.freshness).toEqual({ issuedAt: '2021-09-03T21:25:44.000Z', ageSeconds: 16, windowSeconds: 600 });
  });

  it('resolves relative paths against the directory npm run was started from (INIT_CWD), not the package root', async () => {
    const { run } = await import('../support/run.js');
    const { code, stdout } = await run('npm', ['run', '--silent', 'cli', '--', 'verify', 'aws', '--at', '2021-09-03T21:26:00Z', 'fixtures/aws/teleport-2021-us-west-2.rsa2048'], undefined, { cwd: join(repoRoot, 'test') });
    expect(code).toBe(EXIT.ok);
    expect(JSON.parse(stdout).identity.instanceId).toBe('i-078517ca8a70a1dde');
  });

  it('refuses the same document judged now: stale_document under the default 600 s window, exit 1, reason on stderr only', async () => {
    const { code, stdout, stderr } = await npmCli(['verify', 'aws', AWS_VECTOR]);
    expect(code).toBe(EXIT.rejected);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^kube-join-broker verify: refused: stale_document\n {2}stage: {2}freshness\n {2}detail: issued \d+(\.\d+)? s before now \(2021-09-03T21:25:44\.000Z\), window 600 s\n/);
    expect(stderr).toContain('"account":"278576220453"');
  });

  it('names the rule field that refused when the policy denies: access_denied, rule 0: account', async () => {
    const { code, stdout, stderr } = await cliProcess(['verify', 'aws', '--at', '2021-09-03T21:26:00Z', '--policy', awsPolicy(['111122223333']), AWS_VECTOR]);
    expect(code).toBe(EXIT.rejected);
    expect(stdout).toBe('');
    expect(stderr).toContain('refused: access_denied\n  stage:  policy\n  detail: no rule matched (rule 0: account)\n');
  });

  it('with a policy that admits it: the pool, the rule and the node name the node would get, under the pool window', async () => {
    const { code, stdout } = await cliProcess(['verify', 'aws', '--at', '2021-09-03T21:26:00Z', '--policy', awsPolicy(['278576220453']), AWS_VECTOR]);
    expect(code).toBe(EXIT.ok);
    const out = JSON.parse(stdout);
    expect(out.join).toEqual({
      pool: 'workers',
      rule: 0,
      nodeName: 'workers-i-078517ca8a70a1dde',
      tokenTtlSeconds: 600,
      authExtraGroups: ['system:bootstrappers:kubeadm:default-node-token'],
      nodeLabels: {},
      nodeTaints: [],
      discovery: 'token',
      rejoin: 'never',
    });
    expect(out.freshness.windowSeconds).toBe(300);
  });

  it('verifies a real GCP identity token offline with Google key from --jwks', async () => {
    const { code, stdout, stderr } = await cliProcess(['verify', 'gcp', '--at', GCP_AT, '--audience', GCP_AUDIENCE, '--jwks', GCP_KEYS, GCP_TOKEN]);
    expect(stderr).toBe('');
    expect(code).toBe(EXIT.ok);
    expect(JSON.parse(stdout).identity).toMatchObject({
      provider: 'gcp',
      account: 'infisical-dev',
      instanceId: '8418160715288427941',
      zone: 'us-central1-a',
      region: 'us-central1',
      issuedAt: '2024-05-17T16:19:47.000Z',
    });
  });

  it('reads the document from stdin with -', async () => {
    const document = readFileSync(join(repoRoot, AWS_VECTOR), 'utf8');
    const { code, stdout } = await cliProcess(['verify', 'aws', '--at', '2021-09-03T21:26:00Z', '-'], { input: document });
    expect(code).toBe(EXIT.ok);
    expect(JSON.parse(stdout).identity.instanceId).toBe('i-078517ca8a70a1dde');
  });
});

describe('verify outcomes (table, in process)', () => {
  const at = ['--at', GCP_AT];
  it.each([
    ['gcp, wrong audience', ['verify', 'gcp', ...at, '--audience', 'https://other.example', '--jwks', GCP_KEYS, GCP_TOKEN], EXIT.rejected, 'refused: invalid_claims'],
    ['gcp, after exp', ['verify', 'gcp', '--at', '2024-05-17T18:00:00Z', '--audience', GCP_AUDIENCE, '--jwks', GCP_KEYS, GCP_TOKEN], EXIT.rejected, 'refused: stale_document'],
    ['gcp, key set without its kid', ['verify', 'gcp', ...at, '--audience', GCP_AUDIENCE, '--jwks', `${GCP}/google-jwks-kid-6a8ba565.json`, GCP_TOKEN], EXIT.rejected, 'refused: unknown_signer'],
    ['gcp, no keys offline', ['verify', 'gcp', ...at, '--audience', GCP_AUDIENCE, GCP_TOKEN], EXIT.usage, 'offline: the keys at https://www.googleapis.com/oauth2/v3/certs were not fetched'],
    ['gcp, no audience', ['verify', 'gcp', ...at, '--jwks', GCP_KEYS, GCP_TOKEN], EXIT.usage, 'pass --audience'],
    ['aws, GCP token as AWS document', ['verify', 'aws', ...at, GCP_TOKEN], EXIT.rejected, 'refused: malformed_document'],
    ['oidc without a policy', ['verify', 'oidc', GCP_TOKEN], EXIT.usage, 'pass a --policy with oidc.issuers'],
    ['unknown provider', ['verify', 'ec2', AWS_VECTOR], EXIT.usage, 'unknown provider "ec2"'],
    ['bad --at', ['verify', 'aws', '--at', '2021-09-03 21:26', AWS_VECTOR], EXIT.usage, '--at: "2021-09-03 21:26" is not an RFC 3339 time'],
    ['no document', ['verify', 'aws'], EXIT.usage, 'expected <aws|gcp|azure|oidc> and one document'],
    ['missing file', ['verify', 'aws', 'no-such-file'], EXIT.usage, 'cannot read the document no-such-file: ENOENT'],
    ['unknown option', ['verify', 'aws', '--since', 'x', AWS_VECTOR], EXIT.usage, "Unknown option '--since'"],
    ['--jwks with aws', ['verify', 'aws', '--jwks', GCP_KEYS, AWS_VECTOR], EXIT.usage, '--jwks and --fetch-keys apply to gcp and oidc only'],
    ['invalid policy', ['verify', 'aws', '--policy', policyFile('bad.json', { pools: [] }), AWS_VECTOR], EXIT.usage, 'pools: define at least one pool'],
  ])('%s', async (_name, args, code, message) => {
    const result = await cliInProcess(args);
    expect(result.code).toBe(code);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
  });

  it('refuses an AWS document whose signed content was altered: invalid_signature', async () => {
    const pem = readFileSync(join(repoRoot, AWS_VECTOR), 'utf8');
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const i = der.indexOf(Buffer.from('278576220453'));
    der[i] = '3'.charCodeAt(0);
    const tampered = join(dir, 'tampered.rsa2048');
    writeFileSync(tampered, der.toString('base64'));
    const result = await cliInProcess(['verify', 'aws', '--at', '2021-09-03T21:26:00Z', tampered]);
    expect(result.code).toBe(EXIT.rejected);
    expect(result.stderr).toContain('refused: invalid_signature');
  });

  it.each([['verify'], ['setup'], []])('--help of %s', async (...command) => {
    const result = await cliInProcess([...command, '--help']);
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toMatch(/^Usage: kube-join-broker/);
    expect(result.stdout).toContain('Exit status');
  });
});

describe('verify oidc with the issuers of the policy', () => {
  it('accepts a token from a configured issuer with inline keys, and names the refusing rule field otherwise', async () => {
    const { SignJWT, exportJWK, generateKeyPair } = await import('jose');
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    const issuer = 'https://issuer.example';
    const iat = Date.parse('2026-01-01T00:00:00Z') / 1000;
    const token = await new SignJWT({ sub: 'machine-7' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience('kube-join-broker')
      .setIssuedAt(iat)
      .setExpirationTime(iat + 600)
      .sign(privateKey);
    const tokenFile = join(dir, 'oidc.jwt');
    writeFileSync(tokenFile, `${token}\n`);
    const policy = (accounts: string[]) =>
      policyFile(`oidc-${accounts.length}.json`, {
        pools: [{ name: 'edge' }],
        rules: [{ pool: 'edge', provider: 'oidc', accounts }],
        oidc: { issuers: [{ issuer, jwks: { keys: [jwk] }, algorithms: ['ES256'], audience: 'kube-join-broker', identityClaim: 'sub' }] },
      });
    const at = ['--at', '2026-01-01T00:01:00Z'];

    const accepted = await cliInProcess(['verify', 'oidc', ...at, '--policy', policy([issuer]), tokenFile]);
    expect(accepted.code).toBe(EXIT.ok);
    const out = JSON.parse(accepted.stdout);
    expect(out.identity).toMatchObject({ provider: 'oidc', account: issuer, instanceId: 'machine-7' });
    expect(out.join).toMatchObject({ pool: 'edge', rule: 0 });

    const denied = await cliInProcess(['verify', 'oidc', ...at, '--policy', policy(['https://other.example']), tokenFile]);
    expect(denied.code).toBe(EXIT.rejected);
    expect(denied.stderr).toContain('refused: access_denied\n  stage:  policy\n  detail: no rule matched (rule 0: account)\n');
  });
});

describe('the kube-join-broker bin', () => {
  it('runs the CLI from any working directory (tsx loader registered by the bin)', async () => {
    const { run } = await import('../support/run.js');
    const { code, stdout } = await run(process.execPath, [join(repoRoot, 'bin', 'kube-join-broker.mjs'), 'verify', 'aws', '--at', '2021-09-03T21:26:00Z', join(repoRoot, AWS_VECTOR)], undefined, { cwd: tmpdir() });
    expect(code).toBe(EXIT.ok);
    expect(JSON.parse(stdout).identity.account).toBe('278576220453');
  });

  it('package.json names it', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin).toEqual({ 'kube-join-broker': 'bin/kube-join-broker.mjs' });
  });
});

describe('verify azure', () => {
  const attested = join(dir, 'azure-eastus.json');
  writeFileSync(attested, JSON.stringify({ encoding: 'pkcs7', signature: readFileSync(join(AZURE, 'coder-2024-eastus.attested-signature.b64'), 'ascii').replace(/\s/g, '') }));
  const at = ['--at', '2024-04-22T17:33:00Z'];

  it('verifies a real 2024 attested document at its own time (through the historic CAs the Worker does not ship), and says the nonce was not checked', async () => {
    const result = await cliProcess(['verify', 'azure', ...at, attested]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(EXIT.ok);
    const out = JSON.parse(result.stdout);
    expect(out.identity).toMatchObject({ provider: 'azure', account: '05e8b285-4ce1-46a3-b4c9-f51ba67d6acc', instanceId: '960a4b4a-dab2-44ef-9b73-7753043b4f16' });
    expect(out.notes).toContain('azure: the nonce was not checked (no --nonce); the broker accepts only the nonce it issued');

    const matching = await cliInProcess(['verify', 'azure', ...at, '--nonce', '20240422-233245', attested]);
    expect(matching.code).toBe(EXIT.ok);
    expect(JSON.parse(matching.stdout).notes.some((n: string) => n.startsWith('azure:'))).toBe(false);
    const other = await cliInProcess(['verify', 'azure', ...at, '--nonce', 'not-the-one', attested]);
    expect(other.code).toBe(EXIT.rejected);
    expect(other.stderr).toContain('refused: invalid_nonce');
  });
});

