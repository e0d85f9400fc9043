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
import { canonicalIpAddress } from '../approval/ip.js';
import { RenderError } from './errors.js';
import { renderJoinConfiguration } from './join-configuration.js';
import { KUBELET_CLIENT_PEM, renderKubeletKubeconfig } from './kubelet-kubeconfig.js';
import { kubeletFlagNodeName, nodeLabelsFlag, registerWithTaintsFlag } from './kubelet-flags.js';
import { shellQuote } from './shell.js';
import type { JoinBundle } from './bundle.js';

/**
 * How the script joins the node.
 * - `kubeadm`: `kubeadm join --config` with a JoinConfiguration.
 * - `kubelet`: write the CA and bootstrap-kubelet.conf and restart the kubelet, which then
 *   TLS-bootstraps by itself (for images with a kubelet but no kubeadm run).
 * - `csr`: the runbook's flow with openssl and kubectl: the node makes its kubelet client and
 *   serving keys and CSRs, submits them, waits for the certificates and installs them, then
 *   starts the kubelet with them (no TLS bootstrap).
 */
export type JoinScriptMode = 'kubeadm' | 'kubelet' | 'csr';

/** Every {@link JoinScriptMode}, for validating a `mode` query parameter. */
export const JOIN_SCRIPT_MODES: readonly JoinScriptMode[] = ['kubeadm', 'kubelet', 'csr'];

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
  /** csr mode: keys, requests and kubeconfigs while the node obtains its certificates (tmpfs), removed after. */
  csrWorkDir: '/run/kube-join-broker/csr',
  /** csr mode: the kubelet's client certificate and key, one PEM file, where its certificate store keeps them. */
  kubeletClientPem: KUBELET_CLIENT_PEM,
  /** csr mode: the kubelet's serving certificate and key, one PEM file. */
  kubeletServerPem: '/var/lib/kubelet/pki/kubelet-server-current.pem',
} as const;

const P = JOIN_SCRIPT_PATHS;

interface ScriptPlan {
  /** Values the steps use, assigned once at the top of the script through `shellQuote`. */
  readonly data: readonly (readonly [name: `KJB_${string}`, value: string])[];
  /** Constant shell text of helper functions the steps call, defined before `main`. */
  readonly functions?: readonly string[];
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
  const settings = kubeletSettings(bundle, []);
  return {
    data: [['KJB_CA_CERTIFICATES', bundle.caCertificates], ['KJB_BOOTSTRAP_KUBECONFIG', bundle.kubeconfig], ...settings.data],
    steps: [
      'command -v systemctl >/dev/null 2>&1 || kjb_fail "systemctl is not on PATH"',
      `kjb_log "writing ${P.caCertificate}"`,
      `kjb_write "$KJB_ROOT${P.caCertificate}" 0644 "$KJB_CA_CERTIFICATES"`,
      `kjb_log "writing ${P.bootstrapKubeconfig}"`,
      `kjb_write "$KJB_ROOT${P.bootstrapKubeconfig}" 0600 "$KJB_BOOTSTRAP_KUBECONFIG"`,
      ...settings.steps,
      'kjb_log "restarting the kubelet; it will request its client certificate (TLS bootstrap)"',
      ...RESTART_KUBELET,
      'kjb_log "kubelet restarted; the node joins once its client certificate is approved"',
    ],
  };
};

const RESTART_KUBELET = ['systemctl daemon-reload', 'systemctl enable kubelet', 'systemctl restart kubelet'];

/** The kubelet's flags for this node (`KUBELET_EXTRA_ARGS`) and the drop-in that loads them. */
function kubeletSettings(bundle: JoinBundle, extraFlags: readonly string[]): ScriptPlan {
  const flags = [
    `--hostname-override=${kubeletFlagNodeName(bundle.nodeName)}`,
    ...optionalFlag('--node-labels', nodeLabelsFlag(bundle.nodeLabels)),
    ...optionalFlag('--register-with-taints', registerWithTaintsFlag(bundle.nodeTaints)),
    ...extraFlags,
  ];
  const environment = [
    '# Written by kube-join-broker: kubelet flags for this node.',
    `KUBELET_EXTRA_ARGS="${flags.join(' ')}"`,
    '',
  ].join('\n');
  return {
    data: [
      ['KJB_KUBELET_ENVIRONMENT', environment],
      ['KJB_KUBELET_DROP_IN', KUBELET_DROP_IN],
    ],
    steps: [
      `kjb_log "writing ${P.kubeletEnvironment} and ${P.kubeletDropIn}"`,
      `kjb_write "$KJB_ROOT${P.kubeletEnvironment}" 0644 "$KJB_KUBELET_ENVIRONMENT"`,
      `kjb_write "$KJB_ROOT${P.kubeletDropIn}" 0644 "$KJB_KUBELET_DROP_IN"`,
    ],
  };
}

const optionalFlag = (name: string, value: string | undefined): string[] =>
  value === undefined ? [] : [`${name}=${value}`];

const CSR_CLIENT_SPEC = JSON.stringify({ signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'] }).slice(1, -1);

/** A DNS name or IP as `openssl req -addext subjectAltName=…` reads it: no `,`, `:`-free names, canonical IPs. */
const SAN_DNS_NAME = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;

function servingExtension(bundle: JoinBundle): string | undefined {
  const { ips, dnsNames } = bundle.servingSans;
  if (ips.length + dnsNames.length === 0) return undefined;
  const entries = [
    ...dnsNames.map((name) => {
      if (!SAN_DNS_NAME.test(name)) throw new RenderError('invalid_serving_san', 'a serving DNS name has a character a subjectAltName cannot carry');
      return `DNS:${name}`;
    }),
    ...ips.map((ip) => {
      const canonical = canonicalIpAddress(ip);
      if (canonical === undefined) throw new RenderError('invalid_serving_san', 'a serving IP address is not an IP address');
      return `IP:${canonical}`;
    }),
  ];
  return `subjectAltName=${entries.join(',')}`;
}

/**
 * Helpers of csr mode. Each works in `$kjb_work` (set by `main`); `AS` names one of the two
 * kubectl identities: `kjb_as_bootstrap` (the bootstrap token, for the client CSR) or
 * `kjb_as_node` (system:node:<name> with the client certificate just issued, for the serving CSR:
 * the broker approves serving CSRs only from the node itself). kubectl gets only the kubeconfig
 * named here (`--kubeconfig` wins over $KUBECONFIG) and a private cache.
 */
const CSR_FUNCTIONS = [
  '# kjb_as_bootstrap ARGS...: kubectl as the bootstrap token (the bundle\'s bootstrap-kubelet.conf).',
  'kjb_as_bootstrap() {',
  '  kubectl --kubeconfig "$kjb_work/bootstrap-kubelet.conf" --cache-dir "$kjb_work/cache" --request-timeout 15s "$@"',
  '}',
  '',
  '# kjb_as_node ARGS...: kubectl as the node, with its new client certificate.',
  'kjb_as_node() {',
  '  kubectl --kubeconfig "$kjb_work/kubelet.conf" --client-certificate "$kjb_work/kubelet-client.pem" --client-key "$kjb_work/kubelet-client.pem" --cache-dir "$kjb_work/cache" --request-timeout 15s "$@"',
  '}',
  '',
  '# kjb_request NAME SUBJECT [EXTENSION]: NAME.key (a new P-256 key, kept across runs) and NAME.csr.',
  'kjb_request() {',
  '  if [ ! -s "$kjb_work/$1.key" ]; then',
  '    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$kjb_work/$1.key.kjb-tmp" 2>/dev/null || kjb_fail "openssl could not generate the $1 key"',
  '    mv -f -- "$kjb_work/$1.key.kjb-tmp" "$kjb_work/$1.key"',
  '  fi',
  '  if [ "$#" -gt 2 ]; then',
  '    openssl req -new -key "$kjb_work/$1.key" -subj "$2" -addext "$3" -out "$kjb_work/$1.csr" || kjb_fail "openssl could not write the $1 CSR"',
  '  else',
  '    openssl req -new -key "$kjb_work/$1.key" -subj "$2" -out "$kjb_work/$1.csr" || kjb_fail "openssl could not write the $1 CSR"',
  '  fi',
  '}',
  '',
  '# kjb_csr_name NAME: kube-join-broker-NAME-<32 hex of the SHA-256 of its public key>: a second',
  '# run with the same key finds the CSR the first one made.',
  'kjb_csr_name() {',
  '  kjb_digest=$(openssl req -in "$kjb_work/$1.csr" -noout -pubkey | openssl pkey -pubin -outform DER | openssl dgst -sha256 -r)',
  '  case $kjb_digest in',
  '  [0-9a-f][0-9a-f][0-9a-f][0-9a-f]*) ;;',
  '  *) kjb_fail "could not hash the $1 public key" ;;',
  '  esac',
  "  printf 'kube-join-broker-%s-%.32s' \"$1\" \"$kjb_digest\"",
  '}',
  '',
  '# kjb_submit AS NAME CSR SPEC: create CSR (NAME.csr, spec fields SPEC) as AS, unless it exists.',
  'kjb_submit() {',
  '  if "$1" get csr "$3" >/dev/null 2>&1; then',
  '    kjb_log "CSR $3 exists already"',
  '    return 0',
  '  fi',
  '  kjb_base64=$(openssl base64 -A -in "$kjb_work/$2.csr") || kjb_fail "could not encode the $2 CSR"',
  '  printf \'{"apiVersion":"certificates.k8s.io/v1","kind":"CertificateSigningRequest","metadata":{"name":"%s"},"spec":{"request":"%s",%s}}\' "$3" "$kjb_base64" "$4" |',
  '    "$1" create -f - >/dev/null || kjb_fail "could not create CSR $3"',
  '}',
  '',
  '# kjb_fetch AS NAME CSR: wait (at most $kjb_wait_limit s) for the certificate of CSR, check it',
  '# against the cluster CA, write NAME.pem (certificate, then key). A denied CSR fails at once.',
  'kjb_fetch() {',
  '  kjb_waited=0',
  '  while :; do',
  "    kjb_state=$(\"$1\" get csr \"$3\" -o 'jsonpath={.status.conditions[*].type}:{.status.certificate}' 2>/dev/null) || kjb_state=",
  '    case $kjb_state in',
  '    *Denied*:* | *Failed*:*)',
  "      kjb_why=$(\"$1\" get csr \"$3\" -o 'jsonpath={.status.conditions[*].message}' 2>/dev/null) || kjb_why=",
  '      kjb_fail "CSR $3 was not granted: $kjb_why"',
  '      ;;',
  '    *:?*)',
  "      printf '%s' \"${kjb_state#*:}\" | openssl base64 -d -A >\"$kjb_work/$2.crt\" || kjb_fail \"could not decode the $2 certificate\"",
  '      openssl verify -CAfile "$kjb_work/ca.crt" "$kjb_work/$2.crt" >/dev/null || kjb_fail "the $2 certificate does not verify with the cluster CA"',
  '      cat "$kjb_work/$2.crt" "$kjb_work/$2.key" >"$kjb_work/$2.pem.kjb-tmp"',
  '      mv -f -- "$kjb_work/$2.pem.kjb-tmp" "$kjb_work/$2.pem"',
  '      return 0',
  '      ;;',
  '    esac',
  '    [ "$kjb_waited" -lt "$kjb_wait_limit" ] || kjb_fail "no certificate for CSR $3 after $kjb_wait_limit s"',
  '    sleep 1',
  '    kjb_waited=$((kjb_waited + 1))',
  '  done',
  '}',
  '',
  '# kjb_install SOURCE PATH: copy SOURCE to PATH atomically, mode 0600.',
  'kjb_install() {',
  '  mkdir -p -- "${2%/*}"',
  '  cp -- "$1" "$2.kjb-tmp"',
  '  chmod 0600 "$2.kjb-tmp"',
  '  mv -f -- "$2.kjb-tmp" "$2"',
  '}',
];

/**
 * csr mode: the operator runbook's flow, automated (SEMANTICS §4, §7). The node makes a P-256
 * key and a kubelet client CSR (`O=system:nodes`, `CN=system:node:<name>`) and submits it with
 * the bootstrap token; once issued (approved by the broker in `approval: broker` pools, by
 * kube-controller-manager otherwise), it makes the serving key and CSR whose SANs are exactly the
 * bundle's `servingSans` and submits it as the node itself with that certificate. Each
 * certificate is checked against the cluster CA and installed where the kubelet's certificate
 * store keeps it (`kubelet-client-current.pem`, `kubelet-server-current.pem`: certificate then
 * key), kubelet.conf is written as the kubelet writes it after a TLS bootstrap, the kubelet gets
 * its flags (plus `--tls-cert-file`/`--tls-private-key-file` for the serving certificate) and is
 * restarted. Keys and CSRs live in /run/kube-join-broker/csr (0700) until the end, so a rerun
 * after a failure reuses them and finds the CSRs it made. `KJB_CSR_WAIT_SECONDS` (default 300)
 * bounds each wait; a Denied CSR fails at once with the broker's message. With no attested
 * address (Azure, OIDC without extra names) there is no serving CSR: the kubelet serves with its
 * self-signed certificate.
 */
const csrPlan: Planner = (bundle) => {
  const nodeName = kubeletFlagNodeName(bundle.nodeName);
  const subject = `/O=system:nodes/CN=system:node:${nodeName}`;
  const extension = servingExtension(bundle);
  const servingSpec = JSON.stringify({
    signerName: 'kubernetes.io/kubelet-serving',
    usages: ['digital signature', 'server auth'],
    ...(bundle.servingExpirationSeconds === undefined ? {} : { expirationSeconds: bundle.servingExpirationSeconds }),
  }).slice(1, -1);
  const settings = kubeletSettings(bundle, extension === undefined ? [] : [`--tls-cert-file=${P.kubeletServerPem}`, `--tls-private-key-file=${P.kubeletServerPem}`]);
  const serving =
    extension === undefined
      ? ['kjb_log "no attested address for a serving certificate: the kubelet serves with a self-signed one"']
      : [
          'if [ ! -s "$kjb_work/kubelet-server.pem" ]; then',
          '  kjb_log "requesting the kubelet serving certificate, as the node"',
          '  kjb_request kubelet-server "$KJB_SUBJECT" "$KJB_SERVING_EXTENSION"',
          '  kjb_csr=$(kjb_csr_name kubelet-server)',
          '  kjb_submit kjb_as_node kubelet-server "$kjb_csr" "$KJB_SERVING_CSR_SPEC"',
          '  kjb_fetch kjb_as_node kubelet-server "$kjb_csr"',
          'fi',
          `kjb_install "$kjb_work/kubelet-server.pem" "$KJB_ROOT${P.kubeletServerPem}"`,
        ];
  return {
    data: [
      ['KJB_CA_CERTIFICATES', bundle.caCertificates],
      ['KJB_BOOTSTRAP_KUBECONFIG', bundle.kubeconfig],
      ['KJB_KUBELET_KUBECONFIG', renderKubeletKubeconfig(bundle)],
      ['KJB_SUBJECT', subject],
      ['KJB_CLIENT_CSR_SPEC', CSR_CLIENT_SPEC],
      ...(extension === undefined
        ? []
        : ([
            ['KJB_SERVING_EXTENSION', extension],
            ['KJB_SERVING_CSR_SPEC', servingSpec],
          ] as const)),
      ...settings.data,
    ],
    functions: CSR_FUNCTIONS,
    steps: [
      'for kjb_tool in openssl kubectl systemctl; do',
      '  command -v "$kjb_tool" >/dev/null 2>&1 || kjb_fail "$kjb_tool is not on PATH"',
      'done',
      'kjb_wait_limit=${KJB_CSR_WAIT_SECONDS:-300}',
      'case $kjb_wait_limit in',
      "'' | *[!0-9]*) kjb_fail \"KJB_CSR_WAIT_SECONDS must be a number of seconds\" ;;",
      'esac',
      `kjb_work="$KJB_ROOT${P.csrWorkDir}"`,
      'mkdir -p -- "$kjb_work"',
      'chmod 0700 "$kjb_work"',
      'kjb_write "$kjb_work/ca.crt" 0644 "$KJB_CA_CERTIFICATES"',
      'kjb_write "$kjb_work/bootstrap-kubelet.conf" 0600 "$KJB_BOOTSTRAP_KUBECONFIG"',
      'kjb_write "$kjb_work/kubelet.conf" 0600 "$KJB_KUBELET_KUBECONFIG"',
      'if [ ! -s "$kjb_work/kubelet-client.pem" ]; then',
      '  kjb_log "requesting the kubelet client certificate, with the bootstrap token"',
      '  kjb_request kubelet-client "$KJB_SUBJECT"',
      '  kjb_csr=$(kjb_csr_name kubelet-client)',
      '  kjb_submit kjb_as_bootstrap kubelet-client "$kjb_csr" "$KJB_CLIENT_CSR_SPEC"',
      '  kjb_fetch kjb_as_bootstrap kubelet-client "$kjb_csr"',
      'fi',
      ...serving,
      `kjb_log "writing ${P.kubeletClientPem}, ${P.caCertificate} and the kubelet's settings"`,
      `kjb_install "$kjb_work/kubelet-client.pem" "$KJB_ROOT${P.kubeletClientPem}"`,
      `kjb_write "$KJB_ROOT${P.caCertificate}" 0644 "$KJB_CA_CERTIFICATES"`,
      ...settings.steps,
      `kjb_write "$KJB_ROOT${P.kubeletKubeconfig}" 0600 "$KJB_KUBELET_KUBECONFIG"`,
      'kjb_log "restarting the kubelet with its certificates"',
      ...RESTART_KUBELET,
      'rm -rf -- "$kjb_work"',
      'kjb_log "joined; the bootstrap token is spent"',
    ],
  };
};

const PLANS: { readonly [M in JoinScriptMode]: Planner } = { kubeadm: kubeadmPlan, kubelet: kubeletPlan, csr: csrPlan };

const PRELUDE = (mode: JoinScriptMode): string[] => [
  '#!/bin/sh',
  `# Joins this machine to a Kubernetes cluster (kube-join-broker, mode ${mode}).`,
  '# Run as root. Running it again after a successful join does nothing.',
  '#',
  '# Environment:',
  '#   KJB_ROOT  directory prefixed to every path this script writes or checks (default: empty,',
  '#             that is /). Like DESTDIR: paths inside the files it writes stay absolute.',
  ...(mode === 'csr' ? ['#   KJB_CSR_WAIT_SECONDS  how long to wait for each certificate (default 300).'] : []),
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
 * - `csr`: obtains the kubelet client and serving certificates with openssl and kubectl (see
 *   `csrPlan`), installs them in /var/lib/kubelet/pki/ (0600) with /etc/kubernetes/kubelet.conf,
 *   the CA and kubelet mode's flag files, then restarts the kubelet like kubelet mode.
 *
 * @throws {RenderError} `unrepresentable_value`; in kubelet and csr modes `unsafe_kubelet_flag_value`
 *   for a node name outside the kubelet flag allowlist; in csr mode `invalid_serving_san`; any
 *   error of {@link renderJoinConfiguration}.
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
    ...(plan.functions === undefined ? [] : [...plan.functions, '']),
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
