/**
 * The CSR calls of the Kubernetes adapter (src/cluster/kube-api.ts) with a scripted fetch: the
 * paths and methods the approver uses, and which answers mean "read it again" (409, 404) rather
 * than a failure. Against the emulator, through workerd: test/e2e/csr.test.ts.
 */
import type { V1CertificateSigningRequest } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { createKubeApi, KubeApiError } from '../../src/cluster/kube-api.js';
import type { Fetch } from '../../src/deps.js';

const CSR: V1CertificateSigningRequest = {
  apiVersion: 'certificates.k8s.io/v1',
  kind: 'CertificateSigningRequest',
  metadata: { name: 'node-csr-a/b', resourceVersion: '42' },
  spec: { request: 'LS0t', signerName: 'kubernetes.io/kubelet-serving', usages: ['server auth'] },
  status: { conditions: [{ type: 'Approved', status: 'True', reason: 'KubeJoinBrokerApproved', message: 'm' } as never] },
};

function adapter(...answers: (() => Response)[]) {
  const calls: { method: string; url: string; body: unknown }[] = [];
  const fetch: Fetch = async (input, init) => {
    calls.push({ method: init?.method ?? 'GET', url: String(input), body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined });
    return (answers[calls.length - 1] ?? answers[answers.length - 1]!)();
  };
  const kube = createKubeApi({ server: new URL('https://kube.example.test:6443'), token: 't', fetch, timeoutMs: 1000, random: { fill: (b) => b.fill(0) }, sleep: async () => undefined });
  return { kube, calls };
}
const json = (code: number, value: unknown) => () => new Response(JSON.stringify(value), { status: code, headers: { 'content-type': 'application/json' } });
const statusOf = (code: number, reason: string) => json(code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, code });

describe('CSR calls', () => {
  it('lists every CSR from the watch cache (resourceVersion=0)', async () => {
    const { kube, calls } = adapter(json(200, { kind: 'CertificateSigningRequestList', items: [CSR] }));
    expect(await kube.listCertificateSigningRequests()).toEqual([CSR]);
    expect(calls).toEqual([{ method: 'GET', url: 'https://kube.example.test:6443/apis/certificates.k8s.io/v1/certificatesigningrequests?resourceVersion=0', body: undefined }]);
  });

  it('PUTs the decision to /approval with the object as read, its name escaped', async () => {
    const { kube, calls } = adapter(json(200, CSR));
    expect(await kube.updateCertificateSigningRequestApproval(CSR)).toEqual(CSR);
    expect(calls).toEqual([{ method: 'PUT', url: 'https://kube.example.test:6443/apis/certificates.k8s.io/v1/certificatesigningrequests/node-csr-a%2Fb/approval', body: CSR }]);
  });

  it.each([
    [409, 'Conflict'],
    [404, 'NotFound'],
  ])('an approval answered %i (%s) is undefined: read it again', async (code, reason) => {
    const { kube, calls } = adapter(statusOf(code, reason));
    expect(await kube.updateCertificateSigningRequestApproval(CSR)).toBeUndefined();
    expect(calls).toHaveLength(1);
  });

  it('an approval answered 422 (e.g. Approved and Denied together) is a failure, not retried', async () => {
    const { kube, calls } = adapter(statusOf(422, 'Invalid'));
    await expect(kube.updateCertificateSigningRequestApproval(CSR)).rejects.toThrow(new KubeApiError('update certificatesigningrequest approval', 'status', 422, 'Invalid'));
    expect(calls).toHaveLength(1);
  });

  it('get: the CSR, or undefined when it does not exist', async () => {
    const { kube } = adapter(json(200, CSR), statusOf(404, 'NotFound'));
    expect(await kube.getCertificateSigningRequest('node-csr-a/b')).toEqual(CSR);
    expect(await kube.getCertificateSigningRequest('gone')).toBeUndefined();
  });
});
