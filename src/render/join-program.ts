/**
 * The first-boot join program: the POSIX sh that cloud-init runs on a new machine. No I/O.
 *
 * It fetches the machine's identity document from the cloud's metadata service, posts it to the
 * broker, and runs the join script the broker answers with. Network errors, HTTP 429 and 5xx are
 * retried with exponential backoff and jitter, honouring `Retry-After`; every other answer is
 * final. Each failure is one log line on stderr (which cloud-init copies to the console and
 * /var/log/cloud-init-output.log) and, through `logger -t kube-join-broker`, in the system log.
 *
 * Trust, as in script.ts: values enter only through one block of `KJB_NAME=<shellQuote(value)>`
 * assignments; the constant text expands them only inside double quotes. Secrets never reach a
 * command line (`/proc/<pid>/cmdline` is readable by every local user) or a log:
 * - the identity document (replayable until the broker's freshness window closes) goes to curl
 *   as `--data-binary @file`, and the AWS IMDSv2 session token as `-H @file`;
 * - the broker's answer (the join script, holding the bootstrap token) is written under
 *   `umask 077` into a fresh 0700 directory on /run (a tmpfs), removed on every exit;
 * - log lines carry only HTTP statuses, problem `code`s (restricted to `[a-z0-9_]`) and curl's
 *   own error message, never a body.
 *
 * HTTP 409 `already_joined` is final. The ledger answers it when the instance has a committed
 * join, or while another join of it holds the claim. A committed join's token went to whoever got
 * that 200 (an earlier attempt of ours whose answer was lost, or someone replaying our
 * document); retrying cannot recover it and would hide a replay. An in-flight claim is ours only
 * if an earlier attempt timed out while the broker still worked; that join either commits (the
 * same case) or releases the claim, and waiting out the lease for that rare case would cost
 * every refused boot a minute. So the boot fails with a line that says what happened and how an
 * operator resets the instance.
 *
 * HTTP 503 `launch_not_announced` (a `requireLaunchHook` pool, and the instance's launch
 * lifecycle event has not reached the broker yet) is retried like any 5xx, after its
 * `Retry-After`; each log line says what the code means. The attempts are bounded by the retry
 * policy, and the broker by the document's freshness window: once it closes, the answer is a
 * final 403 `stale_document`.
 */
import { DOCUMENT_MEDIA_TYPE, firstBootEndpoints, METADATA_SERVICE, type FirstBootProvider } from './first-boot.js';
import { RenderError } from './errors.js';
import { JOIN_SCRIPT_PATHS, type JoinScriptMode } from './script.js';
import { shellQuote } from './shell.js';

/** How often and how long the program retries. */
export interface RetryPolicy {
  /** Attempts in all, first included: 1 to 100. */
  readonly attempts: number;
  /** The longest wait between two attempts, also the cap on `Retry-After`: 1 to 3600 seconds. */
  readonly maxDelaySeconds: number;
}

/**
 * Ten attempts, waits capped at a minute: about five minutes of trying, inside the AWS document's
 * default ten-minute freshness window (the document is fetched again on every attempt, but its
 * `pendingTime` stays that of the launch).
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 10, maxDelaySeconds: 60 };

/** Options of {@link renderJoinProgram}. */
export interface JoinProgramOptions {
  readonly provider: FirstBootProvider;
  readonly mode: JoinScriptMode;
  /** The broker's public URL (PUBLIC_URL): `https://`, or `http://` to loopback for development. */
  readonly brokerUrl: string;
  /** GCP: the audience the broker's verifier expects. Default: `brokerUrl` without a trailing slash. */
  readonly gcpAudience?: string;
  readonly retry?: RetryPolicy;
}

/** Exit statuses of the program, besides the join script's own. */
export const JOIN_PROGRAM_EXIT = {
  /** The join script succeeded, or /etc/kubernetes/kubelet.conf existed already. */
  joined: 0,
  /** A final refusal or failure (any 4xx but 429, a bad answer, a missing tool). */
  failed: 1,
  /** Still failing after the last attempt (EX_TEMPFAIL). */
  gaveUp: 75,
} as const;

const P = METADATA_SERVICE;

/** Per provider: the metadata origin and the function that leaves the document in `$kjb_work/document`. */
const FETCHERS: { readonly [K in FirstBootProvider]: { readonly origin: string; readonly fetch: string } } = {
  aws: {
    origin: P.aws.origin,
    fetch: `# IMDSv2: a session token (PUT), then the document with it. The token reaches curl in a
# header file, never on its command line.
kjb_identity_document() {
  kjb_imds PUT ${P.aws.tokenPath} '${P.aws.tokenTtlHeader}: 60' "$kjb_work/imds-token" || return
  kjb_token=$(cat "$kjb_work/imds-token")
  case $kjb_token in
  '' | *[!A-Za-z0-9+/=_-]*)
    kjb_reason="the metadata service sent no usable IMDSv2 token"
    return 2
    ;;
  esac
  printf '${P.aws.tokenHeader}: %s\\n' "$kjb_token" >"$kjb_work/imds-token-header"
  kjb_imds GET ${P.aws.documentPath} "@$kjb_work/imds-token-header" "$kjb_work/document"
}`,
  },
  gcp: {
    origin: P.gcp.origin,
    fetch: `kjb_identity_document() {
  kjb_imds GET "$KJB_GCP_IDENTITY_PATH" '${P.gcp.header}' "$kjb_work/document"
}`,
  },
  azure: {
    origin: P.azure.origin,
    fetch: `# A fresh single-use nonce from the broker for every attempt, signed into the attested data.
kjb_identity_document() {
  kjb_broker "$KJB_NONCE_URL" "$kjb_work/nonce" -d '' && kjb_rc=0 || kjb_rc=$?
  if [ "$kjb_rc" -ne 0 ]; then
    kjb_reason="nonce request: $kjb_reason"
    return "$kjb_rc"
  fi
  kjb_nonce=$(sed -n 's/.*"nonce"[[:space:]]*:[[:space:]]*"\\([A-Za-z0-9]\\{1,32\\}\\)".*/\\1/p' "$kjb_work/nonce" | head -n 1)
  if [ -z "$kjb_nonce" ]; then
    kjb_reason="the broker's nonce answer holds no nonce of 1 to 32 letters and digits"
    return 1
  fi
  kjb_imds GET "${P.azure.documentPath}&nonce=$kjb_nonce" '${P.azure.header}' "$kjb_work/document"
}`,
  },
};

const header = (provider: FirstBootProvider, mode: JoinScriptMode): string => `#!/bin/sh
# kube-join-broker first-boot join (provider ${provider}, mode ${mode}).
#
# Fetches this machine's identity document from the metadata service, posts it to the broker and
# runs the join script the broker answers with. Retries network errors, HTTP 429 and 5xx with
# exponential backoff and jitter, honouring Retry-After; any other answer is final. Run as root.
# Does nothing once ${JOIN_SCRIPT_PATHS.kubeletKubeconfig} exists.
#
# Exit status: 0 joined (or had joined already), 1 refused or failed, 75 gave up retrying, or the
# join script's own status when it fails.
#
# Environment (for tests and debugging; unset in production):
#   KJB_IMDS_URL  origin of the metadata service (default ${FETCHERS[provider].origin})
#   KJB_ROOT      prefix of the paths checked here and written by the join script (default: none)
#   TMPDIR        where the private work directory is made (default /run, a tmpfs)
#
# The KJB_* assignments below hold shell-quoted data; nothing in them is ever run.
set -eu
umask 077
`;

const common = (provider: FirstBootProvider): string => `
KJB_IMDS_URL=\${KJB_IMDS_URL:-${FETCHERS[provider].origin}}
KJB_ROOT=\${KJB_ROOT:-}
KJB_DOCUMENT_TYPE=${DOCUMENT_MEDIA_TYPE[provider]}
kjb_work=

kjb_log() {
  printf 'kube-join-broker: %s\\n' "$*" >&2
  if command -v logger >/dev/null 2>&1; then
    logger -t kube-join-broker "$*" 2>/dev/null || :
  fi
}

kjb_cleanup() {
  if [ -n "$kjb_work" ]; then
    rm -rf -- "$kjb_work"
  fi
}

# kjb_random N: a random whole number from 0 to N.
kjb_random() {
  kjb_r=$(od -An -N4 -tu4 /dev/urandom 2>/dev/null | tr -d ' \\n') || kjb_r=
  case $kjb_r in
  '' | *[!0-9]*) kjb_r=$$ ;;
  esac
  echo $((kjb_r % ($1 + 1)))
}

# kjb_delay ATTEMPT RETRY_AFTER: seconds to wait after failed attempt ATTEMPT. Given Retry-After
# S: S plus up to S/2 of jitter. Otherwise equal-jitter exponential backoff: with
# C = min(2^ATTEMPT, max), C/2 plus up to C/2. Never more than the maximum, never less than 1.
kjb_delay() {
  if [ -n "$2" ]; then
    kjb_d=$2
    if [ "$kjb_d" -gt "$KJB_MAX_DELAY" ]; then kjb_d=$KJB_MAX_DELAY; fi
    kjb_d=$((kjb_d + $(kjb_random $((kjb_d / 2)))))
  else
    kjb_c=1
    kjb_i=0
    while [ "$kjb_i" -lt "$1" ] && [ "$kjb_c" -lt "$KJB_MAX_DELAY" ]; do
      kjb_c=$((kjb_c * 2))
      kjb_i=$((kjb_i + 1))
    done
    if [ "$kjb_c" -gt "$KJB_MAX_DELAY" ]; then kjb_c=$KJB_MAX_DELAY; fi
    kjb_d=$((kjb_c - kjb_c / 2 + $(kjb_random $((kjb_c / 2)))))
  fi
  if [ "$kjb_d" -gt "$KJB_MAX_DELAY" ]; then kjb_d=$KJB_MAX_DELAY; fi
  if [ "$kjb_d" -lt 1 ]; then kjb_d=1; fi
  echo "$kjb_d"
}

# kjb_curl_error STATUS: curl's exit status and the first line of its message, printable only.
kjb_curl_error() {
  kjb_m=$(head -n 1 "$kjb_work/curl-error" 2>/dev/null | tr -cd '[:print:]') || kjb_m=
  echo "curl exit $1\${kjb_m:+: $kjb_m}"
}

# kjb_imds METHOD PATH HEADER OUTPUT: one request to the metadata service, never through a proxy.
# Returns 0 on 200, 2 when worth retrying (no answer, 429, 5xx), 1 otherwise.
kjb_imds() {
  kjb_status=$(curl -sS --noproxy '*' --connect-timeout 2 --max-time 10 -X "$1" -H "$3" \\
    -o "$4" -w '%{http_code}' "$KJB_IMDS_URL$2" 2>"$kjb_work/curl-error") || {
    kjb_reason="no answer from the metadata service ($(kjb_curl_error "$?"))"
    return 2
  }
  kjb_reason="the metadata service answered HTTP $kjb_status"
  case $kjb_status in
  200) return 0 ;;
  429 | 5??) return 2 ;;
  *) return 1 ;;
  esac
}

# kjb_broker URL OUTPUT CURL_ARGS...: one POST to the broker. Sets kjb_status, kjb_code (the
# problem's code) and kjb_retry_after (whole seconds, or empty).
# Returns 0 on 200, 2 when worth retrying (no answer, 429, 5xx), 1 otherwise.
kjb_broker() {
  kjb_url=$1
  kjb_out=$2
  shift 2
  kjb_code=
  kjb_retry_after=
  rm -f -- "$kjb_work/headers" "$kjb_out"
  kjb_status=$(curl -sS --connect-timeout 10 --max-time 60 --max-filesize 1048576 -H 'Expect:' \\
    -D "$kjb_work/headers" -o "$kjb_out" -w '%{http_code}' "$@" "$kjb_url" 2>"$kjb_work/curl-error") || {
    kjb_reason="no answer from the broker ($(kjb_curl_error "$?"))"
    return 2
  }
  if [ -f "$kjb_work/headers" ]; then
    kjb_retry_after=$(sed -n 's/^[Rr][Ee][Tt][Rr][Yy]-[Aa][Ff][Tt][Ee][Rr]:[[:space:]]*\\([0-9]\\{1,6\\}\\)[[:space:]]*$/\\1/p' "$kjb_work/headers" | tail -n 1)
  fi
  if [ "$kjb_status" != 200 ] && [ -f "$kjb_out" ]; then
    kjb_code=$(sed -n 's/.*"code"[[:space:]]*:[[:space:]]*"\\([a-z0-9_]\\{1,64\\}\\)".*/\\1/p' "$kjb_out" | head -n 1)
  fi
  kjb_reason="the broker answered HTTP $kjb_status \${kjb_code:-without a problem code}"
  case $kjb_status in
  200) return 0 ;;
  429 | 5??) return 2 ;;
  *) return 1 ;;
  esac
}
`;

const attemptAndMain = `
# kjb_attempt: one try, from the metadata service to the broker's answer. Returns 0 with the join
# script in $kjb_work/join.sh, 2 when worth retrying, 1 when final; kjb_reason says why.
kjb_attempt() {
  rm -f -- "$kjb_work/document" "$kjb_work/join.sh"
  kjb_code=
  kjb_retry_after=
  kjb_identity_document || return
  if [ ! -s "$kjb_work/document" ]; then
    kjb_reason="the metadata service sent an empty identity document"
    return 2
  fi
  kjb_broker "$KJB_JOIN_URL" "$kjb_work/join.sh" -H "Content-Type: $KJB_DOCUMENT_TYPE" \\
    --data-binary "@$kjb_work/document" || return
  rm -f -- "$kjb_work/document"
  if [ ! -s "$kjb_work/join.sh" ] || ! grep -qi '^content-type:[[:space:]]*text/x-shellscript' "$kjb_work/headers"; then
    kjb_reason="the broker answered HTTP 200 with something other than a join script"
    return 1
  fi
}

# kjb_hint: what the broker's problem code means, for the log line.
kjb_hint() {
  case $kjb_code in
  launch_not_announced)
    echo "the broker has not yet received the autoscaling launch lifecycle event this instance's pool requires; if that persists, check the group's launch hook and its EventBridge or SNS delivery"
    ;;
  already_joined)
    echo "the broker has a join on record for this instance: an earlier attempt may have joined without its answer arriving, or another join of it is in flight; an operator can reset it with DELETE /v1/joins/{key}"
    ;;
  access_denied | invalid_signature | unsupported_document | document_mismatch | stale_document | invalid_claims)
    echo "the broker's log has the detailed reason"
    ;;
  esac
}

main() {
  if [ -e "$KJB_ROOT${JOIN_SCRIPT_PATHS.kubeletKubeconfig}" ]; then
    kjb_log "${JOIN_SCRIPT_PATHS.kubeletKubeconfig} exists: this machine has joined already; nothing to do"
    return 0
  fi
  if ! command -v curl >/dev/null 2>&1; then
    kjb_log "error: curl is not installed"
    return ${JOIN_PROGRAM_EXIT.failed}
  fi
  if ! kjb_work=$(mktemp -d "\${TMPDIR:-/run}/kube-join-broker.XXXXXX"); then
    kjb_log "error: cannot make a private work directory"
    return ${JOIN_PROGRAM_EXIT.failed}
  fi
  kjb_n=1
  while :; do
    kjb_attempt && kjb_rc=0 || kjb_rc=$?
    case $kjb_rc in
    0) break ;;
    2)
      kjb_hint=$(kjb_hint)
      if [ "$kjb_n" -ge "$KJB_ATTEMPTS" ]; then
        kjb_log "error: giving up after $KJB_ATTEMPTS attempts: $kjb_reason\${kjb_hint:+: $kjb_hint}"
        return ${JOIN_PROGRAM_EXIT.gaveUp}
      fi
      kjb_wait=$(kjb_delay "$kjb_n" "$kjb_retry_after")
      kjb_log "attempt $kjb_n of $KJB_ATTEMPTS failed: $kjb_reason\${kjb_hint:+ ($kjb_hint)}; retrying in \${kjb_wait}s"
      sleep "$kjb_wait"
      kjb_n=$((kjb_n + 1))
      ;;
    *)
      kjb_hint=$(kjb_hint)
      kjb_log "error: $kjb_reason; not retrying\${kjb_hint:+: $kjb_hint}"
      return ${JOIN_PROGRAM_EXIT.failed}
      ;;
    esac
  done
  kjb_log "running the join script from the broker"
  sh "$kjb_work/join.sh" && kjb_rc=0 || kjb_rc=$?
  rm -f -- "$kjb_work/join.sh"
  if [ "$kjb_rc" -ne 0 ]; then
    kjb_log "error: the join script failed with exit status $kjb_rc"
    return "$kjb_rc"
  fi
  kjb_log "the join script finished"
}

trap kjb_cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
main "$@"
`;

const SHELL_VARIABLE = /^KJB_[A-Z0-9_]+$/;

function checkRetryPolicy(retry: RetryPolicy): RetryPolicy {
  const whole = (n: number, max: number) => Number.isInteger(n) && n >= 1 && n <= max;
  if (!whole(retry.attempts, 100) || !whole(retry.maxDelaySeconds, 3600)) {
    throw new RenderError('invalid_retry_policy', 'retry needs attempts 1..100 and maxDelaySeconds 1..3600, whole numbers');
  }
  return retry;
}

/**
 * Renders the first-boot join program for `provider` as POSIX sh (`#!/bin/sh`, `set -eu`,
 * `umask 077`): it needs curl 7.55 or newer (for `-H @file`), `od`, `sed`, `grep`, `mktemp` and,
 * when present, `logger`. Its behaviour and exit statuses are stated in its header comment.
 *
 * @throws {TypeError} for an unknown provider or mode.
 * @throws {RenderError} `invalid_broker_url`, `invalid_gcp_audience`, `invalid_retry_policy`,
 *   `unrepresentable_value`.
 */
export function renderJoinProgram(options: JoinProgramOptions): string {
  if (!Object.hasOwn(FETCHERS, options.provider)) throw new TypeError('unknown first-boot provider');
  const endpoints = firstBootEndpoints(options);
  const retry = checkRetryPolicy(options.retry ?? DEFAULT_RETRY_POLICY);
  const data: [name: `KJB_${string}`, value: string][] = [
    ['KJB_JOIN_URL', endpoints.join],
    ['KJB_ATTEMPTS', String(retry.attempts)],
    ['KJB_MAX_DELAY', String(retry.maxDelaySeconds)],
  ];
  if (options.provider === 'azure') data.push(['KJB_NONCE_URL', endpoints.nonce]);
  if (options.provider === 'gcp') data.push(['KJB_GCP_IDENTITY_PATH', endpoints.gcpIdentityPath]);
  const assignments = data.map(([name, value]) => {
    if (!SHELL_VARIABLE.test(name)) throw new TypeError(`not a program variable name: ${name}`);
    return `${name}=${shellQuote(value)}`;
  });
  return [
    header(options.provider, options.mode),
    ...assignments,
    common(options.provider),
    FETCHERS[options.provider].fetch,
    attemptAndMain,
  ].join('\n');
}
