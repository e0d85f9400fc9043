/**
 * Builds CMS SignedData for negative tests with @peculiar/asn1-cms, signing with node:crypto,
 * so each test can break exactly one thing (an attribute, an algorithm identifier, the signer).
 */
import {
  Attribute,
  CertificateChoices,
  CertificateSet,
  ContentInfo,
  DigestAlgorithmIdentifier,
  EncapsulatedContent,
  EncapsulatedContentInfo,
  IssuerAndSerialNumber,
  SignatureAlgorithmIdentifier,
  SignedData,
  SignerIdentifier,
  SignerInfo,
  SignerInfos,
  id_data,
  id_signedData,
} from '@peculiar/asn1-cms';
import { DigestAlgorithmIdentifiers } from '@peculiar/asn1-cms';
import { AsnParser, AsnSerializer, OctetString } from '@peculiar/asn1-schema';
import { Certificate, SubjectKeyIdentifier, id_ce_subjectKeyIdentifier } from '@peculiar/asn1-x509';
import { createHash, sign, type KeyObject } from 'node:crypto';

export const OID = {
  data: id_data,
  signedData: id_signedData,
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  md5: '1.2.840.113549.2.5',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha1WithRSA: '1.2.840.113549.1.1.5',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  sha384WithRSA: '1.2.840.113549.1.1.12',
  sha512WithRSA: '1.2.840.113549.1.1.13',
  rsaPss: '1.2.840.113549.1.1.10',
  dsaWithSha1: '1.2.840.10040.4.3',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  algorithmProtection: '1.2.840.113549.1.9.52',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
} as const;

type Hash = 'sha1' | 'sha256' | 'sha384' | 'sha512';
const HASH_OID: Record<Hash, string> = { sha1: OID.sha1, sha256: OID.sha256, sha384: OID.sha384, sha512: OID.sha512 };

// --- a few DER encoders, enough for attribute values ---
export function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return [0x80 | bytes.length, ...bytes];
}
export const tlv = (tag: number, ...parts: Uint8Array[]): Uint8Array => {
  const body = concat(...parts);
  return concat(new Uint8Array([tag, ...derLength(body.length)]), body);
};
export const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
export function derOid(oid: string): Uint8Array {
  const arcs = oid.split('.').map(Number) as number[];
  const out: number[] = [];
  const first = (arcs[0] as number) * 40 + (arcs[1] as number);
  for (const arc of [first, ...arcs.slice(2)]) {
    const chunk: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, new Uint8Array(out));
}
export const derOctets = (bytes: Uint8Array): Uint8Array => tlv(0x04, bytes);
const ab = (u: Uint8Array): ArrayBuffer => u.slice().buffer;

export const attribute = (type: string, ...values: Uint8Array[]): Attribute =>
  new Attribute({ attrType: type, attrValues: values.map(ab) });

export const digestOf = (hash: Hash, content: Uint8Array): Uint8Array => new Uint8Array(createHash(hash).update(content).digest());

/** RFC 6211 CMSAlgorithmProtection naming `digestOid` and `signatureOid`. */
export const algorithmProtection = (digestOid: string, signatureOid: string): Uint8Array =>
  tlv(0x30, tlv(0x30, derOid(digestOid)), tlv(0xa1, derOid(signatureOid)));

export interface CraftOptions {
  readonly content: Uint8Array;
  readonly key: KeyObject;
  /** DER of the certificate the sid names. */
  readonly cert: Uint8Array;
  readonly sid?: 'issuerAndSerialNumber' | 'subjectKeyIdentifier';
  readonly hash?: Hash;
  readonly digestOid?: string;
  readonly signatureOid?: string;
  readonly eContentType?: string;
  /** Signed attributes: given the defaults (contentType, messageDigest), return the list to sign; `null` for none. */
  readonly attributes?: ((defaults: Attribute[]) => Attribute[]) | null;
  /** Replace what gets signed (default: the SET OF attributes, or the content without attributes). */
  readonly tamperSignedBytes?: (bytes: Uint8Array) => Uint8Array;
  readonly embed?: readonly Uint8Array[];
  readonly signerCount?: number;
  readonly detached?: boolean;
  /** Override the versions RFC 5652 prescribes (default: computed as §5.1 and §5.3 say). */
  readonly signedDataVersion?: number;
  readonly signerInfoVersion?: number;
}

export function craftSignedData(options: CraftOptions): Uint8Array {
  const hash = options.hash ?? 'sha256';
  const eContentType = options.eContentType ?? OID.data;
  const cert = AsnParser.parse(options.cert, Certificate);
  const defaults = [attribute(OID.contentType, derOid(eContentType)), attribute(OID.messageDigest, derOctets(digestOf(hash, options.content)))];
  const attributes = options.attributes === null ? undefined : (options.attributes ?? ((d) => d))(defaults);

  const signedBytes =
    attributes === undefined
      ? options.content
      : tlv(0x31, ...attributes.map((a) => new Uint8Array(AsnSerializer.serialize(a))));
  const toSign = options.tamperSignedBytes?.(signedBytes) ?? signedBytes;
  const signature = new Uint8Array(sign(hash, toSign, options.key));

  let sid: SignerIdentifier;
  if (options.sid === 'subjectKeyIdentifier') {
    const ext = cert.tbsCertificate.extensions?.find((e) => e.extnID === id_ce_subjectKeyIdentifier);
    if (ext === undefined) throw new Error('certificate has no SKI');
    sid = new SignerIdentifier({ subjectKeyIdentifier: AsnParser.parse(ext.extnValue, SubjectKeyIdentifier) });
  } else {
    sid = new SignerIdentifier({
      issuerAndSerialNumber: new IssuerAndSerialNumber({ issuer: cert.tbsCertificate.issuer, serialNumber: cert.tbsCertificate.serialNumber }),
    });
  }
  const digestAlgorithm = new DigestAlgorithmIdentifier({ algorithm: options.digestOid ?? HASH_OID[hash] });
  const signerInfo = new SignerInfo({
    version: options.signerInfoVersion ?? (options.sid === 'subjectKeyIdentifier' ? 3 : 1),
    sid,
    digestAlgorithm,
    ...(attributes === undefined ? {} : { signedAttrs: attributes }),
    signatureAlgorithm: new SignatureAlgorithmIdentifier({ algorithm: options.signatureOid ?? OID.rsaEncryption, parameters: null }),
    signature: new OctetString(signature),
  });
  const signedData = new SignedData({
    version: options.signedDataVersion ?? (options.sid === 'subjectKeyIdentifier' || eContentType !== OID.data ? 3 : 1),
    digestAlgorithms: new DigestAlgorithmIdentifiers([digestAlgorithm]),
    encapContentInfo: new EncapsulatedContentInfo({
      eContentType,
      ...(options.detached === true ? {} : { eContent: new EncapsulatedContent({ single: new OctetString(options.content) }) }),
    }),
    ...(options.embed === undefined
      ? {}
      : { certificates: new CertificateSet(options.embed.map((c) => new CertificateChoices({ certificate: AsnParser.parse(c, Certificate) }))) }),
    signerInfos: new SignerInfos(Array.from({ length: options.signerCount ?? 1 }, () => signerInfo)),
  });
  const contentInfo = new ContentInfo({ contentType: OID.signedData, content: AsnSerializer.serialize(signedData) });
  return new Uint8Array(AsnSerializer.serialize(contentInfo));
}
