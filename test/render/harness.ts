/**
 * Test harness for the join scripts: a throw-away sandbox (destination root, cwd, HOME) with stub
 * `kubeadm` and `systemctl` first on PATH. Each stub call records its exact argv and a copy of
 * the destination root at that moment, so tests see the files a command was given.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/** The shells every script must work under: dash is Debian's /bin/sh, bash is RHEL's. */
export const SHELLS = ['dash', 'bash'] as const;
export type Shell = (typeof SHELLS)[number];

/** Absolute path of each shell, so a test can run a script with an empty PATH. */
const shellPath = (shell: Shell): string => {
  const found = spawnSync('sh', ['-c', `command -v ${shell}`], { encoding: 'utf8' }).stdout.trim();
  if (found === '') throw new Error(`${shell} is not installed`);
  return found;
};
const SHELL_PATHS: Record<Shell, string> = { dash: shellPath('dash'), bash: shellPath('bash') };

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

/**
 * The stub: call N goes to $KJB_STUB_LOG/N/ as `name`, `argv` (each argument NUL-terminated, so
 * an argument holding a newline is still visibly one) and `root/`, a copy of $KJB_ROOT (unless
 * KJB_STUB_SNAPSHOT=0). KJB_STUB_FAIL=<name> makes that stub exit 3; KJB_STUB_JOIN=1 makes
 * `kubeadm join` and `systemctl restart` leave /etc/kubernetes/kubelet.conf, as a real join would.
 */
const STUB = `#!/bin/sh
set -eu
name=\${0##*/}
call="$KJB_STUB_LOG/$(ls "$KJB_STUB_LOG" | wc -l)"
mkdir "$call"
printf '%s' "$name" >"$call/name"
: >"$call/argv"
for arg in "$@"; do printf '%s\\0' "$arg" >>"$call/argv"; done
if [ "\${KJB_STUB_SNAPSHOT:-1}" = 1 ] && [ -n "\${KJB_ROOT:-}" ] && [ -d "$KJB_ROOT" ]; then cp -a "$KJB_ROOT" "$call/root"; fi
if [ "\${KJB_STUB_FAIL:-}" = "$name" ]; then exit 3; fi
if [ -n "\${KJB_ROOT:-}" ] && [ "\${KJB_STUB_JOIN:-}" = 1 ]; then
  case "$name $*" in
  'kubeadm join '* | 'systemctl restart '*)
    mkdir -p "$KJB_ROOT/etc/kubernetes"
    printf 'stub kubelet.conf\\n' >"$KJB_ROOT/etc/kubernetes/kubelet.conf"
    ;;
  esac
fi
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
  readonly root: string;
  readonly cwd = join(this.dir, 'cwd');
  readonly home = join(this.dir, 'home');
  readonly stubs = join(this.dir, 'stubs');
  readonly empty = join(this.dir, 'empty');
  private readonly log = join(this.dir, 'calls');

  /** `rootName`: the destination root's directory name (to test odd characters in KJB_ROOT). */
  constructor(rootName = 'root') {
    this.root = join(this.dir, rootName);
    for (const d of [this.root, this.cwd, this.home, this.stubs, this.empty, this.log]) mkdirSync(d);
    for (const name of ['kubeadm', 'systemctl']) {
      writeFileSync(join(this.stubs, name), STUB);
      chmodSync(join(this.stubs, name), 0o755);
    }
  }

  /** Pipes `script` into the shell, as `curl … | sh` does. */
  run(script: string, options: RunOptions = {}): SpawnSyncReturns<string> {
    return spawnSync(SHELL_PATHS[options.shell ?? 'dash'], [], {
      input: script,
      cwd: this.cwd,
      encoding: 'utf8',
      env: {
        PATH: options.path ?? `${this.stubs}:/usr/local/bin:/usr/bin:/bin`,
        HOME: this.home,
        KJB_ROOT: this.root,
        KJB_STUB_JOIN: '1',
        KJB_STUB_LOG: this.log,
        ...options.env,
      },
    });
  }

  /** Runs one command line with `sh -c`, stubs first on PATH. */
  runCommand(commandLine: string, shell: Shell = 'dash'): SpawnSyncReturns<string> {
    return spawnSync(SHELL_PATHS[shell], ['-c', commandLine], {
      cwd: this.cwd,
      encoding: 'utf8',
      env: { PATH: `${this.stubs}:/usr/local/bin:/usr/bin:/bin`, HOME: this.home, KJB_STUB_LOG: this.log },
    });
  }

  calls(): StubCall[] {
    return readdirSync(this.log)
      .map(Number)
      .sort((a, b) => a - b)
      .map((n) => {
        const call = join(this.log, String(n));
        const argv = readFileSync(join(call, 'argv'), 'utf8');
        return {
          name: readFileSync(join(call, 'name'), 'utf8'),
          args: argv === '' ? [] : argv.slice(0, -1).split('\0'),
          files: readTree(join(call, 'root')),
        };
      });
  }

  tree(): Tree {
    return readTree(this.root);
  }

  /** Paths of every file named `pwned` in the sandbox (root, cwd, HOME, …) and in the test process's cwd. */
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
  return spawnSync(SHELL_PATHS[shell], ['-n'], { input: script, encoding: 'utf8' });
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
