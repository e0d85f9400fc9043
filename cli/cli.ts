/**
 * kube-join-broker operator CLI: `setup` prepares a cluster for the broker, `verify` explains
 * why an identity document would be accepted or refused. Entry points: cli/main.ts
 * (`npm run cli -- <command>`) and bin/kube-join-broker.mjs. Exit statuses: cli/exit-codes.ts.
 */
import { ClusterError, EXIT, UsageError, type ExitCode } from './exit-codes.js';
import type { CliIo } from './io.js';

export const MAIN_HELP = `Usage: kube-join-broker <command> [options]

Commands:
  setup    create the broker's ServiceAccount, its least-privilege RBAC and a token in a cluster,
           and print the wrangler commands that configure the Worker
  verify   check an identity document offline: the identity it proves, or why it is refused

Run kube-join-broker <command> --help for a command's options.
Exit status: 0 ok, 1 refused (verify) or the cluster refused a step (setup), 2 usage error.
`;

export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'setup': {
        const { setupCommand } = await import('./setup/command.js');
        return await setupCommand(rest, io);
      }
      case 'verify': {
        const { verifyCommand } = await import('./verify/command.js');
        return await verifyCommand(rest, io);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(MAIN_HELP);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        throw new UsageError(`unknown command "${command}" (commands: setup, verify; see kube-join-broker --help)`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`kube-join-broker: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof ClusterError) {
      io.stderr(`kube-join-broker: ${error.message}\n`);
      return EXIT.rejected;
    }
    // A bug, not a verdict: never exit 1 (which scripts read as "refused").
    io.stderr(`kube-join-broker: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    if (process.env['KJB_DEBUG'] === '1' && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    return EXIT.usage;
  }
}
