/**
 * The `#cloud-config` user-data a machine boots with to join through the broker
 * (`GET /v1/cloud-init`). No I/O. The document is an object written by the YAML serializer; the
 * program it carries is rendered by join-program.ts.
 *
 * Shape: `write_files` puts the join program at {@link CLOUD_INIT_PROGRAM_PATH} (root, 0700) and
 * `runcmd` runs it once, in cloud-init's final stage (after the network is up). A file rather
 * than the program inline in `runcmd`:
 * - an operator can run the same program again by hand after fixing a refusal (cloud-init runs
 *   `runcmd` only on the first boot of an instance), and it does nothing once the node joined;
 * - `runcmd` stays one short, readable command, and the program is not passed as an argument
 *   (`sh -c <program>`), where it would sit in the process table for the whole retry loop.
 * The program holds no secret, so leaving it on disk exposes nothing.
 */
import { renderJoinProgram, type JoinProgramOptions } from './join-program.js';
import { literalBlock, toKubernetesYaml } from './yaml.js';

/** Where `write_files` puts the join program. */
export const CLOUD_INIT_PROGRAM_PATH = '/usr/local/sbin/kube-join-broker-join';

/** Options of {@link renderCloudInit}: those of the join program it carries. */
export type CloudInitOptions = JoinProgramOptions;

/**
 * Renders the `#cloud-config` user-data for `provider` and `mode`: `write_files` with the join
 * program of {@link renderJoinProgram} at {@link CLOUD_INIT_PROGRAM_PATH} (owner root:root, mode
 * 0700), and `runcmd: [[sh, <that path>]]`. It passes `cloud-init schema --config-file`.
 *
 * @throws {TypeError} for an unknown provider or mode.
 * @throws {RenderError} as {@link renderJoinProgram}.
 */
export function renderCloudInit(options: CloudInitOptions): string {
  const program = renderJoinProgram(options);
  const document = {
    write_files: [{ path: CLOUD_INIT_PROGRAM_PATH, owner: 'root:root', permissions: '0700', content: literalBlock(program) }],
    runcmd: [['sh', CLOUD_INIT_PROGRAM_PATH]],
  };
  return `#cloud-config\n${toKubernetesYaml(document)}`;
}
