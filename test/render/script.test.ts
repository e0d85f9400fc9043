import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { renderJoinBundle } from '../../src/render/bundle.js';
import { renderJoinConfiguration } from '../../src/render/join-configuration.js';
import { JOIN_SCRIPT_MODES, renderJoinScript, type JoinScriptMode, type JoinScriptOptions } from '../../src/render/script.js';
import { CA_PEM, joinInput, tokenOf } from './fixtures.js';
import { Sandbox, SHELLS, syntaxCheck } from './harness.js';

const bundle = renderJoinBundle(joinInput());

const WORK = '/run/kube-join-broker';
const JOIN_CONFIGURATION = `${WORK}/join-configuration.yaml`;
const DISCOVERY_KUBECONFIG = `${WORK}/bootstrap-kubeconfig.yaml`;
/** What the stub writes on a successful join, under the script's umask 077. */
const KUBELET_CONF = { mode: '600', content: 'stub kubelet.conf\n' };

const VARIANTS: [string, JoinScriptOptions][] = [
  ['kubeadm, file discovery', { mode: 'kubeadm', bundle }],
  ['kubeadm, token discovery', { mode: 'kubeadm', bundle, discovery: 'token' }],
  ['kubelet', { mode: 'kubelet', bundle }],
  ['csr', { mode: 'csr', bundle }],
];

let sandbox: Sandbox | undefined;
afterEach(() => sandbox?.cleanup());

describe('renderJoinScript: static checks', () => {
  it.each(VARIANTS)('%s passes shellcheck', (_, options) => {
    const result = spawnSync('shellcheck', ['--shell=sh', '--severity=style', '-'], { input: renderJoinScript(options), encoding: 'utf8' });
    expect(result.error, 'shellcheck must be installed (apt-get install -y shellcheck)').toBeUndefined();
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.each(VARIANTS.flatMap(([name, options]) => SHELLS.map((shell) => [name, shell, options] as const)))(
    '%s parses under %s -n',
    (_, shell, options) => {
      expect(syntaxCheck(renderJoinScript(options), shell).status).toBe(0);
    },
  );

  it.each(VARIANTS)('%s starts with #!/bin/sh, set -eu, umask 077 and calls main last', (_, options) => {
    const lines = renderJoinScript(options).trimEnd().split('\n');
    expect(lines[0]).toBe('#!/bin/sh');
    expect(lines).toContain('set -eu');
    expect(lines).toContain('umask 077');
    expect(lines.at(-1)).toBe('main "$@"');
  });

  /** A `KJB_NAME=<word>` line as `renderJoinScript` writes it: a single-quoted word or a bare inert one. */
  const ASSIGNMENT = /^KJB_[A-Z0-9_]+=(?:'[^']*'(?:\\''[^']*')*|[A-Za-z0-9_@%+:,./-]+)$/gm;
  const code = (script: string) => script.replace(ASSIGNMENT, 'KJB_…');
  const other = renderJoinBundle(
    joinInput({
      nodeName: "zq9-node'\n$(x)",
      clusterName: 'zq9-cluster\n',
      token: tokenOf("zq9'"),
      caPem: `${CA_PEM}zq9-extra\n-----BEGIN CERTIFICATE-----\n`,
      nodeLabels: { 'zq9-k': 'zq9-v' },
      nodeTaints: ['zq9-t=zq9-v:NoExecute'],
    }),
  );
  const otherKubelet = renderJoinBundle(
    joinInput({ nodeName: 'zq9-node', clusterName: "zq9'", token: tokenOf("zq9'"), servingSans: { ips: ['10.0.9.9'], dnsNames: ['zq9.example'] }, servingExpirationSeconds: 9999 }),
  );
  const ASSIGNMENTS: Record<string, number> = { 'kubeadm, file discovery': 3, 'kubeadm, token discovery': 2, kubelet: 4, csr: 9 };

  it.each(VARIANTS)('%s: values change only the KJB_* assignments, never the code', (name, options) => {
    const changed = { ...options, bundle: options.mode === 'kubeadm' ? other : otherKubelet };
    const script = renderJoinScript(changed);
    expect(code(script)).not.toContain('zq9');
    expect(code(script)).not.toContain('9999');
    expect(code(script)).toBe(code(renderJoinScript(options)));
    expect(code(script).match(/^KJB_…$/gm)).toHaveLength(ASSIGNMENTS[name]!);
  });

  it('knows exactly the kubeadm, kubelet and csr modes', () => {
    expect(JOIN_SCRIPT_MODES).toEqual(['kubeadm', 'kubelet', 'csr']);
    expect(() => renderJoinScript({ mode: 'csr2' as JoinScriptMode, bundle })).toThrowError(TypeError);
  });

  it('kubelet mode refuses a node name it cannot pass as --hostname-override', () => {
    const odd = renderJoinBundle(joinInput({ nodeName: 'a b' }));
    expect(() => renderJoinScript({ mode: 'kubelet', bundle: odd })).toThrowError(expect.objectContaining({ code: 'unsafe_kubelet_flag_value' }));
    expect(() => renderJoinScript({ mode: 'kubeadm', bundle: odd })).not.toThrow();
  });
});

describe.each(SHELLS)('renderJoinScript run by %s into a temp root', (shell) => {
  it('kubeadm mode (file discovery) writes the configuration, runs kubeadm join --config, cleans up, then is idempotent', () => {
    sandbox = new Sandbox("root with 'quotes', $HOME and spaces");
    const script = renderJoinScript({ mode: 'kubeadm', bundle });
    const first = sandbox.run(script, { shell });
    expect(first.stderr).toMatch(/^(kube-join-broker: .*\n)+$/);
    expect(first.status).toBe(0);

    const calls = sandbox.calls();
    expect(calls.map((c) => [c.name, ...c.args])).toEqual([['kubeadm', 'join', '--config', `${sandbox.root}${JOIN_CONFIGURATION}`]]);
    expect(calls[0]?.files).toEqual({
      [JOIN_CONFIGURATION]: {
        mode: '600',
        content: renderJoinConfiguration({ ...bundle, discovery: { method: 'file', kubeConfigPath: DISCOVERY_KUBECONFIG } }),
      },
      [DISCOVERY_KUBECONFIG]: { mode: '600', content: bundle.kubeconfig },
    });
    expect(sandbox.tree()).toEqual({ '/etc/kubernetes/kubelet.conf': KUBELET_CONF });

    const second = sandbox.run(script, { shell });
    expect(second.status).toBe(0);
    expect(second.stderr).toContain('nothing to do');
    expect(sandbox.calls()).toHaveLength(1);
    expect(sandbox.tree()).toEqual({ '/etc/kubernetes/kubelet.conf': KUBELET_CONF });
  });

  it('kubeadm mode (token discovery) writes only the configuration', () => {
    sandbox = new Sandbox();
    const result = sandbox.run(renderJoinScript({ mode: 'kubeadm', bundle, discovery: 'token' }), { shell });
    expect(result.status).toBe(0);
    const calls = sandbox.calls();
    expect(calls.map((c) => [c.name, ...c.args])).toEqual([['kubeadm', 'join', '--config', `${sandbox.root}${JOIN_CONFIGURATION}`]]);
    expect(calls[0]?.files).toEqual({
      [JOIN_CONFIGURATION]: { mode: '600', content: renderJoinConfiguration({ ...bundle, discovery: { method: 'token' } }) },
    });
  });

  it('kubeadm mode exits non-zero when kubeadm fails and keeps the configuration for a retry', () => {
    sandbox = new Sandbox();
    const result = sandbox.run(renderJoinScript({ mode: 'kubeadm', bundle }), { shell, env: { KJB_STUB_FAIL: 'kubeadm' } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`kube-join-broker: error: kubeadm join failed; ${WORK} keeps its configuration (the token expires at ${bundle.expiresAt})`);
    expect(Object.keys(sandbox.tree()).sort()).toEqual([DISCOVERY_KUBECONFIG, JOIN_CONFIGURATION]);
  });

  it('kubeadm mode exits non-zero, writing nothing, without kubeadm', () => {
    sandbox = new Sandbox();
    const result = sandbox.run(renderJoinScript({ mode: 'kubeadm', bundle }), { shell, path: sandbox.empty });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('kube-join-broker: error: kubeadm is not on PATH\n');
    expect(sandbox.tree()).toEqual({});
  });

  it('kubelet mode writes the runbook files and the kubelet flags, restarts the kubelet, then is idempotent', () => {
    sandbox = new Sandbox("root with 'quotes', $HOME and spaces");
    const script = renderJoinScript({ mode: 'kubelet', bundle });
    const first = sandbox.run(script, { shell });
    expect(first.stderr).toMatch(/^(kube-join-broker: .*\n)+$/);
    expect(first.status).toBe(0);

    const written = {
      '/etc/kubernetes/pki/ca.crt': { mode: '644', content: CA_PEM },
      '/etc/kubernetes/bootstrap-kubelet.conf': { mode: '600', content: bundle.kubeconfig },
      '/etc/kube-join-broker/kubelet.env': {
        mode: '644',
        content:
          '# Written by kube-join-broker: kubelet flags for this node.\n' +
          'KUBELET_EXTRA_ARGS="--hostname-override=ip-10-0-1-23.ec2.internal --node-labels=node.kubernetes.io/pool=general,team=infra --register-with-taints=dedicated=gpu:NoSchedule"\n',
      },
      '/etc/systemd/system/kubelet.service.d/20-kube-join-broker.conf': {
        mode: '644',
        content: '# Written by kube-join-broker: kubelet flags for this node.\n[Service]\nEnvironmentFile=/etc/kube-join-broker/kubelet.env\n',
      },
    };
    const calls = sandbox.calls();
    expect(calls.map((c) => [c.name, ...c.args])).toEqual([
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', 'kubelet'],
      ['systemctl', 'restart', 'kubelet'],
    ]);
    expect(calls[0]?.files).toEqual(written);
    expect(sandbox.tree()).toEqual({ ...written, '/etc/kubernetes/kubelet.conf': KUBELET_CONF });

    const second = sandbox.run(script, { shell });
    expect(second.status).toBe(0);
    expect(second.stderr).toContain('nothing to do');
    expect(sandbox.calls()).toHaveLength(3);
    expect(sandbox.tree()).toEqual({ ...written, '/etc/kubernetes/kubelet.conf': KUBELET_CONF });
  });

  it('kubelet mode run again before the kubelet has bootstrapped converges to the same files', () => {
    sandbox = new Sandbox();
    const script = renderJoinScript({ mode: 'kubelet', bundle: renderJoinBundle(joinInput({ nodeLabels: {}, nodeTaints: [] })) });
    expect(sandbox.run(script, { shell, env: { KJB_STUB_JOIN: '0' } }).status).toBe(0);
    const once = sandbox.tree();
    expect(once['/etc/kube-join-broker/kubelet.env']?.content).toContain('KUBELET_EXTRA_ARGS="--hostname-override=ip-10-0-1-23.ec2.internal"\n');
    expect(sandbox.run(script, { shell, env: { KJB_STUB_JOIN: '0' } }).status).toBe(0);
    expect(sandbox.tree()).toEqual(once);
    expect(sandbox.calls()).toHaveLength(6);
  });

  it('kubelet mode exits non-zero when systemctl fails', () => {
    sandbox = new Sandbox();
    const result = sandbox.run(renderJoinScript({ mode: 'kubelet', bundle }), { shell, env: { KJB_STUB_FAIL: 'systemctl' } });
    expect(result.status).not.toBe(0);
    expect(sandbox.calls().map((c) => c.args)).toEqual([['daemon-reload']]);
  });
});
