/**
 * Node labels, taints and the node name as they reach kubelet command-line flags. No I/O.
 *
 * Trust: these values come from policy and identity documents, and every path to the kubelet
 * ends in a flag string that is split without any escaping:
 * - kubeadm writes `nodeRegistration` into /var/lib/kubelet/kubeadm-flags.env as
 *   `KUBELET_KUBEADM_ARGS="--node-labels=… --register-with-taints=… --hostname-override=…"`
 *   (cmd/kubeadm/app/phases/kubelet/flags.go, WriteKubeletDynamicEnvFile), and the kubelet unit
 *   runs `kubelet … $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS`, which systemd splits at blanks;
 * - `--node-labels` is a `key=value` list split at `,` and then at the first `=`, and
 *   `--register-with-taints` is `key=value:effect` split at `,`, `=` and `:`.
 * So a blank in a label value would become a new kubelet flag (`--anonymous-auth=true`), and a
 * `,` would add a label or taint policy never granted. None of these channels has an escape, so
 * the only safe rule is an allowlist of characters inert in all of them: letters, digits and
 * `.` `_` `-` (and `/` in keys). Valid Kubernetes label and taint syntax is a subset of it, so
 * the rule costs nothing legitimate; anything else is refused, never rewritten.
 */
import { RenderError } from './errors.js';

const FLAG_KEY = /^[A-Za-z0-9._/-]+$/;
const FLAG_VALUE = /^[A-Za-z0-9._-]*$/;
const FLAG_NAME = /^[A-Za-z0-9._-]+$/;

/** The effects a taint may have (core/v1 TaintEffect). */
export type NodeTaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

/** A node taint as kubeadm's `nodeRegistration.taints` holds it (core/v1 Taint). */
export interface NodeTaint {
  readonly key: string;
  readonly value?: string;
  readonly effect: NodeTaintEffect;
}

const TAINT_EFFECTS: ReadonlySet<string> = new Set<NodeTaintEffect>(['NoSchedule', 'PreferNoSchedule', 'NoExecute']);

const unsafe = (what: string): RenderError =>
  new RenderError('unsafe_kubelet_flag_value', `${what} has a character kubelet flags cannot carry safely`);

/**
 * Parses a taint written as kubectl and the kubelet's `--register-with-taints` spell it,
 * `key[=value]:effect`.
 *
 * @throws {RenderError} `invalid_node_taint` if it has no known effect; `unsafe_kubelet_flag_value`
 *   if key or value leave the allowlist above.
 */
export function parseNodeTaint(taint: string): NodeTaint {
  const colon = taint.lastIndexOf(':');
  const effect = taint.slice(colon + 1);
  if (colon < 0 || !TAINT_EFFECTS.has(effect)) {
    throw new RenderError('invalid_node_taint', 'a taint must be key[=value]:NoSchedule|PreferNoSchedule|NoExecute');
  }
  const keyValue = taint.slice(0, colon);
  const eq = keyValue.indexOf('=');
  const key = eq < 0 ? keyValue : keyValue.slice(0, eq);
  const value = eq < 0 ? undefined : keyValue.slice(eq + 1);
  if (!FLAG_KEY.test(key)) throw unsafe('a taint key');
  if (value !== undefined && !FLAG_VALUE.test(value)) throw unsafe('a taint value');
  return value === undefined
    ? { key, effect: effect as NodeTaintEffect }
    : { key, value, effect: effect as NodeTaintEffect };
}

/** Spells a parsed taint back as `key[=value]:effect`. */
export const formatNodeTaint = (taint: NodeTaint): string =>
  `${taint.key}${taint.value === undefined ? '' : `=${taint.value}`}:${taint.effect}`;

/**
 * The value of the kubelet's `--node-labels` flag (`k1=v1,k2=v2`, keys sorted), or `undefined`
 * when there are no labels.
 *
 * @throws {RenderError} `unsafe_kubelet_flag_value` if a key or value leaves the allowlist above.
 */
export function nodeLabelsFlag(labels: Readonly<Record<string, string>>): string | undefined {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return undefined;
  return keys
    .map((key) => {
      const value = labels[key] ?? '';
      if (!FLAG_KEY.test(key)) throw unsafe('a node label key');
      if (!FLAG_VALUE.test(value)) throw unsafe('a node label value');
      return `${key}=${value}`;
    })
    .join(',');
}

/**
 * The value of the kubelet's `--register-with-taints` flag, or `undefined` when there are none.
 *
 * @throws {RenderError} as {@link parseNodeTaint}.
 */
export function registerWithTaintsFlag(taints: readonly string[]): string | undefined {
  if (taints.length === 0) return undefined;
  return taints.map((taint) => formatNodeTaint(parseNodeTaint(taint))).join(',');
}

/**
 * Checks a node name that must travel as the kubelet's `--hostname-override` flag (kubelet mode,
 * where no kubeadm validates it first) and returns it unchanged.
 *
 * @throws {RenderError} `unsafe_kubelet_flag_value`.
 */
export function kubeletFlagNodeName(nodeName: string): string {
  if (!FLAG_NAME.test(nodeName)) throw unsafe('the node name');
  return nodeName;
}
