/** Certificate requests generated in-process for tests (openssl is used in the runbook test). */
import 'reflect-metadata';
import { Pkcs10CertificateRequestGenerator, SubjectAlternativeNameExtension } from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

export async function csrPem(subject: string, sans: { type: 'dns' | 'ip' | 'email' | 'url'; value: string }[] = []): Promise<string> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  const req = await Pkcs10CertificateRequestGenerator.create({
    name: subject,
    keys,
    signingAlgorithm: EC,
    extensions: sans.length ? [new SubjectAlternativeNameExtension(sans)] : [],
  });
  return req.toString('pem');
}

export async function kubeletClientCsrManifest(name: string, node = 'worker-1', extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: {
      request: Buffer.from(await csrPem(`O=system:nodes, CN=system:node:${node}`)).toString('base64'),
      signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
      usages: ['digital signature', 'client auth'],
      ...extra,
    },
  };
}

export async function kubeletServingCsrManifest(name: string, node = 'worker-1'): Promise<Record<string, unknown>> {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: {
      request: Buffer.from(await csrPem(`O=system:nodes, CN=system:node:${node}`, [{ type: 'dns', value: node }, { type: 'ip', value: '10.0.0.5' }])).toString('base64'),
      signerName: 'kubernetes.io/kubelet-serving',
      usages: ['digital signature', 'server auth'],
    },
  };
}
