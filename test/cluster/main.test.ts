/**
 * `npm run cluster` as a developer runs it: the tsx entry point (dev/cluster/main.ts) in its own
 * process on a free port (`--port 0`) with a temp state dir. Checks what it prints (README: the CA
 * path, the admin kubeconfig path and the broker token), the state dir's files, that kubectl with
 * the admin kubeconfig works against it, the serving certificate's SANs, and a clean SIGTERM exit.
 * HOME points at a temp dir so no user kubeconfig or kubectl cache leaks in.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeadmClusterInfoKubeconfig } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const READY_WAIT_MS = 60_000;

let work: string;
let stateDir: string;
let child: ChildProcess | undefined;
let stdout = '';
let stderr = '';
let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

/** The value printed after `label` (main.ts aligns values with spaces). */
function printed(label: string): string {
  const line = stdout.split('\n').find((l) => l.startsWith(label));
  if (line === undefined) throw new Error(`npm run cluster printed no "${label}" line:\n${stdout}`);
  return line.slice(label.length).trim();
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'kjb-npm-cluster-'));
  stateDir = join(work, 'state');
  // What `npm run cluster -- --port 0 --state-dir …` runs (package.json: "cluster": "tsx dev/cluster/main.ts"),
  // started directly so the signal reaches it without npm in between.
  const proc = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['dev/cluster/main.ts', '--port', '0', '--state-dir', stateDir], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: work },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so cleanup also reaches the node process tsx starts
  });
  child = proc;
  exited = new Promise((res) => proc.once('exit', (code, signal) => res({ code, signal })));
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  // Ready once the last line is out; a generous bound only so a broken start fails with its output.
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`npm run cluster not ready after ${READY_WAIT_MS / 1000} s\nstdout:\n${stdout}\nstderr:\n${stderr}`)), READY_WAIT_MS);
    const check = (): void => {
      if (/^try: .*\n/m.test(stdout)) {
        clearTimeout(timer);
        res();
      }
    };
    proc.stdout.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      rej(new Error(`npm run cluster exited (code ${code}, signal ${signal}) before it was ready\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    });
  });
}, READY_WAIT_MS + 10_000);

afterAll(async () => {
  if (child === undefined) return;
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    await exited;
  }
  try {
    process.kill(-child.pid!, 'SIGKILL'); // anything of this group still left after a failed test
  } catch {
    // the group is gone: the normal case
  }
  rmSync(work, { recursive: true, force: true });
});

async function kubectl(args: string[]): Promise<string> {
  try {
    const { stdout: out } = await promisify(execFile)('kubectl', ['--kubeconfig', join(stateDir, 'admin.kubeconfig'), ...args], {
      cwd: work,
      env: { PATH: process.env.PATH, HOME: work, KUBECONFIG: '' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    return out;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`kubectl ${args.join(' ')} failed: ${err.stderr ?? err.message}`);
  }
}

describe('npm run cluster', () => {
  it('prints its URL (a real port for --port 0), the CA path, the kubeconfig paths and the broker token', () => {
    expect(printed('Kubernetes API emulator (development tool) listening on ')).toMatch(/^https:\/\/127\.0\.0\.1:[1-9][0-9]*$/);
    expect(printed('CA certificate:')).toBe(join(stateDir, 'ca.crt'));
    expect(printed('admin kubeconfig:')).toBe(join(stateDir, 'admin.kubeconfig'));
    expect(printed('broker kubeconfig:')).toBe(join(stateDir, 'broker.kubeconfig'));
    expect(printed('broker token:')).toBe(readFileSync(join(stateDir, 'broker.token'), 'utf8').trim());
    expect(printed('try:')).toBe(`kubectl --kubeconfig ${join(stateDir, 'admin.kubeconfig')} get csr`);
    expect(stderr).toBe('');
  });

  it('keeps the state files the README lists', () => {
    for (const f of ['ca.crt', 'ca.key', 'admin.kubeconfig', 'admin.token', 'broker.kubeconfig', 'broker.token']) {
      expect(existsSync(join(stateDir, f)), f).toBe(true);
    }
  });

  it('answers kubectl with the admin kubeconfig, and serves cluster-info as kubeadm writes it (SEMANTICS §3.1)', async () => {
    const api = JSON.parse(await kubectl(['get', '--raw', '/api'])) as { kind: string; versions: string[] };
    expect(api.kind).toBe('APIVersions');
    expect(api.versions).toEqual(['v1']);
    const url = printed('Kubernetes API emulator (development tool) listening on ');
    const caData = readFileSync(join(stateDir, 'ca.crt')).toString('base64');
    expect(await kubectl(['get', 'configmap', '-n', 'kube-public', 'cluster-info', '-o', 'jsonpath={.data.kubeconfig}'])).toBe(kubeadmClusterInfoKubeconfig(url, caData));
  });

  it('serves a certificate from its CA for exactly the documented names', async () => {
    const url = new URL(printed('Kubernetes API emulator (development tool) listening on '));
    const ca = readFileSync(join(stateDir, 'ca.crt'), 'utf8');
    const peer = await new Promise<Buffer>((res, rej) => {
      const socket = connect({ host: url.hostname, port: Number(url.port), ca, servername: 'localhost' }, () => {
        const raw = socket.getPeerCertificate().raw;
        socket.end();
        res(raw);
      });
      socket.once('error', rej);
    });
    const cert = new X509Certificate(peer);
    expect(cert.verify(new X509Certificate(ca).publicKey)).toBe(true);
    const sans = (cert.subjectAltName ?? '').split(', ').sort();
    expect(sans).toEqual(
      [
        'DNS:localhost',
        'DNS:kubernetes',
        'DNS:kubernetes.default',
        'DNS:kubernetes.default.svc',
        'DNS:kubernetes.default.svc.cluster.local',
        'IP Address:127.0.0.1',
        'IP Address:0:0:0:0:0:0:0:1',
        'IP Address:10.96.0.1',
      ].sort(),
    );
    // The names a developer uses all verify against it.
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkIP('::1')).toBe('::1');
  });

  it('stops cleanly on SIGTERM', async () => {
    child!.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
  });
});
