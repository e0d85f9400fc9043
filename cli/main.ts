/** Entry point of `npm run cli -- <command>` (tsx) and of bin/kube-join-broker.mjs. */
import { runCli } from './cli.js';
import { processIo } from './io.js';

process.exitCode = await runCli(process.argv.slice(2), processIo());
