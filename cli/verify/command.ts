/**
 * `verify <aws|gcp|azure|oidc> [options] <file|->`: "why was my node refused?" — runs the attest
 * and policy stages on a captured identity document, offline, and prints the identity it proves
 * (and, with --policy, the pool and node name it would get) as JSON on stdout; a refusal prints
 * its reason code and detail on stderr and exits 1.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseRfc3339 } from '../../src/attest/aws/document.js';
import type { NodeIdentity, Provider } from '../../src/attest/identity.js';
import { parseJoinPolicy } from '../../src/policy/parse.js';
import type { JoinPolicy } from '../../src/policy/schema.js';
import { parseCommandArgs } from '../args.js';
import { EXIT, UsageError, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { verifyOffline, type OfflineVerdict } from './offline.js';
import { buildVerifier } from './verifiers.js';

export const VERIFY_HELP = `Usage: kube-join-broker verify <aws|gcp|azure|oidc> [options] <file|->

Checks an identity document offline, with the broker's own verifiers and policy, and prints the
identity it proves as JSON. With --policy it also prints the pool the node would join and its
node name. A refusal prints the reason code and its detail on stderr.

Options:
  --at <RFC3339>      judge the document as of this time (default: now), e.g. 2021-09-03T21:26:00Z
  --policy <file>     the JOIN_POLICY (YAML or JSON): rules, pools, extra AWS certificates, OIDC
                      issuers, gcp.audience. Without it the default freshness window (600 s) applies
  --audience <aud>    gcp: the audience the VM asked for (default: the policy's gcp.audience)
  --jwks <file>       gcp, oidc: the issuer's keys (a JWK Set or one JWK) instead of fetching them
  --fetch-keys        gcp, oidc: fetch the keys from the issuer's JWKS URI (otherwise: offline)
  --nonce <n>         azure: the nonce the broker issued (without it the nonce is not checked)
  -h, --help          this text

Not checked offline: one join per instance (already_joined), rate limits, the cluster.

Exit status: 0 accepted, 1 refused (reason on stderr), 2 usage error or undecidable offline.
Example:
  kube-join-broker verify aws --at 2021-09-03T21:26:00Z identity.rsa2048
`;

const PROVIDERS: readonly Provider[] = ['aws', 'gcp', 'azure', 'oidc'];

const OPTIONS = {
  at: { type: 'string' },
  policy: { type: 'string' },
  audience: { type: 'string' },
  jwks: { type: 'string' },
  'fetch-keys': { type: 'boolean' },
  nonce: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function readText(io: CliIo, option: string, path: string): string {
  try {
    return readFileSync(resolve(io.cwd, path), 'utf8');
  } catch (error) {
    throw new UsageError(`${option}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function loadPolicy(io: CliIo, path: string): JoinPolicy {
  const parsed = parseJoinPolicy(readText(io, '--policy', path));
  if (!parsed.ok) throw new UsageError(`--policy ${path} is not a valid JOIN_POLICY:\n${parsed.errors.map((e) => `  ${e}`).join('\n')}`);
  return parsed.policy;
}

function loadJwks(io: CliIo, path: string): unknown {
  const text = readText(io, '--jwks', path);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--jwks ${path}: not JSON: ${(error as Error).message}`);
  }
}

async function readDocument(io: CliIo, path: string): Promise<Uint8Array> {
  if (path === '-') return io.readStdin();
  try {
    return new Uint8Array(readFileSync(resolve(io.cwd, path)));
  } catch (error) {
    throw new UsageError(`cannot read the document ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** The identity as JSON: every field the policy can match, the time as RFC 3339. */
export function identityJson(identity: NodeIdentity): Record<string, unknown> {
  return {
    provider: identity.provider,
    account: identity.account,
    ...(identity.region === undefined ? {} : { region: identity.region }),
    ...(identity.zone === undefined ? {} : { zone: identity.zone }),
    instanceId: identity.instanceId,
    issuedAt: identity.issuedAt.toISOString(),
    attributes: identity.attributes,
    addresses: identity.addresses,
    defaultNodeName: identity.defaultNodeName,
  };
}

function describeRefusal(verdict: Extract<OfflineVerdict, { ok: false }>, notes: readonly string[]): string {
  const lines = [`kube-join-broker verify: refused: ${verdict.reason}`, `  stage:  ${verdict.stage}`, `  detail: ${verdict.detail}`];
  if (verdict.identity !== undefined) lines.push(`  identity: ${JSON.stringify(identityJson(verdict.identity))}`);
  for (const note of notes) lines.push(`  note: ${note}`);
  return `${lines.join('\n')}\n`;
}

export async function verifyCommand(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('verify', argv, OPTIONS);
  if (values.help) {
    io.stdout(VERIFY_HELP);
    return EXIT.ok;
  }
  const [providerArg, documentPath, ...extra] = positionals;
  if (providerArg === undefined || documentPath === undefined || extra.length > 0) {
    throw new UsageError(`verify: expected <${PROVIDERS.join('|')}> and one document (a file, or - for stdin) (see: kube-join-broker verify --help)`);
  }
  if (!(PROVIDERS as readonly string[]).includes(providerArg)) throw new UsageError(`verify: unknown provider "${providerArg}"; use one of ${PROVIDERS.join(', ')}`);
  const provider = providerArg as Provider;

  let now = io.now();
  if (values.at !== undefined) {
    const at = parseRfc3339(values.at);
    if (at === undefined) throw new UsageError(`--at: "${values.at}" is not an RFC 3339 time such as 2021-09-03T21:26:00Z`);
    now = at;
  }
  if (values.nonce !== undefined && provider !== 'azure') throw new UsageError('--nonce applies to azure only');
  if (values.audience !== undefined && provider !== 'gcp') throw new UsageError('--audience applies to gcp only (OIDC audiences come from the policy\'s issuers)');
  if ((values.jwks !== undefined || values['fetch-keys']) && provider === 'aws') throw new UsageError('--jwks and --fetch-keys apply to gcp and oidc only (AWS certificates are built in)');
  if (values.jwks !== undefined && values['fetch-keys']) throw new UsageError('use either --jwks or --fetch-keys, not both');

  const policy = values.policy === undefined ? undefined : loadPolicy(io, values.policy);
  const built = buildVerifier(provider, {
    ...(policy === undefined ? {} : { policy }),
    ...(values.audience === undefined ? {} : { audience: values.audience }),
    ...(values.jwks === undefined ? {} : { jwks: loadJwks(io, values.jwks) }),
    ...(values['fetch-keys'] ? { fetch: (input: string, init: RequestInit) => fetch(input, init) } : {}),
    ...(values.nonce === undefined ? {} : { nonce: values.nonce }),
  });
  const notes = [...built.notes, 'offline: one join per instance (already_joined), rate limits and the cluster are not checked'];
  if (policy === undefined) notes.push('no --policy: the default freshness window applies and no rule or pool is matched');

  const document = await readDocument(io, documentPath);
  const verdict = await verifyOffline({ provider, document, now, verify: built.verify, ...(policy === undefined ? {} : { policy }) });
  if (!verdict.ok) {
    io.stderr(describeRefusal(verdict, notes));
    // Keys that could not be had offline decide nothing about the document.
    return verdict.reason === 'upstream_unavailable' ? EXIT.usage : EXIT.rejected;
  }
  const output = {
    verdict: 'accepted',
    at: now.toISOString(),
    identity: identityJson(verdict.identity),
    freshness: verdict.freshness,
    ...(verdict.join === undefined ? {} : { join: verdict.join }),
    notes,
  };
  io.stdout(`${JSON.stringify(output, null, 2)}\n`);
  return EXIT.ok;
}
