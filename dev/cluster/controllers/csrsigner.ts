/**
 * csrsigning (pkg/controller/certificates/signer/signer.go + authority/policies.go) for the three
 * kubernetes.io signers the cluster CA serves: acts only on Approved, not Failed CSRs without a
 * certificate; re-validates with the signer's check (kubelet client / kubelet serving /
 * kube-apiserver-client usages) and on violation appends
 * `{Failed, True, SignerValidationFailure, <err>}` through `/status`; otherwise signs with the
 * cluster CA: NotBefore = now − 5 min; TTL = min(expirationSeconds, --cluster-signing-duration)
 * with a 10-minute floor; NotAfter = now + TTL − 5 min, or now + TTL when TTL < 8 h; truncated to
 * the CA's NotAfter. The certificate goes to `status.certificate` as PEM.
 */
import type { V1CertificateSigningRequest } from '@kubernetes/client-node';
import { StatusError } from '../apimachinery/status.js';
import { rfc3339 } from '../clock.js';
import type { ClusterCA } from '../pki/ca.js';
import { parseCsrPem, type ParsedCsr } from '../pki/csr.js';
import { validateApiServerClientUsages, validateKubeletClientCsr, validateKubeletServingCsr } from '../pki/kubelet-csr.js';
import { keyUsagesFromStrings } from '../pki/usages.js';
import { type ApiCore, CONTROLLER_USER } from '../registry/api.js';
import { csrKind, KUBE_APISERVER_CLIENT_SIGNER, KUBELET_CLIENT_SIGNER, KUBELET_SERVING_SIGNER } from '../registry/kinds/csr.js';
import type { StoreEvent } from '../storage/store.js';
import { WorkQueue } from './workqueue.js';

type Csr = V1CertificateSigningRequest;

const MINUTE = 60_000;
export const SIGNING_BACKDATE_MS = 5 * MINUTE;
export const SIGNING_SHORT_MS = 8 * 60 * MINUTE;
export const MIN_SIGNING_TTL_MS = 10 * MINUTE;
export const DEFAULT_CLUSTER_SIGNING_DURATION_MS = 365 * 24 * 60 * MINUTE;

const SIGNER_CHECKS: Readonly<Record<string, (req: ParsedCsr, usages: readonly string[]) => string | undefined>> = {
  [KUBELET_SERVING_SIGNER]: validateKubeletServingCsr,
  [KUBELET_CLIENT_SIGNER]: validateKubeletClientCsr,
  [KUBE_APISERVER_CLIENT_SIGNER]: (_req, usages) => validateApiServerClientUsages(usages),
};

/** signer.duration */
export function signingTtlMs(expirationSeconds: number | undefined, clusterSigningDurationMs: number): number {
  if (expirationSeconds === undefined || expirationSeconds === null) return clusterSigningDurationMs;
  const requested = expirationSeconds * 1000;
  if (requested > clusterSigningDurationMs) return clusterSigningDurationMs;
  if (requested < MIN_SIGNING_TTL_MS) return MIN_SIGNING_TTL_MS;
  return requested;
}

/** PermissiveSigningPolicy.apply's validity window, or the upstream error. */
export function validityWindow(now: Date, ttlMs: number, caNotAfter: Date): { notBefore: Date; notAfter: Date } | { error: string } {
  const notBefore = new Date(now.getTime() - SIGNING_BACKDATE_MS);
  let notAfter = ttlMs < SIGNING_SHORT_MS ? new Date(now.getTime() + ttlMs) : new Date(now.getTime() + ttlMs - SIGNING_BACKDATE_MS);
  if (notAfter >= caNotAfter) notAfter = caNotAfter;
  if (notBefore >= caNotAfter) return { error: `the signer has expired: NotAfter=${caNotAfter.toISOString()}` };
  if (now >= caNotAfter) return { error: `refusing to sign a certificate that expired in the past: NotAfter=${caNotAfter.toISOString()}` };
  return { notBefore, notAfter };
}

export class CsrSigner {
  readonly queue: WorkQueue;

  constructor(
    private readonly api: ApiCore,
    private readonly ca: ClusterCA,
    private readonly clusterSigningDurationMs: number,
    onError: (key: string, err: unknown) => void = () => {},
  ) {
    this.queue = new WorkQueue((name) => this.handle(name), onError);
  }

  wants(e: StoreEvent): boolean {
    return e.resource === 'certificatesigningrequests.certificates.k8s.io' && e.type !== 'DELETED';
  }

  async sync(): Promise<void> {
    for (const c of this.api.store.list('certificatesigningrequests.certificates.k8s.io')) this.queue.add(c.metadata.name);
    await this.queue.drain();
  }

  private writeStatus(name: string, csr: Csr): void {
    try {
      this.api.update(csrKind, undefined, name, csr, CONTROLLER_USER, {}, 'status');
    } catch (e) {
      if (e instanceof StatusError && e.code === 409) this.queue.add(name);
      else if (!(e instanceof StatusError && e.code === 404)) throw e;
    }
  }

  private async handle(name: string): Promise<void> {
    const csr = this.api.store.get('certificatesigningrequests.certificates.k8s.io', undefined, name) as unknown as Csr | undefined;
    if (!csr || csr.status?.certificate) return;
    const conditions = csr.status?.conditions ?? [];
    const approved = conditions.some((c) => c.type === 'Approved') && !conditions.some((c) => c.type === 'Denied');
    if (!approved || conditions.some((c) => c.type === 'Failed' && c.status === 'True')) return;
    const check = SIGNER_CHECKS[csr.spec.signerName];
    if (!check) return;
    const parsed = parseCsrPem(Buffer.from(csr.spec.request, 'base64').toString('latin1'));
    if (!parsed.ok) throw new Error(`unable to parse csr "${name}": ${parsed.error}`);
    const violation = check(parsed.csr, csr.spec.usages ?? []);
    if (violation) {
      const failed = structuredClone(csr);
      failed.status = { ...(failed.status ?? {}) };
      failed.status.conditions = [
        ...(failed.status.conditions ?? []),
        {
          type: 'Failed',
          status: 'True',
          reason: 'SignerValidationFailure',
          message: violation,
          lastUpdateTime: rfc3339(this.api.clock.now()),
        } as never,
      ];
      this.writeStatus(name, failed);
      return;
    }
    const usages = keyUsagesFromStrings(csr.spec.usages ?? []);
    if ('error' in usages) throw new Error(`error auto signing csr: ${usages.error}`);
    const window = validityWindow(this.api.clock.now(), signingTtlMs(csr.spec.expirationSeconds, this.clusterSigningDurationMs), this.ca.notAfter);
    if ('error' in window) throw new Error(`error auto signing csr: ${window.error}`);
    const req = parsed.csr;
    const cert = await this.ca.sign({
      subject: req.request.subjectName.toArrayBuffer(),
      publicKeySpki: req.request.publicKey.rawData,
      dnsNames: req.dnsNames,
      ipAddresses: req.ipAddresses,
      emailAddresses: req.emailAddresses,
      uris: req.uris,
      keyUsage: usages.keyUsage,
      extKeyUsages: usages.extKeyUsages,
      notBefore: window.notBefore,
      notAfter: window.notAfter,
    });
    const signed = this.api.store.get('certificatesigningrequests.certificates.k8s.io', undefined, name) as unknown as Csr | undefined;
    if (!signed || signed.status?.certificate) return;
    signed.status = { ...(signed.status ?? {}), certificate: Buffer.from(cert.toString('pem') + '\n').toString('base64') };
    this.writeStatus(name, signed);
  }

  stop(): void {
    this.queue.stop();
  }
}
