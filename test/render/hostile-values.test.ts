/**
 * Hostile values (fixtures.ts, HOSTILE) as node name, cluster name, token and labels: they stay
 * exactly themselves in the kubeconfig (for `yaml` and for kubectl), the JoinConfiguration and the
 * join command, or are refused where kubelet flags could not carry them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderJoinBundle } from '../../src/render/bundle.js';
import { renderJoinConfiguration } from '../../src/render/join-configuration.js';
import { renderJoinScript } from '../../src/render/script.js';
import { FLAG_SAFE_VALUE, HOSTILE, joinInput, PIN_A, PIN_B, tokenOf } from './fixtures.js';
import { kubectlView, Sandbox, SHELLS } from './harness.js';

let sandbox: Sandbox | undefined;
afterEach(() => {
  const used = sandbox;
  sandbox = undefined;
  if (used === undefined) return;
  try {
    expect(used.pwned()).toEqual([]);
  } finally {
    used.cleanup();
  }
});

describe.each(HOSTILE.map((value) => [JSON.stringify(value), value] as const))('hostile value %s', (_, value) => {
  const token = `${value}.${value}`;
  const bundle = renderJoinBundle(joinInput({ nodeName: value, clusterName: value, token: tokenOf(value) }));

  it('stays exactly itself in the kubeconfig, for the yaml library and for kubectl', () => {
    const kubeconfig = parse(bundle.kubeconfig);
    expect(kubeconfig.clusters).toHaveLength(1);
    expect(kubeconfig.clusters[0].name).toBe(value);
    expect(kubeconfig.contexts[0]).toEqual({ name: `tls-bootstrap-token-user@${value}`, context: { cluster: value, user: 'tls-bootstrap-token-user' } });
    expect(kubeconfig['current-context']).toBe(`tls-bootstrap-token-user@${value}`);
    expect(kubeconfig.users).toEqual([{ name: 'tls-bootstrap-token-user', user: { token } }]);

    const view = kubectlView(bundle.kubeconfig);
    expect(view['current-context']).toBe(`tls-bootstrap-token-user@${value}`);
    expect(view.clusters.map((c) => [c.name, c.cluster.server])).toEqual([[value, 'https://10.0.0.1:6443']]);
    expect(view.users).toEqual([{ name: 'tls-bootstrap-token-user', user: { token } }]);
  });

  it('stays exactly itself in the JoinConfiguration', () => {
    const configuration = parse(renderJoinConfiguration({ ...bundle, discovery: { method: 'token' } }));
    expect(configuration.nodeRegistration.name).toBe(value);
    expect(configuration.discovery).toEqual({
      bootstrapToken: { apiServerEndpoint: '10.0.0.1:6443', token, caCertHashes: [PIN_A, PIN_B] },
      tlsBootstrapToken: token,
    });
  });

  it.each(SHELLS)('reaches kubeadm as one argument from the join command under %s', (shell) => {
    sandbox = new Sandbox();
    const result = sandbox.runCommand(bundle.joinCommand, shell);
    expect(result.status).toBe(0);
    expect(sandbox.calls().map((c) => [c.name, ...c.args])).toEqual([
      ['kubeadm', 'join', '10.0.0.1:6443', '--token', token, '--discovery-token-ca-cert-hash', PIN_A,
        '--discovery-token-ca-cert-hash', PIN_B, '--node-name', value],
    ]);
  });

  it('as a node name in kubelet mode, is refused unless kubelet flags carry it unescaped', () => {
    const render = () => renderJoinScript({ mode: 'kubelet', bundle: renderJoinBundle(joinInput({ nodeName: value })) });
    if (value !== '' && FLAG_SAFE_VALUE.test(value)) expect(render()).toContain(`--hostname-override=${value} `);
    else expect(render).toThrowError(expect.objectContaining({ code: 'unsafe_kubelet_flag_value' }));
  });

  it('as a label key or value, is refused unless kubelet flags carry it unescaped', () => {
    for (const nodeLabels of [{ [value]: 'v' }, { k: value }]) {
      const render = () => renderJoinBundle(joinInput({ nodeLabels }));
      const [[key, labelValue]] = Object.entries(nodeLabels) as [[string, string]];
      if (key !== '' && FLAG_SAFE_VALUE.test(key) && FLAG_SAFE_VALUE.test(labelValue)) {
        const labelled = render();
        expect(parse(renderJoinConfiguration({ ...labelled, discovery: { method: 'token' } })).nodeRegistration.kubeletExtraArgs).toEqual([
          { name: 'node-labels', value: `${key}=${labelValue}` },
        ]);
        expect(renderJoinScript({ mode: 'kubelet', bundle: labelled })).toContain(` --node-labels=${key}=${labelValue} `);
      } else {
        expect(render).toThrowError(expect.objectContaining({ code: 'unsafe_kubelet_flag_value' }));
      }
    }
  });
});
