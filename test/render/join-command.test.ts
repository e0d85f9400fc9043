import { afterEach, describe, expect, it } from 'vitest';
import { renderJoinCommand } from '../../src/render/join-command.js';
import { PIN_A, PIN_B, TOKEN } from './fixtures.js';
import { Sandbox, SHELLS } from './harness.js';

const input = { apiServer: 'https://10.0.0.1:6443', token: TOKEN, caCertHashes: [PIN_A, PIN_B], nodeName: 'ip-10-0-1-23.ec2.internal' };

let sandbox: Sandbox | undefined;
afterEach(() => sandbox?.cleanup());

describe('renderJoinCommand', () => {
  it('is the kubeadm join flag form, one --discovery-token-ca-cert-hash per pin', () => {
    expect(renderJoinCommand(input)).toBe(
      `kubeadm join 10.0.0.1:6443 --token ${TOKEN} --discovery-token-ca-cert-hash ${PIN_A} --discovery-token-ca-cert-hash ${PIN_B} --node-name ip-10-0-1-23.ec2.internal`,
    );
  });

  it.each([
    ['https://api.example.com', 'api.example.com:443'],
    ['https://[fd00::1]:6443', "'[fd00::1]:6443'"],
  ])('takes the endpoint of %s as host:port without scheme (%s)', (apiServer, endpoint) => {
    expect(renderJoinCommand({ ...input, apiServer })).toContain(`kubeadm join ${endpoint} --token`);
  });

  it('lower-cases pins as kubeadm stores them', () => {
    expect(renderJoinCommand({ ...input, caCertHashes: [PIN_A.toUpperCase().replace('SHA256', 'sha256')] })).toContain(
      `--discovery-token-ca-cert-hash ${PIN_A} `,
    );
  });

  it.each(SHELLS)('gives kubeadm exactly its arguments when run by %s', (shell) => {
    sandbox = new Sandbox();
    const result = sandbox.runCommand(renderJoinCommand({ ...input, nodeName: "it's a $(node)" }), shell);
    expect(result.status).toBe(0);
    expect(sandbox.calls().map((c) => [c.name, ...c.args])).toEqual([
      ['kubeadm', 'join', '10.0.0.1:6443', '--token', TOKEN, '--discovery-token-ca-cert-hash', PIN_A,
        '--discovery-token-ca-cert-hash', PIN_B, '--node-name', "it's a $(node)"],
    ]);
  });

  it.each([
    [[] as string[]],
    [['sha256:abc']],
    [[`sha1:${'0'.repeat(64)}`]],
    [[`${PIN_A} `]],
    [[`${PIN_A}:x`]],
    [[PIN_A, 'nope']],
  ])('refuses pins %j with invalid_ca_cert_hash', (caCertHashes) => {
    expect(() => renderJoinCommand({ ...input, caCertHashes })).toThrowError(expect.objectContaining({ code: 'invalid_ca_cert_hash' }));
  });

  it('refuses a non-https API server', () => {
    expect(() => renderJoinCommand({ ...input, apiServer: 'http://10.0.0.1:6443' })).toThrowError(
      expect.objectContaining({ code: 'invalid_api_server' }),
    );
  });
});
