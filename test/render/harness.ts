/**
 * Test harness for the join scripts: a throw-away sandbox (destination root, cwd, HOME) with stub
 * `kubeadm` and `systemctl` first on PATH. Each stub call is logged as one JSON line holding its
 * exact argv (an array, so a value with a newline is still visibly one argument) and a snapshot of
 * every file under the destination root at that moment (path, mode, content).
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/** The shells every script must work under: dash is Debian's /bin/sh, bash is RHEL's. */
export const SHELLS = ['dash', 'bash'] as const;
export type Shell = (typeof SHELLS)[number];

export interface FileEntry {
  readonly mode: string;
  readonly content: string;
}
export type Tree = Record<string, FileEntry>;

export interface StubCall {
  readonly name: string;
  readonly args: string[];
  readonly files: Tree;
}

/** Every regular file under `dir`, keyed by its path relative to `dir` with a leading `/`. */
export function readTree(dir: string): Tree {
  const tree: Tree = {};
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else tree[`/${relative(dir, path)}`] = { mode: (statSync(path).mode & 0o777).toString(8), content: readFileSync(path, 'utf8') };
    }
  };
  if (existsSync(dir)) walk(dir);
  return tree;
}

const STUB = (logFile: string): string => `#!${process.execPath}
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const name = path.basename(process.argv[1]);
const args = process.argv.slice(2);
const root = process.env.KJB_ROOT;
const files = {};
const walk = (at) => {
  for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
    const p = path.join(at, entry.name);
    if (entry.isDirectory()) walk(p);
    else files['/' + path.relative(root, p)] = { mode: (fs.statSync(p).mode & 0o777).toString(8), content: fs.readFileSync(p, 'utf8') };
  }
};
if (root && fs.existsSync(root)) walk(root);
fs.appendFileSync(${JSON.stringify(logFile)}, JSON.stringify({ name, args, files }) + '\\n');
if (process.env.KJB_STUB_FAIL === name) process.exit(3);
const joins = (name === 'kubeadm' && args[0] === 'join') || (name === 'systemctl' && args[0] === 'restart');
if (joins && root && process.env.KJB_STUB_JOIN === '1') {
  fs.mkdirSync(path.join(root, 'etc/kubernetes'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/kubernetes/kubelet.conf'), 'stub kubelet.conf\\n');
}
`;

export interface RunOptions {
  readonly shell?: Shell;
  /** Extra environment; `KJB_ROOT` defaults to the sandbox root. */
  readonly env?: Record<string, string>;
  /** Replace PATH entirely (default: stubs first, then the system). */
  readonly path?: string;
}

export class Sandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'kjb-render-'));
  readonly root = join(this.dir, 'root');
  readonly cwd = join(this.dir, 'cwd');
  readonly home = join(this.dir, 'home');
  readonly stubs = join(this.dir, 'stubs');
  readonly empty = join(this.dir, 'empty');
  private readonly log = join(this.dir, 'calls.jsonl');

  constructor() {
    for (const d of [this.root, this.cwd, this.home, this.stubs, this.empty]) mkdirSync(d);
    for (const name of ['kubeadm', 'systemctl']) {
      writeFileSync(join(this.stubs, name), STUB(this.log));
      chmodSync(join(this.stubs, name), 0o755);
    }
  }

  /** Pipes `script` into the shell, as `curl … | sh` does. */
  run(script: string, options: RunOptions = {}): SpawnSyncReturns<string> {
    return spawnSync(options.shell ?? 'dash', [], {
      input: script,
      cwd: this.cwd,
      encoding: 'utf8',
      env: {
        PATH: options.path ?? `${this.stubs}:/usr/local/bin:/usr/bin:/bin`,
        HOME: this.home,
        KJB_ROOT: this.root,
        KJB_STUB_JOIN: '1',
        ...options.env,
      },
    });
  }

  /** Runs one command line with `sh -c`, stubs first on PATH. */
  runCommand(commandLine: string, shell: Shell = 'dash'): SpawnSyncReturns<string> {
    return spawnSync(shell, ['-c', commandLine], {
      cwd: this.cwd,
      encoding: 'utf8',
      env: { PATH: `${this.stubs}:/usr/local/bin:/usr/bin:/bin`, HOME: this.home },
    });
  }

  calls(): StubCall[] {
    if (!existsSync(this.log)) return [];
    return readFileSync(this.log, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as StubCall);
  }

  tree(): Tree {
    return readTree(this.root);
  }

  /** Paths of every file named `pwned` in the sandbox and in the test process's cwd. */
  pwned(): string[] {
    const found: string[] = [];
    const walk = (at: string): void => {
      for (const entry of readdirSync(at, { withFileTypes: true })) {
        const path = join(at, entry.name);
        if (entry.name === 'pwned') found.push(path);
        if (entry.isDirectory()) walk(path);
      }
    };
    walk(this.dir);
    if (existsSync(join(process.cwd(), 'pwned'))) found.push(join(process.cwd(), 'pwned'));
    return found;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `sh -n`: parses the script without running it. */
export function syntaxCheck(script: string, shell: Shell): SpawnSyncReturns<string> {
  return spawnSync(shell, ['-n'], { input: script, encoding: 'utf8' });
}

export interface KubectlConfig {
  clusters: { name: string; cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { name: string; user: { token: string } }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
  'current-context': string;
}

/** `kubectl config view --raw -o json` of `kubeconfig`, with HOME in a temp dir. */
export function kubectlView(kubeconfig: string): KubectlConfig {
  const dir = mkdtempSync(join(tmpdir(), 'kjb-kubectl-'));
  try {
    writeFileSync(join(dir, 'config'), kubeconfig, { mode: 0o600 });
    return JSON.parse(
      execFileSync('kubectl', ['config', 'view', '--kubeconfig', join(dir, 'config'), '--raw', '-o', 'json'], {
        env: { PATH: process.env.PATH, HOME: dir },
        encoding: 'utf8',
      }),
    ) as KubectlConfig;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
