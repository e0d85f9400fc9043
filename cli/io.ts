/**
 * What a command may touch, passed in so commands stay testable: output streams, stdin, the
 * working directory and the clock. Secrets go to `stdout` only when the operator asked for them;
 * `stderr` carries diagnostics and never a token.
 */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readStdin: () => Promise<Uint8Array>;
  readonly cwd: string;
  readonly now: () => Date;
}

/**
 * Where the operator typed the command. `npm run cli` runs the script in the package root and
 * passes the directory it was started from as INIT_CWD; relative paths (documents, policies,
 * kubeconfigs, the token file) mean that directory, as they would for any command.
 */
export function invocationDirectory(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  return env['npm_lifecycle_event'] === 'cli' && env['INIT_CWD'] ? env['INIT_CWD'] : cwd;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return new Uint8Array(Buffer.concat(chunks));
    },
    cwd: invocationDirectory(),
    now: () => new Date(),
  };
}
