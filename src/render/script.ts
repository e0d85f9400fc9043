/**
 * The join script a machine pipes into sh at first boot (`format=script`). No I/O.
 *
 * Trust: the script is assembled from constant shell text written in this file plus one block of
 * variable assignments, `KJB_NAME=<shellQuote(value)>`. That block is the only place a value enters
 * the script, and the constant text only ever expands those variables inside double quotes
 * (`"$KJB_NAME"`: no field splitting, no globbing, no re-parsing) or as `printf '%s'` arguments
 * (never as a format). YAML and other file contents are rendered by serializers into such a
 * variable and written with `printf '%s'`: there is no heredoc whose terminator a value could
 * forge. No value appears in a comment, a command name or an option name.
 */
import { renderJoinConfiguration } from './join-configuration.js';
import { kubeletFlagNodeName, nodeLabelsFlag, registerWithTaintsFlag } from './kubelet-flags.js';
import { shellQuote } from './shell.js';
import type { JoinBundle } from './bundle.js';

/**
 * How the script joins the node.
 * - `kubeadm`: `kubeadm join --config` with a JoinConfiguration.
 * - `kubelet`: write the CA and bootstrap-kubelet.conf and restart the kubelet, which then
 *   TLS-bootstraps by itself (for images with a kubelet but no kubeadm run).
 * A future `csr` mode (the runbook's openssl + kubectl CSR flow) is one more entry in `PLANS`.
 */
export type JoinScriptMode = 'kubeadm' | 'kubelet';

/** Every {@link JoinScriptMode}, for validating a `mode` query parameter. */
export const JOIN_SCRIPT_MODES: readonly JoinScriptMode[] = ['kubeadm', 'kubelet'];

/** The mode when the caller names none (DESIGN: `kubeadm` is the default). */
export const DEFAULT_JOIN_SCRIPT_MODE: JoinScriptMode = 'kubeadm';

/** Options of {@link renderJoinScript}. */
export interface JoinScriptOptions {
  readonly mode: JoinScriptMode;
  readonly bundle: JoinBundle;
  /**
   * kubeadm mode only: how kubeadm discovers the CA (see `KubeadmDiscovery`). Default `file`:
   * the CA already arrived with the bundle over the broker's authenticated HTTPS, so kubeadm need
   * not wait for a cluster-info JWS, and the token need not carry `usage-bootstrap-signing`.
   */
  readonly discovery?: 'file' | 'token';
}

/** Paths on the node. The script prefixes each with `$KJB_ROOT` when it writes or checks it. */
export const JOIN_SCRIPT_PATHS = {
  /** Exists once the kubelet holds a client certificate: the node has joined. */
  kubeletKubeconfig: '/etc/kubernetes/kubelet.conf',
  caCertificate: '/etc/kubernetes/pki/ca.crt',
  bootstrapKubeconfig: '/etc/kubernetes/bootstrap-kubelet.conf',
  /** kubeadm mode: working files that hold the token, on tmpfs, removed after a successful join. */
  kubeadmWorkDir: '/run/kube-join-broker',
  kubeadmJoinConfiguration: '/run/kube-join-broker/join-configuration.yaml',
  kubeadmDiscoveryKubeconfig: '/run/kube-join-broker/bootstrap-kubeconfig.yaml',
  /** kubelet mode: `KUBELET_EXTRA_ARGS` for this node. */
  kubeletEnvironment: '/etc/kube-join-broker/kubelet.env',
  /** kubelet mode: systemd drop-in that loads `kubeletEnvironment`. */
  kubeletDropIn: '/etc/systemd/system/kubelet.service.d/20-kube-join-broker.conf',
} as const;

const P = JOIN_SCRIPT_PATHS;

interface ScriptPlan {
  /** Values the steps use, assigned once at the top of the script through `shellQuote`. */
  readonly data: readonly (readonly [name: `KJB_${string}`, value: string])[];
  /** Constant shell text of `main`'s steps: variables only, never a value. */
  readonly steps: readonly string[];
}

type Planner = (bundle: JoinBundle, options: JoinScriptOptions) => ScriptPlan;

/**
 * kubeadm mode. `kubeadm join --config` rather than flags: the flag form cannot carry node labels
 * or taints (only a JoinConfiguration's `nodeRegistration` can, and kubeadm refuses `--config`
 * mixed with those flags), and flags would put the token in /proc/<pid>/cmdline for every local
 * user to read. The config file is 0600 on tmpfs and removed once kubeadm succeeds; on failure
 * it stays so `kubeadm join --config` can be retried while the token is valid.
 */
const kubeadmPlan: Planner = (bundle, options) => {
  const discovery = options.discovery ?? 'file';
  const joinConfiguration = renderJoinConfiguration({
    ...bundle,
    discovery:
      discovery === 'file' ? { method: 'file', kubeConfigPath: P.kubeadmDiscoveryKubeconfig } : { method: 'token' },
  });
  const writeDiscovery =
    discovery === 'file'
      ? [
          `kjb_log "writing ${P.kubeadmDiscoveryKubeconfig}"`,
          `kjb_write "$KJB_ROOT${P.kubeadmDiscoveryKubeconfig}" 0600 "$KJB_BOOTSTRAP_KUBECONFIG"`,
        ]
      : [];
  return {
    data: [
      ['KJB_EXPIRES_AT', bundle.expiresAt],
      ['KJB_JOIN_CONFIGURATION', joinConfiguration],
      ...(discovery === 'file' ? ([['KJB_BOOTSTRAP_KUBECONFIG', bundle.kubeconfig]] as const) : []),
    ],
    steps: [
      'command -v kubeadm >/dev/null 2>&1 || kjb_fail "kubeadm is not on PATH"',
      ...writeDiscovery,
      `kjb_log "writing ${P.kubeadmJoinConfiguration}"`,
      `kjb_write "$KJB_ROOT${P.kubeadmJoinConfiguration}" 0600 "$KJB_JOIN_CONFIGURATION"`,
      'kjb_log "running kubeadm join"',
      `if ! kubeadm join --config "$KJB_ROOT${P.kubeadmJoinConfiguration}"; then`,
      `  kjb_fail "kubeadm join failed; ${P.kubeadmWorkDir} keeps its configuration (the token expires at $KJB_EXPIRES_AT)"`,
      'fi',
      `rm -f -- "$KJB_ROOT${P.kubeadmJoinConfiguration}" "$KJB_ROOT${P.kubeadmDiscoveryKubeconfig}"`,
      'kjb_log "joined; removed the files that held the bootstrap token"',
    ],
  };
};

/**
 * The drop-in makes the kubelet unit read `P.kubeletEnvironment` after the unit's own
 * environment files. `Environment=` in a drop-in would not do: systemd lets `EnvironmentFile=`
 * override `Environment=`, and kubeadm's 10-kubeadm.conf loads /etc/default/kubelet (Debian; RPM:
 * /etc/sysconfig/kubelet), which the packages ship with `KUBELET_EXTRA_ARGS=` empty. A later
 * `EnvironmentFile=` wins, on every distribution, without editing the distribution's file.
 */
const KUBELET_DROP_IN = [
  '# Written by kube-join-broker: kubelet flags for this node.',
  '[Service]',
  `EnvironmentFile=${P.kubeletEnvironment}`,
  '',
].join('\n');

/**
 * kubelet mode: the runbook's files, then a kubelet restart; the kubelet does the TLS bootstrap.
 * Node name, labels and taints go to the kubelet as flags through `KUBELET_EXTRA_ARGS`, which
 * systemd splits at blanks: every one is held to the allowlist of src/render/kubelet-flags.ts, so
 * the double-quoted value below never needs an escape. This replaces any `KUBELET_EXTRA_ARGS` from
 * /etc/default/kubelet; images that need other kubelet settings should use the kubelet config file.
 */
const kubeletPlan: Planner = (bundle) => {
  const flags = [
    `--hostname-override=${kubeletFlagNodeName(bundle.nodeName)}`,
    ...optionalFlag('--node-labels', nodeLabelsFlag(bundle.nodeLabels)),
    ...optionalFlag('--register-with-taints', registerWithTaintsFlag(bundle.nodeTaints)),
  ];
  const environment = [
    '# Written by kube-join-broker: kubelet flags for this node.',
    `KUBELET_EXTRA_ARGS="${flags.join(' ')}"`,
    '',
  ].join('\n');
  return {
    data: [
      ['KJB_CA_CERTIFICATES', bundle.caCertificates],
      ['KJB_BOOTSTRAP_KUBECONFIG', bundle.kubeconfig],
      ['KJB_KUBELET_ENVIRONMENT', environment],
      ['KJB_KUBELET_DROP_IN', KUBELET_DROP_IN],
    ],
    steps: [
      'command -v systemctl >/dev/null 2>&1 || kjb_fail "systemctl is not on PATH"',
      `kjb_log "writing ${P.caCertificate}"`,
      `kjb_write "$KJB_ROOT${P.caCertificate}" 0644 "$KJB_CA_CERTIFICATES"`,
      `kjb_log "writing ${P.bootstrapKubeconfig}"`,
      `kjb_write "$KJB_ROOT${P.bootstrapKubeconfig}" 0600 "$KJB_BOOTSTRAP_KUBECONFIG"`,
      `kjb_log "writing ${P.kubeletEnvironment} and ${P.kubeletDropIn}"`,
      `kjb_write "$KJB_ROOT${P.kubeletEnvironment}" 0644 "$KJB_KUBELET_ENVIRONMENT"`,
      `kjb_write "$KJB_ROOT${P.kubeletDropIn}" 0644 "$KJB_KUBELET_DROP_IN"`,
      'kjb_log "restarting the kubelet; it will request its client certificate (TLS bootstrap)"',
      'systemctl daemon-reload',
      'systemctl enable kubelet',
      'systemctl restart kubelet',
      'kjb_log "kubelet restarted; the node joins once its client certificate is approved"',
    ],
  };
};

const optionalFlag = (name: string, value: string | undefined): string[] =>
  value === undefined ? [] : [`${name}=${value}`];

const PLANS: { readonly [M in JoinScriptMode]: Planner } = { kubeadm: kubeadmPlan, kubelet: kubeletPlan };

const PRELUDE = (mode: JoinScriptMode): string[] => [
  '#!/bin/sh',
  `# Joins this machine to a Kubernetes cluster (kube-join-broker, mode ${mode}).`,
  '# Run as root. Running it again after a successful join does nothing.',
  '#',
  '# Environment:',
  '#   KJB_ROOT  directory prefixed to every path this script writes or checks (default: empty,',
  '#             that is /). Like DESTDIR: paths inside the files it writes stay absolute.',
  '#',
  '# The KJB_* assignments below hold shell-quoted data; nothing in them is ever run.',
  'set -eu',
  'umask 077',
  '',
  'KJB_ROOT=${KJB_ROOT:-}',
];

/*
 * `main` is defined first and called on the last line: sh reads a whole function definition
 * before running any of it, so a download cut short fails to parse instead of running half a
 * script, and a command that reads stdin cannot swallow the rest of a script piped into sh.
 */
const FUNCTIONS = [
  'kjb_log() {',
  "  printf 'kube-join-broker: %s\\n' \"$*\" >&2",
  '}',
  '',
  'kjb_fail() {',
  '  kjb_log "error: $*"',
  '  exit 1',
  '}',
  '',
  '# kjb_write PATH MODE CONTENT: replace PATH atomically with exactly CONTENT.',
  'kjb_write() {',
  '  mkdir -p -- "${1%/*}"',
  '  rm -f -- "$1.kjb-tmp"',
  "  printf '%s' \"$3\" >\"$1.kjb-tmp\"",
  '  chmod "$2" "$1.kjb-tmp"',
  '  mv -f -- "$1.kjb-tmp" "$1"',
  '}',
];

const SHELL_VARIABLE = /^KJB_[A-Z0-9_]+$/;

/**
 * Renders the join script for `bundle` in `mode` as POSIX sh text (`#!/bin/sh`, `set -eu`,
 * `umask 077`). It logs each step to stderr, exits non-zero on any failure, and does nothing when
 * /etc/kubernetes/kubelet.conf already exists. It honours `KJB_ROOT` (see {@link JOIN_SCRIPT_PATHS}).
 *
 * - `kubeadm`: writes `join-configuration.yaml` (and, with file discovery, the bootstrap
 *   kubeconfig) to /run/kube-join-broker/ (0600), runs `kubeadm join --config <it>`, then removes
 *   them.
 * - `kubelet`: writes /etc/kubernetes/pki/ca.crt (0644), /etc/kubernetes/bootstrap-kubelet.conf
 *   (0600), /etc/kube-join-broker/kubelet.env with `KUBELET_EXTRA_ARGS` (`--hostname-override`,
 *   `--node-labels`, `--register-with-taints`) and the drop-in
 *   /etc/systemd/system/kubelet.service.d/20-kube-join-broker.conf that loads it (0644), then runs
 *   `systemctl daemon-reload`, `systemctl enable kubelet`, `systemctl restart kubelet`.
 *
 * @throws {RenderError} `unrepresentable_value`; in kubelet mode `unsafe_kubelet_flag_value` for
 *   a node name outside the kubelet flag allowlist; any error of {@link renderJoinConfiguration}.
 */
export function renderJoinScript(options: JoinScriptOptions): string {
  if (!Object.hasOwn(PLANS, options.mode)) throw new TypeError('unknown join script mode');
  const plan = PLANS[options.mode](options.bundle, options);
  const assignments = plan.data.map(([name, value]) => {
    if (!SHELL_VARIABLE.test(name)) throw new TypeError(`not a script variable name: ${name}`);
    return `${name}=${shellQuote(value)}`;
  });
  return [
    ...PRELUDE(options.mode),
    ...assignments,
    '',
    ...FUNCTIONS,
    '',
    'main() {',
    `  if [ -e "$KJB_ROOT${P.kubeletKubeconfig}" ]; then`,
    `    kjb_log "${P.kubeletKubeconfig} exists: this machine has joined already; nothing to do"`,
    '    return 0',
    '  fi',
    ...plan.steps.map((line) => `  ${line}`),
    '}',
    '',
    'main "$@"',
    '',
  ].join('\n');
}
