import type { V1ConfigMap } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { asn1 } from '../attest/cms/asn1-libraries.js';
import type { Clock } from '../deps.js';
import type { KubeApi } from './kube-api.js';

/**
 * The cluster CA as kubeadm publishes it in `kube-public/cluster-info` (SEMANTICS §3.1), and the
 * `--discovery-token-ca-cert-hash` pins nodes check it against (§3.5).
 */
export interface ClusterCa {
  /** The API server named in cluster-info. */
  server: string;
  /** The CA bundle, PEM, exactly as cluster-info carries it. */
  caPem: string;
  /** `sha256:<hex>` of each CA certificate's DER SubjectPublicKeyInfo, in bundle order. */
  caCertHashes: string[];
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/g;

export function pemCertificatesToDer(pem: string): Uint8Array<ArrayBuffer>[] {
  return [...pem.matchAll(PEM_CERTIFICATE)].map(([, body]) => Uint8Array.from(atob(body!.replace(/\s+/g, '')), (c) => c.charCodeAt(0)));
}

const hex = (bytes: ArrayBuffer): string => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');

/** kubeadm pubkeypin.Hash: "sha256:" + hex(SHA-256(cert.RawSubjectPublicKeyInfo)). */
export async function caCertHash(certificateDer: Uint8Array<ArrayBuffer>): Promise<string> {
  const { AsnConvert, Certificate } = asn1();
  const certificate = AsnConvert.parse(certificateDer, Certificate);
  const spki = AsnConvert.serialize(certificate.tbsCertificate.subjectPublicKeyInfo);
  return `sha256:${hex(await crypto.subtle.digest('SHA-256', spki))}`;
}

export class ClusterInfoError extends Error {
  override readonly name = 'ClusterInfoError';
}

/** Reads the one cluster of cluster-info's kubeconfig; anything else is an unusable cluster-info. */
export async function parseClusterInfo(configMap: V1ConfigMap): Promise<ClusterCa> {
  const text = configMap.data?.['kubeconfig'];
  if (text === undefined || text === '') throw new ClusterInfoError('cluster-info has no kubeconfig key');
  const kubeconfig = parseYaml(text, { maxAliasCount: 0 }) as { clusters?: { cluster?: Record<string, unknown> }[] } | null;
  const clusters = kubeconfig?.clusters ?? [];
  if (clusters.length !== 1) throw new ClusterInfoError(`cluster-info's kubeconfig has ${clusters.length} clusters, expected 1`);
  const cluster = clusters[0]!.cluster ?? {};
  const server = cluster['server'];
  const caData = cluster['certificate-authority-data'];
  if (typeof server !== 'string' || !server.startsWith('https://')) throw new ClusterInfoError('cluster-info names no https server');
  if (typeof caData !== 'string') throw new ClusterInfoError('cluster-info carries no certificate-authority-data');
  const caPem = atob(caData);
  const ders = pemCertificatesToDer(caPem);
  if (ders.length === 0) throw new ClusterInfoError('cluster-info CA data holds no certificate');
  return { server, caPem, caCertHashes: await Promise.all(ders.map(caCertHash)) };
}

export interface ClusterCaSource {
  get(): Promise<ClusterCa>;
}

/**
 * cluster-info, cached per isolate for `ttlMs`, so a burst of joins reads it once per TTL. A
 * failed read is not cached. In-flight reads are not shared between requests: a Worker may not
 * await I/O that another request started, so concurrent misses each read for themselves.
 */
export function createClusterCaSource(kube: KubeApi, clock: Clock, ttlMs = 5 * 60_000): ClusterCaSource {
  let cached: { value: ClusterCa; until: number } | undefined;
  return {
    async get() {
      if (cached !== undefined && clock.now().getTime() < cached.until) return cached.value;
      const value = await parseClusterInfo(await kube.getConfigMap('kube-public', 'cluster-info'));
      cached = { value, until: clock.now().getTime() + ttlMs };
      return value;
    },
  };
}
