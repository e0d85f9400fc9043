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

export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return new Uint8Array(Buffer.concat(chunks));
    },
    cwd: process.cwd(),
    now: () => new Date(),
  };
}
