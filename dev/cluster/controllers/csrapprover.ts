/**
 * csrapproving (pkg/controller/certificates/approver/sarapprove.go, v1.32 recogniser list): for a
 * CSR without certificate and without Approved/Denied, try `selfnodeclient` (kubelet-client signer,
 * kubelet client CSR, spec.username == CN) then `nodeclient` (kubelet-client signer, kubelet
 * client CSR); for each recognised one ask the authorizer — as the CSR's requester — for `create`
 * on certificatesigningrequests/<subresource>; the first allowed one appends an AutoApproved
 * condition through `/approval`. Nothing else is ever auto-approved (kubelet-serving stays Pending).
 * (Upstream's newest sarapprove.go stops after a denied selfnodeclient check; 1.32 falls through.)
 */
import type { V1CertificateSigningRequest } from '@kubernetes/client-node';
import { resourceAttributes } from '../auth/authz/attributes.js';
import { StatusError } from '../apimachinery/status.js';
import { parseCsrPem, type ParsedCsr } from '../pki/csr.js';
import { validateKubeletClientCsr } from '../pki/kubelet-csr.js';
import { type ApiCore, CONTROLLER_USER } from '../registry/api.js';
import { csrKind, KUBELET_CLIENT_SIGNER } from '../registry/kinds/csr.js';
import type { StoreEvent } from '../storage/store.js';
import { WorkQueue } from './workqueue.js';

type Csr = V1CertificateSigningRequest;

const isNodeClientCert = (csr: Csr, req: ParsedCsr): boolean =>
  csr.spec.signerName === KUBELET_CLIENT_SIGNER && validateKubeletClientCsr(req, csr.spec.usages ?? []) === undefined;

const isSelfNodeClientCert = (csr: Csr, req: ParsedCsr): boolean => csr.spec.username === req.commonName && isNodeClientCert(csr, req);

const RECOGNIZERS = [
  { recognize: isSelfNodeClientCert, subresource: 'selfnodeclient', message: 'Auto approving self kubelet client certificate after SubjectAccessReview.' },
  { recognize: isNodeClientCert, subresource: 'nodeclient', message: 'Auto approving kubelet client certificate after SubjectAccessReview.' },
] as const;

export class CsrApprover {
  readonly queue: WorkQueue;

  constructor(private readonly api: ApiCore) {
    this.queue = new WorkQueue((name) => this.handle(name));
  }

  wants(e: StoreEvent): boolean {
    return e.resource === 'certificatesigningrequests.certificates.k8s.io' && e.type !== 'DELETED';
  }

  async sync(): Promise<void> {
    for (const c of this.api.store.list('certificatesigningrequests.certificates.k8s.io')) this.queue.add(c.metadata.name);
    await this.queue.drain();
  }

  private async handle(name: string): Promise<void> {
    const csr = this.api.store.get('certificatesigningrequests.certificates.k8s.io', undefined, name) as unknown as Csr | undefined;
    if (!csr) return;
    if (csr.status?.certificate) return;
    if ((csr.status?.conditions ?? []).some((c) => c.type === 'Approved' || c.type === 'Denied')) return;
    const parsed = parseCsrPem(Buffer.from(csr.spec.request, 'base64').toString('latin1'));
    if (!parsed.ok) return;
    for (const r of RECOGNIZERS) {
      if (!r.recognize(csr, parsed.csr)) continue;
      // SubjectAccessReview as the requester (spec.username/uid/groups/extra), through the same authorizer.
      const requester = { name: csr.spec.username ?? '', uid: csr.spec.uid, groups: csr.spec.groups ?? [], extra: csr.spec.extra };
      const attrs = resourceAttributes(requester, {
        verb: 'create',
        group: 'certificates.k8s.io',
        resource: 'certificatesigningrequests',
        subresource: r.subresource,
      });
      if (this.api.authorizer.authorize(attrs).decision !== 'allow') continue;
      const approved = structuredClone(csr);
      approved.status = { ...(approved.status ?? {}) };
      approved.status.conditions = [
        ...(approved.status.conditions ?? []),
        { type: 'Approved', status: 'True', reason: 'AutoApproved', message: r.message } as never,
      ];
      try {
        this.api.update(csrKind, undefined, name, approved, CONTROLLER_USER, {}, 'approval');
      } catch (e) {
        if (e instanceof StatusError && e.code === 409) this.queue.add(name);
        else if (!(e instanceof StatusError && e.code === 404)) throw e;
      }
      return;
    }
  }

  stop(): void {
    this.queue.stop();
  }
}
