/**
 * Fakes for running the first-boot join program for real: one local HTTP server that plays the
 * cloud metadata services (AWS IMDSv2, GCP, Azure) and the broker, and a sandbox whose PATH has
 * stub `sleep` (records the delay, returns at once), `logger` (records its arguments) and `pwned`
 * (the canary every injection payload tries to run). curl, sed, od… are the real ones.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RecordedRequest {
  readonly method: string;
  /** Path and query exactly as received. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface Reply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** An `rsa2048` document as IMDS serves it: base64 lines, no armour, no final newline. */
export const AWS_DOCUMENT = [
  'MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwGggCSABIIB3nsK',
  'ICAiYWNjb3VudElkIiA6ICIxMjM0NTY3ODkwMTIiLAogICJhcmNoaXRlY3R1cmUiIDogIng4Nl82NCIs',
  'CiAgImluc3RhbmNlSWQiIDogImktMDEyMzQ1Njc4OWFiY2RlZjAiCn0AAAAAAAAxggIvMIICKwIBATBp',
].join('\n');
export const IMDS_SESSION_TOKEN = 'AQAEAFakeImdsSessionToken_x-y+z/w==';
export const GCP_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJmYWtlLWdjcC1pZGVudGl0eS10b2tlbiJ9.c2lnbmF0dXJlLW9mLXRoZS1mYWtlLXRva2Vu';
/** The attested document the fake Azure IMDS signs for `nonce`. */
export const azureDocument = (nonce: string): string => JSON.stringify({ encoding: 'pkcs7', signature: `MIIKfakePKCS7signedFor${nonce}AAAA` });

/** What the fake broker answers by default: a join script that records how it was run (from a file, or piped). */
export const JOIN_SCRIPT = `#!/bin/sh
set -eu
if [ -f "$0" ]; then
  printf 'file-mode=%s\\ndir-mode=%s\\n' "$(stat -c %a "$0")" "$(stat -c %a "$(dirname "$0")")" >"$KJB_TEST_OUT/join-script-ran"
else
  printf 'file-mode=stdin\\ndir-mode=stdin\\n' >"$KJB_TEST_OUT/join-script-ran"
fi
printf 'umask=%s\\n' "$(umask)" >>"$KJB_TEST_OUT/join-script-ran"
`;

export const scriptReply = (body = JOIN_SCRIPT): Reply => ({
  status: 200,
  headers: { 'content-type': 'text/x-shellscript; charset=utf-8', 'cache-control': 'no-store' },
  body,
});

export const problemReply = (status: number, code: string, retryAfter?: number): Reply => ({
  status,
  headers: {
    'content-type': 'application/problem+json',
    ...(retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) }),
  },
  body: JSON.stringify({ type: `urn:kube-join-broker:problem:${code}`, title: 'A title', status, code, ...(retryAfter === undefined ? {} : { retryAfter }) }),
});

/**
 * The metadata services and the broker on one loopback origin. Each route answers from its queue
 * of replies (the last one repeats); the defaults are the happy path. The IMDS routes enforce the
 * headers their real services require, and AWS's the session token.
 */
export class FirstBootFake {
  readonly requests: RecordedRequest[] = [];
  join: Reply[] = [scriptReply()];
  nonce: Reply[] | undefined;
  /** Replies that replace a metadata route's own, keyed by path without query. */
  readonly imds = new Map<string, Reply[]>();
  private nonces = 0;
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const recorded = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('latin1') };
        this.requests.push(recorded);
        const reply = this.route(recorded);
        response.writeHead(reply.status, reply.headers ?? {});
        response.end(reply.body ?? '');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Back to the happy path, with no requests recorded: one server serves a whole test file. */
  reset(): void {
    this.requests.length = 0;
    this.join = [scriptReply()];
    this.nonce = undefined;
    this.imds.clear();
    this.nonces = 0;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server === undefined ? resolve() : this.server.close(() => resolve())));
  }

  /** Requests whose path (without query) ends with `suffix`. */
  to(suffix: string): RecordedRequest[] {
    return this.requests.filter((r) => new URL(r.url, 'http://x').pathname.endsWith(suffix));
  }

  private route(request: RecordedRequest): Reply {
    const url = new URL(request.url, 'http://x');
    const next = (queue: Reply[]): Reply => (queue.length > 1 ? (queue.shift() as Reply) : (queue[0] as Reply));
    const override = this.imds.get(url.pathname);
    if (override !== undefined) return next(override);
    const h = request.headers;
    if (request.method === 'POST' && url.pathname.endsWith('/v1/nonce')) {
      if (this.nonce !== undefined) return next(this.nonce);
      this.nonces += 1;
      return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ nonce: String(4200000000 + this.nonces), expiresAt: '2030-01-01T00:00:00Z' }) };
    }
    if (request.method === 'POST' && /\/v1\/join\/[a-z]+$/.test(url.pathname)) return next(this.join);
    switch (`${request.method} ${url.pathname}`) {
      case 'PUT /latest/api/token':
        return h['x-aws-ec2-metadata-token-ttl-seconds'] === undefined ? { status: 400 } : { status: 200, body: IMDS_SESSION_TOKEN };
      case 'GET /latest/dynamic/instance-identity/rsa2048':
        return h['x-aws-ec2-metadata-token'] === IMDS_SESSION_TOKEN ? { status: 200, body: AWS_DOCUMENT } : { status: 401 };
      case 'GET /computeMetadata/v1/instance/service-accounts/default/identity':
        return h['metadata-flavor'] === 'Google' ? { status: 200, body: GCP_TOKEN } : { status: 403 };
      case 'GET /metadata/attested/document':
        return h.metadata === 'true' && url.searchParams.get('api-version') === '2020-09-01'
          ? { status: 200, headers: { 'content-type': 'application/json' }, body: azureDocument(url.searchParams.get('nonce') ?? '') }
          : { status: 400 };
      default:
        return { status: 404 };
    }
  }
}

const STUBS: Readonly<Record<string, string>> = {
  sleep: '#!/bin/sh\nprintf \'%s\\n\' "$*" >>"$KJB_STUB_LOG/sleep"\n',
  logger: '#!/bin/sh\nprintf \'%s\\n\' "$*" >>"$KJB_STUB_LOG/logger"\n',
  pwned: '#!/bin/sh\n: >"$KJB_STUB_LOG/PWNED"\n',
};

export interface ProgramRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A throw-away root, TMPDIR, HOME and stub directory for one run of a first-boot program. */
export class FirstBootSandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'kjb-first-boot-'));
  readonly root = join(this.dir, 'root');
  readonly tmp = join(this.dir, 'tmp');
  readonly out = join(this.dir, 'out');
  readonly log = join(this.dir, 'log');
  private readonly stubs = join(this.dir, 'stubs');

  constructor() {
    for (const d of [this.root, this.tmp, this.out, this.log, this.stubs, join(this.dir, 'home')]) mkdirSync(d);
    for (const [name, text] of Object.entries(STUBS)) {
      writeFileSync(join(this.stubs, name), text);
      chmodSync(join(this.stubs, name), 0o755);
    }
  }

  /**
   * Runs `program` as cloud-init would (`sh <file>`), asynchronously so that the fake server in
   * this process can answer. `shell` is dash (Debian's sh) unless told.
   */
  run(program: string, env: Record<string, string>, shell: 'dash' | 'bash' = 'dash'): Promise<ProgramRun> {
    const file = join(this.dir, 'program.sh');
    writeFileSync(file, program, { mode: 0o700 });
    return this.spawn(shell, [file], env);
  }

  /** Runs one command line with `sh -c`, as a user pasting a one-liner would. */
  runLine(line: string, env: Record<string, string>): Promise<ProgramRun> {
    return this.spawn('dash', ['-c', line], env);
  }

  private spawn(shell: string, args: string[], env: Record<string, string>): Promise<ProgramRun> {
    return new Promise((resolve, reject) => {
      const child = spawn(shell, args, {
        cwd: this.dir,
        env: {
          PATH: `${this.stubs}:/usr/local/bin:/usr/bin:/bin`,
          HOME: join(this.dir, 'home'),
          TMPDIR: this.tmp,
          KJB_ROOT: this.root,
          KJB_TEST_OUT: this.out,
          KJB_STUB_LOG: this.log,
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  }

  /** The delays the program asked `sleep` for, in order. */
  sleeps(): number[] {
    return this.lines('sleep').map(Number);
  }

  /** The messages the program passed to `logger`, one per call. */
  loggerLines(): string[] {
    return this.lines('logger');
  }

  /** Whether any injection payload ran the canary. */
  pwned(): boolean {
    return existsSync(join(this.log, 'PWNED'));
  }

  /** What the fake join script recorded, or undefined when it did not run. */
  joinScriptRun(): Record<string, string> | undefined {
    const file = join(this.out, 'join-script-ran');
    if (!existsSync(file)) return undefined;
    return Object.fromEntries(readFileSync(file, 'utf8').trim().split('\n').map((line) => line.split('=') as [string, string]));
  }

  /** Whatever is left in TMPDIR (the program's work directory must be gone). */
  leftovers(): string[] {
    return readdirSync(this.tmp);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private lines(name: string): string[] {
    const file = join(this.log, name);
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(0, -1) : [];
  }
}
