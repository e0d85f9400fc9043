/** Inputs shared by the render tests: a real two-CA PEM bundle made with openssl, and a join. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JoinBundleInput } from '../../src/render/bundle.js';

function generateCa(commonName: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kjb-ca-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.crt'), '-subj', `/CN=${commonName}`, '-days', '1',
    ], { stdio: 'ignore' });
    return readFileSync(join(dir, 'ca.crt'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Two CA certificates, as a cluster-info bundle during CA rotation holds them. */
export const CA_PEM = generateCa('kubernetes') + generateCa('kubernetes-next');

export const PIN_A = `sha256:${'0123456789abcdef'.repeat(4)}`;
export const PIN_B = `sha256:${'fedcba9876543210'.repeat(4)}`;

export const TOKEN = 'abcdef.0123456789abcdef';

export function joinInput(overrides: Partial<JoinBundleInput> = {}): JoinBundleInput {
  return {
    token: { id: 'abcdef', secret: '0123456789abcdef', expiresAt: new Date('2025-03-10T03:22:11.999Z') },
    nodeName: 'ip-10-0-1-23.ec2.internal',
    apiServer: 'https://10.0.0.1:6443',
    clusterName: 'prod',
    caPem: CA_PEM,
    caCertHashes: [PIN_A, PIN_B],
    identity: { provider: 'aws', account: '123456789012', region: 'us-east-1', instanceId: 'i-0123456789abcdef0' },
    pool: 'general',
    nodeLabels: { 'node.kubernetes.io/pool': 'general', team: 'infra' },
    nodeTaints: ['dedicated=gpu:NoSchedule'],
    servingSans: { ips: ['10.0.1.23'], dnsNames: ['ip-10-0-1-23.ec2.internal'] },
    ...overrides,
  };
}

/**
 * Values an attacker might steer into a node name, cluster name, token or label (through an
 * identity document, a tag, a policy template): shell syntax, YAML syntax, line breaks, unicode.
 */
export const HOSTILE = [
  "'$(touch pwned)'", '$(touch pwned)', '`touch pwned`', '"$(touch pwned)"', '${HOME}', '$HOME', '$((1+1))',
  ';touch pwned;', '&& touch pwned', '| touch pwned', '> pwned', 'a\ntouch pwned\n', '\ntouch pwned', '\r\ntouch pwned',
  '\\', "\\'", '"', '"; touch pwned; "', "'; touch pwned; '", "'\\''", "'\"'\"'", 'main "$@"\ntouch pwned',
  'a: b', '- x', '{}', '{a: b}', '[x]', '&anchor', '*alias', '!!python/object/apply:os.system ["touch pwned"]',
  '# comment', 'x #y', '---', '...', '%YAML 1.1', '|\n  touch pwned', 'yes', 'off', '0o17', '1:20', '~', 'null',
  '', ' ', '\t', '*', '~root', '!x', 'é', 'ǅ', '日本', '😀', '\u2028', '\u0085', '\ufeff', '\x1b[31m', '\x7f',
  'EOF\ntouch pwned\nEOF', 'KJB_EOF',
];

/** Characters kubelet flags carry unescaped: the allowlist of src/render/kubelet-flags.ts, stated again as the spec. */
export const FLAG_SAFE_VALUE = /^[A-Za-z0-9._-]*$/;

/** A token whose id and secret are both `value`. */
export const tokenOf = (value: string): JoinBundleInput['token'] => ({ id: value, secret: value, expiresAt: new Date('2025-03-10T03:22:11Z') });
