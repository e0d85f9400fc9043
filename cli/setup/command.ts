/**
 * `setup --kubeconfig <file>`: prepares a cluster for the broker with the operator's own
 * credentials (client-node's KubeConfig: client certificates, tokens, exec auth plugins).
 *
 * 1. the broker's ServiceAccount, Roles, RoleBindings, ClusterRole and ClusterRoleBinding
 *    (rbac.ts: each object with the reason it exists), then the bindings custom `--groups` need;
 * 2. a token for the ServiceAccount (token.ts), written to a 0600 file or, with --print-token,
 *    to stdout alone (the report then goes to stderr, so `… --print-token | wrangler secret put
 *    KUBE_TOKEN` works);
 * 3. the wrangler commands and vars that configure the Worker.
 * Idempotent: every object is reported created, updated or unchanged. --dry-run prints the
 * manifests as YAML and makes no request at all.
 */
import { closeSync, constants, lstatSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { Document } from 'yaml';
import { shellQuote } from '../../src/render/shell.js';
import { commaList, parseCommandArgs } from '../args.js';
import { EXIT, UsageError, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { applyObject, clusterClients, type ApplyResult, type ManagedObject } from './apply.js';
import { brokerPlan, checkBrokerApprovalPools, checkGroups, DEFAULT_NAMESPACE, DEFAULT_SERVICE_ACCOUNT, groupPlan, type PlannedObject } from './rbac.js';
import {
  DEFAULT_TOKEN_TTL_SECONDS,
  MIN_TOKEN_TTL_SECONDS,
  requestToken,
  secretToken,
  TOKEN_KINDS,
  tokenRequest,
  tokenSecret,
  type IssuedToken,
  type ServiceAccountRef,
  type TokenKind,
} from './token.js';

export const SETUP_HELP = `Usage: kube-join-broker setup --kubeconfig <file> [options]

Creates, with your kubeconfig's credentials (a cluster administrator's), what the broker needs:
  - ServiceAccount <namespace>/<service-account>
  - Role + RoleBinding kube-system/<service-account>: create/get/list/delete Secrets in
    kube-system (bootstrap tokens). RBAC cannot narrow create by name or any verb by Secret type,
    so a leaked broker token can read, create and delete every Secret in kube-system.
  - Role + RoleBinding kube-public/<service-account>:cluster-info: get ConfigMap cluster-info
  - ClusterRole + ClusterRoleBinding <service-account>: get/list/watch CSRs, update
    certificatesigningrequests/approval, approve on the kubelet client and kubelet-serving
    signers, get/delete Nodes
  - for each --groups group other than kubeadm's default-node-token group: the bindings kubeadm
    makes for that group, so bootstrap tokens carrying it can run kubeadm join
  - for each --broker-approval-pools pool: the same for its group
    system:bootstrappers:kube-join-broker:<pool>, except nodeclient auto-approval (the broker
    approves those tokens' kubelet client CSRs, for the node each token was minted for only)
  - a token for the ServiceAccount (--token)
then prints the wrangler commands that configure the Worker. Running it again changes nothing.

Options:
  --kubeconfig <file>        kubeconfig of a cluster administrator (required unless --dry-run)
  --context <name>           kubeconfig context (default: its current context)
  --namespace <ns>           the ServiceAccount's namespace (default ${DEFAULT_NAMESPACE})
  --service-account <name>   the ServiceAccount's name (default ${DEFAULT_SERVICE_ACCOUNT})
  --groups <a,b>             auth-extra-groups your pools use (system:bootstrappers:…)
  --broker-approval-pools <a,b>
                             the pools with approval: broker in JOIN_POLICY
  --token <kind>             request (default): TokenRequest API, expires after --token-ttl;
                             secret: a service-account-token Secret, never expires (revoke by
                             deleting the Secret); none: no token
  --token-ttl <duration>     TokenRequest lifetime, e.g. 8760h, 90d (default 365d; min 10m)
  --token-file <path>        where to write the token, mode 0600 (default ./kube-join-broker.token)
  --print-token              write the token to stdout (alone) instead of a file; the report goes
                             to stderr: setup … --print-token | wrangler secret put KUBE_TOKEN
  --api-server <url>         the KUBE_API_SERVER the Worker uses (default: the kubeconfig's server)
  --cluster-name <name>      the CLUSTER_NAME var (default: the kubeconfig's cluster name)
  --dry-run                  print the manifests (YAML) and change nothing; no request is made
  -h, --help                 this text

Exit status: 0 done, 1 the cluster refused a step, 2 usage or kubeconfig error.
`;

const OPTIONS = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  namespace: { type: 'string' },
  'service-account': { type: 'string' },
  groups: { type: 'string' },
  'broker-approval-pools': { type: 'string' },
  token: { type: 'string' },
  'token-ttl': { type: 'string' },
  'token-file': { type: 'string' },
  'print-token': { type: 'boolean' },
  'api-server': { type: 'string' },
  'cluster-name': { type: 'string' },
  'dry-run': { type: 'boolean' },
  'secret-timeout': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

export function parseDurationSeconds(text: string): number | undefined {
  const m = /^(\d{1,10})(s|m|h|d)$/.exec(text);
  return m === null ? undefined : Number(m[1]) * DURATION_UNITS[m[2]!]!;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

interface ClusterTarget {
  readonly kubeConfig: KubeConfig;
  readonly context: string;
  readonly server: string;
  readonly clusterName: string;
  /** The kubeconfig names its own CA (or skips verification): a Worker cannot use that endpoint as is. */
  readonly privateTrust: boolean;
}

function loadCluster(io: CliIo, path: string, context: string | undefined): ClusterTarget {
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromFile(resolve(io.cwd, path));
  } catch (error) {
    throw new UsageError(`--kubeconfig ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (context !== undefined) {
    if (!kubeConfig.getContexts().some((c) => c.name === context)) {
      throw new UsageError(`--context: no context "${context}" in ${path} (it has: ${kubeConfig.getContexts().map((c) => c.name).join(', ') || 'none'})`);
    }
    kubeConfig.setCurrentContext(context);
  }
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster === null) throw new UsageError(`--kubeconfig ${path}: the current context names no cluster`);
  return {
    kubeConfig,
    context: kubeConfig.getCurrentContext(),
    server: cluster.server,
    clusterName: cluster.name,
    privateTrust: cluster.caData !== undefined || cluster.caFile !== undefined || cluster.skipTLSVerify,
  };
}

/** Writes the token with mode 0600 through a new file renamed into place; never follows a symlink. */
function writeTokenFile(path: string, token: string): void {
  try {
    if (lstatSync(path).isSymbolicLink()) throw new UsageError(`--token-file ${path} is a symbolic link; refusing to write a secret through it`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`--token-file ${path}: ${(error as NodeJS.ErrnoException).code}`);
  }
  const temp = join(dirname(path), `.${process.pid}.kube-join-broker-token.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    writeSync(fd, `${token}\n`);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // Nothing to clean up.
    }
    throw new UsageError(`--token-file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** The dry run: every object as YAML with its reason as a comment, then the token step. */
function renderManifests(plan: readonly PlannedObject[], tokenKind: TokenKind, sa: ServiceAccountRef, ttlSeconds: number): string {
  const docs = plan.map(({ object, purpose }) => {
    const doc = new Document(object);
    if (doc.contents !== null) doc.contents.commentBefore = ` ${purpose}`;
    return doc.toString({ lineWidth: 0 });
  });
  if (tokenKind === 'secret') {
    const doc = new Document(tokenSecret(sa));
    if (doc.contents !== null) doc.contents.commentBefore = ' the broker token (KUBE_TOKEN): filled in by the token controller, never expires; delete this Secret to revoke it';
    docs.push(doc.toString({ lineWidth: 0 }));
  } else if (tokenKind === 'request') {
    const doc = new Document(tokenRequest(ttlSeconds));
    if (doc.contents !== null) doc.contents.commentBefore = ` the broker token (KUBE_TOKEN): POST /api/v1/namespaces/${sa.namespace}/serviceaccounts/${sa.name}/token (creates no object)`;
    docs.push(doc.toString({ lineWidth: 0 }));
  }
  return docs.join('---\n');
}

function nextSteps(io: CliIo, target: ClusterTarget, apiServer: string, clusterName: string, tokenFile: string | undefined): string {
  const lines = ['', 'Configure the Worker (in the directory with wrangler.toml):'];
  if (tokenFile !== undefined) {
    const shown = relative(io.cwd, tokenFile).startsWith('..') ? tokenFile : relative(io.cwd, tokenFile);
    lines.push(`  wrangler secret put KUBE_TOKEN < ${shellQuote(shown)} && rm ${shellQuote(shown)}`);
  } else {
    lines.push('  (the token went to stdout: pipe it into  wrangler secret put KUBE_TOKEN)');
  }
  lines.push('and set these vars in wrangler.toml [vars]:', `  KUBE_API_SERVER = ${JSON.stringify(apiServer)}`, `  CLUSTER_NAME = ${JSON.stringify(clusterName)}`);
  if (target.privateTrust && apiServer === target.server) {
    lines.push(
      '',
      `note: the kubeconfig trusts its own CA for ${target.server}. A Worker cannot trust a private CA:`,
      '      expose the API server through a publicly trusted endpoint or a Cloudflare Tunnel',
      '      (README: "Reaching the API server") and pass that URL as --api-server.',
    );
  }
  return `${lines.join('\n')}\n`;
}

const pad = (action: string): string => action.padEnd(10);

export async function setupCommand(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('setup', argv, OPTIONS);
  if (values.help) {
    io.stdout(SETUP_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError(`setup: unexpected argument "${positionals[0]}" (see: kube-join-broker setup --help)`);
  const dryRun = values['dry-run'] === true;
  if (values.kubeconfig === undefined && !dryRun) throw new UsageError('setup: --kubeconfig <file> is required (a cluster administrator\'s kubeconfig)');

  const sa: ServiceAccountRef = { namespace: values.namespace ?? DEFAULT_NAMESPACE, name: values['service-account'] ?? DEFAULT_SERVICE_ACCOUNT };
  if (!DNS1123_SUBDOMAIN.test(sa.namespace) || sa.namespace.length > 63) throw new UsageError(`--namespace: "${sa.namespace}" is not a namespace name`);
  if (!DNS1123_SUBDOMAIN.test(sa.name) || sa.name.length > 253) throw new UsageError(`--service-account: "${sa.name}" is not a ServiceAccount name`);
  const groups = checkGroups(commaList(values.groups));
  if (!groups.ok) throw new UsageError(`--groups: ${groups.error}`);
  const brokerGroups = checkBrokerApprovalPools(commaList(values['broker-approval-pools']), groups.groups);
  if (!brokerGroups.ok) throw new UsageError(`--broker-approval-pools: ${brokerGroups.error}`);

  const tokenKind = (values.token ?? 'request') as TokenKind;
  if (!(TOKEN_KINDS as readonly string[]).includes(tokenKind)) throw new UsageError(`--token: "${values.token}" is not one of ${TOKEN_KINDS.join(', ')}`);
  let ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS;
  if (values['token-ttl'] !== undefined) {
    if (tokenKind !== 'request') throw new UsageError('--token-ttl applies to --token request only');
    const parsed = parseDurationSeconds(values['token-ttl']);
    if (parsed === undefined || parsed < MIN_TOKEN_TTL_SECONDS) throw new UsageError(`--token-ttl: "${values['token-ttl']}" is not a duration of at least 10m (e.g. 8760h, 90d)`);
    ttlSeconds = parsed;
  }
  const printToken = values['print-token'] === true;
  if (printToken && values['token-file'] !== undefined) throw new UsageError('use either --print-token or --token-file, not both');
  if (tokenKind === 'none' && (printToken || values['token-file'] !== undefined)) throw new UsageError('--token none issues no token to print or write');
  const secretTimeoutSeconds = values['secret-timeout'] === undefined ? 30 : parseDurationSeconds(values['secret-timeout']);
  if (secretTimeoutSeconds === undefined) throw new UsageError('--secret-timeout: expected a duration such as 30s');

  const plan = [
    ...brokerPlan({ namespace: sa.namespace, serviceAccountName: sa.name }),
    ...groupPlan(groups.groups),
    ...groupPlan(brokerGroups.groups, { autoApprove: false }),
  ];
  const target = values.kubeconfig === undefined ? undefined : loadCluster(io, values.kubeconfig, values.context);

  if (dryRun) {
    io.stdout(renderManifests(plan, tokenKind, sa, ttlSeconds));
    return EXIT.ok;
  }
  if (target === undefined) throw new UsageError('setup: --kubeconfig <file> is required');

  // With --print-token stdout carries the token alone; everything else is the report, on stderr.
  const report = printToken ? io.stderr : io.stdout;
  report(`kube-join-broker setup: ${target.server} (context ${target.context}), ServiceAccount ${sa.namespace}/${sa.name}\n`);
  const clients = clusterClients(target.kubeConfig);
  const results: ApplyResult[] = [];
  for (const { object } of plan) {
    const result = await applyObject(clients, object as ManagedObject);
    results.push(result);
    report(`  ${pad(result.action)} ${result.object}${result.detail ? ` (${result.detail})` : ''}\n`);
  }

  let issued: IssuedToken | undefined;
  if (tokenKind === 'request') issued = await requestToken(clients, sa, ttlSeconds);
  else if (tokenKind === 'secret') {
    issued = await secretToken(clients, sa, { timeoutMs: secretTimeoutSeconds * 1000 });
    if (issued.secret) report(`  ${pad(issued.secret.action)} ${issued.secret.object}${issued.secret.detail ? ` (${issued.secret.detail})` : ''}\n`);
  }
  const counts = ['created', 'updated', 'unchanged'].map((a) => `${results.filter((r) => r.action === a).length} ${a}`).join(', ');
  report(`objects: ${counts}\n`);
  report('blast radius: the broker token can create, read and delete every Secret in kube-system (RBAC cannot narrow it further): keep it only in the Worker secret.\n');

  let tokenFile: string | undefined;
  if (issued !== undefined) {
    const expiry = issued.expiresAt === undefined ? 'never expires' : `expires ${issued.expiresAt.toISOString()}`;
    if (tokenKind === 'request' && issued.expiresAt !== undefined) {
      const granted = Math.round((issued.expiresAt.getTime() - io.now().getTime()) / 1000);
      if (granted < ttlSeconds - 300) report(`warning: asked for ${ttlSeconds} s, the API server granted about ${granted} s (--service-account-max-token-expiration): rotate before it expires\n`);
    }
    if (printToken) {
      io.stdout(`${issued.token}\n`);
      report(`token: ${issued.description}, ${expiry}; written to stdout\n`);
    } else {
      tokenFile = resolve(io.cwd, values['token-file'] ?? 'kube-join-broker.token');
      writeTokenFile(tokenFile, issued.token);
      report(`token: ${issued.description}, ${expiry}; written to ${tokenFile} (mode 0600)\n`);
    }
  }
  const apiServer = values['api-server'] ?? target.server;
  report(nextSteps(io, target, apiServer, values['cluster-name'] ?? target.clusterName, tokenFile));
  return EXIT.ok;
}
