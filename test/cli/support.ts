import { fileURLToPath } from 'node:url';
import { runCli } from '../../cli/cli.js';
import type { CliIo } from '../../cli/io.js';
import { run, type RunResult } from '../support/run.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const tsxCli = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));

/** The exact operator command line, from the repository root: `npm run --silent cli -- …`. */
export const npmCli = (args: readonly string[], input?: string): Promise<RunResult> =>
  run('npm', ['run', '--silent', 'cli', '--', ...args], input, { cwd: repoRoot });

/** The CLI in its own process (tsx, as `npm run cli` runs it, without npm's start-up). */
export const cliProcess = (args: readonly string[], options: { input?: string; cwd?: string } = {}): Promise<RunResult> =>
  run(process.execPath, [tsxCli, `${repoRoot}cli/main.ts`, ...args], options.input, { cwd: options.cwd ?? repoRoot });

/** The CLI in this process, for table-driven cases: same `runCli`, captured streams. */
export async function cliInProcess(args: readonly string[], options: { stdin?: string; now?: Date; cwd?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readStdin: async () => new TextEncoder().encode(options.stdin ?? ''),
    cwd: options.cwd ?? repoRoot,
    now: () => options.now ?? new Date(),
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}
