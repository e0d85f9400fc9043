/**
 * Hostile values (fixtures.ts, HOSTILE) as node name, cluster name and token, through both join
 * scripts run by dash and bash into a temp root: each script parses, runs, creates no `pwned`
 * file anywhere, and hands kubeadm / writes to disk exactly the value.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderJoinBundle } from '../../src/render/bundle.js';
import { renderJoinScript } from '../../src/render/script.js';
import { HOSTILE, joinInput, tokenOf } from './fixtures.js';
import { Sandbox, SHELLS, syntaxCheck } from './harness.js';

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

  it.each(SHELLS)('only ever is data in the kubeadm-mode script under %s', (shell) => {
    const script = renderJoinScript({ mode: 'kubeadm', bundle });
    expect(syntaxCheck(script, shell).status).toBe(0);
    sandbox = new Sandbox();
    const result = sandbox.run(script, { shell });
    expect(result.stderr).not.toContain('pwned');
    expect(result.status).toBe(0);
    const [call, ...more] = sandbox.calls();
    expect(more).toEqual([]);
    expect(call?.args).toEqual(['join', '--config', `${sandbox.root}/run/kube-join-broker/join-configuration.yaml`]);
    const configuration = parse(call?.files['/run/kube-join-broker/join-configuration.yaml']?.content ?? '');
    expect(configuration.nodeRegistration.name).toBe(value);
    expect(configuration.discovery.tlsBootstrapToken).toBe(token);
    const discovery = call?.files['/run/kube-join-broker/bootstrap-kubeconfig.yaml']?.content ?? '';
    expect(discovery).toBe(bundle.kubeconfig);
    expect(parse(discovery).clusters[0].name).toBe(value);
  });

  it.each(SHELLS)('only ever is data in the kubelet-mode script (cluster name, token) under %s', (shell) => {
    const kubeletBundle = renderJoinBundle(joinInput({ clusterName: value, token: tokenOf(value) }));
    const script = renderJoinScript({ mode: 'kubelet', bundle: kubeletBundle });
    expect(syntaxCheck(script, shell).status).toBe(0);
    sandbox = new Sandbox();
    const result = sandbox.run(script, { shell, env: { KJB_STUB_SNAPSHOT: '0' } });
    expect(result.stderr).not.toContain('pwned');
    expect(result.status).toBe(0);
    const kubeconfig = sandbox.tree()['/etc/kubernetes/bootstrap-kubelet.conf']?.content ?? '';
    expect(kubeconfig).toBe(kubeletBundle.kubeconfig);
    expect(parse(kubeconfig).clusters[0].name).toBe(value);
    expect(parse(kubeconfig).users[0].user.token).toBe(token);
    expect(sandbox.calls().map((c) => [c.name, ...c.args])).toEqual([
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', 'kubelet'],
      ['systemctl', 'restart', 'kubelet'],
    ]);
  });
});
