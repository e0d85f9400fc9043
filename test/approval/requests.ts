/**
 * Certificate requests made in-process for the approver's tests (@peculiar/x509 on Node's
 * WebCrypto, dev/test only), plus DER surgery for the shapes no generator writes.
 */
import 'reflect-metadata';
import { AsnConvert } from '@peculiar/asn1-schema';
import { CertificationRequest } from '@peculiar/asn1-csr';
import { Pkcs10CertificateRequestGenerator, SubjectAlternativeNameExtension, type JsonGeneralName, type Extension } from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

export type KeyKind = 'rsa-2048' | 'rsa-1024' | 'ec-p256' | 'ec-p384' | 'ed25519';

const ALGORITHMS: Record<KeyKind, { generate: Parameters<typeof webcrypto.subtle.generateKey>[0]; signing: Record<string, unknown> }> = {
  'rsa-2048': {
    generate: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' } as RsaHashedKeyGenParams,
    signing: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  },
  'rsa-1024': {
    generate: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' } as RsaHashedKeyGenParams,
    signing: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  },
  'ec-p256': { generate: { name: 'ECDSA', namedCurve: 'P-256' } as EcKeyGenParams, signing: { name: 'ECDSA', hash: 'SHA-256' } },
  'ec-p384': { generate: { name: 'ECDSA', namedCurve: 'P-384' } as EcKeyGenParams, signing: { name: 'ECDSA', hash: 'SHA-384' } },
  'ed25519': { generate: { name: 'Ed25519' }, signing: { name: 'Ed25519' } },
};

const keyCache = new Map<KeyKind, Promise<CryptoKeyPair>>();
/** One key pair per kind per test file: generating RSA keys is the slow part. */
export function keyPair(kind: KeyKind): Promise<CryptoKeyPair> {
  let pair = keyCache.get(kind);
  if (pair === undefined) keyCache.set(kind, (pair = webcrypto.subtle.generateKey(ALGORITHMS[kind].generate as never, true, ['sign', 'verify']) as Promise<CryptoKeyPair>));
  return pair;
}

export interface RequestOptions {
  readonly subject: string;
  readonly sans?: JsonGeneralName[];
  readonly key?: KeyKind;
  readonly extensions?: Extension[];
}

/** A PKCS#10 request (DER) signed with a key of `key` (default P-256). */
export async function requestDer(options: RequestOptions): Promise<Uint8Array> {
  const kind = options.key ?? 'ec-p256';
  const keys = await keyPair(kind);
  const extensions: Extension[] = [...(options.sans === undefined || options.sans.length === 0 ? [] : [new SubjectAlternativeNameExtension(options.sans)]), ...(options.extensions ?? [])];
  const request = await Pkcs10CertificateRequestGenerator.create({ name: options.subject, keys, signingAlgorithm: ALGORITHMS[kind].signing as never, extensions });
  return new Uint8Array(request.rawData);
}

export const toPem = (der: Uint8Array): string =>
  `-----BEGIN CERTIFICATE REQUEST-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE REQUEST-----\n`;

export async function requestPem(options: RequestOptions): Promise<string> {
  return toPem(await requestDer(options));
}

/** Re-signs a request after `edit` changed its CertificationRequestInfo (shapes no generator makes). */
export async function resigned(der: Uint8Array, edit: (request: CertificationRequest) => void, key: KeyKind = 'ec-p256'): Promise<Uint8Array> {
  const request = AsnConvert.parse(der, CertificationRequest);
  edit(request);
  request.certificationRequestInfoRaw = undefined;
  const info = AsnConvert.serialize(request.certificationRequestInfo);
  const keys = await keyPair(key);
  let signature: Uint8Array = new Uint8Array(await webcrypto.subtle.sign(ALGORITHMS[key].signing as never, keys.privateKey, info));
  if (key.startsWith('ec-')) signature = ecdsaDer(signature);
  request.signature = signature.slice().buffer as ArrayBuffer;
  return new Uint8Array(AsnConvert.serialize(request));
}

/** WebCrypto's r || s as the DER ECDSA-Sig-Value X.509 carries. */
function ecdsaDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  const integer = (bytes: Uint8Array): number[] => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const body = [...bytes.subarray(start)];
    if (body[0]! & 0x80) body.unshift(0);
    return [0x02, body.length, ...body];
  };
  const content = [...integer(raw.subarray(0, half)), ...integer(raw.subarray(half))];
  return Uint8Array.from(content.length < 0x80 ? [0x30, content.length, ...content] : [0x30, 0x81, content.length, ...content]);
}

/** The CSR object the API server would hold for `pem`, as the approver reads it. */
export function csrObject(options: {
  name: string;
  pem: string;
  signerName: string;
  username: string;
  groups: string[];
  usages: string[];
  createdAt: string;
  expirationSeconds?: number;
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
  certificate?: string;
  resourceVersion?: string;
}) {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name: options.name, creationTimestamp: options.createdAt as unknown as Date, resourceVersion: options.resourceVersion ?? '1' },
    spec: {
      request: Buffer.from(options.pem).toString('base64'),
      signerName: options.signerName,
      usages: options.usages,
      username: options.username,
      groups: options.groups,
      ...(options.expirationSeconds === undefined ? {} : { expirationSeconds: options.expirationSeconds }),
    },
    status: {
      ...(options.conditions === undefined ? {} : { conditions: options.conditions as never }),
      ...(options.certificate === undefined ? {} : { certificate: options.certificate }),
    },
  };
}
