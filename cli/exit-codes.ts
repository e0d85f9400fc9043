/**
 * Exit statuses of every command, so scripts can tell a refusal from a mistake:
 * - 0 `ok`: verify accepted the document; setup finished.
 * - 1 `rejected`: verify refused the document (reason on stderr); setup: the cluster refused or
 *   failed a request (forbidden, unreachable, conflict it cannot resolve).
 * - 2 `usage`: bad arguments, unreadable files, an invalid policy or kubeconfig, verify could
 *   not decide offline (keys not available), or an internal error (never reported as 1).
 */
export const EXIT = { ok: 0, rejected: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A mistake in how the command was called or configured: exit 2, message on stderr. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The cluster refused or failed a setup step: exit 1, message on stderr. */
export class ClusterError extends Error {
  override readonly name = 'ClusterError';
}
