/**
 * PKCS#10 parsing with the semantics of Go's crypto/x509 as the API server and controllers use it
 * (pkg/apis/certificates/helpers.go `ParseCSR`): the first PEM block must be `CERTIFICATE REQUEST`;
 * Subject.CommonName is the last CN; Subject.Organization all O values in order; SANs split into
 * DNS, email, IP and URI (other name forms are ignored, as Go ignores them).
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { SubjectAlternativeName, id_ce_subjectAltName } from '@peculiar/asn1-x509';
import { Pkcs10CertificateRequest } from '@peculiar/x509';
import { createPublicKey, verify } from 'node:crypto';
import { splitSigned } from './der.js';

export interface ParsedCsr {
  readonly der: Uint8Array;
  readonly request: Pkcs10CertificateRequest;
  readonly commonName: string;
  readonly organization: readonly string[];
  readonly dnsNames: readonly string[];
  readonly emailAddresses: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly uris: readonly string[];
}

export type CsrParseResult = { ok: true; csr: ParsedCsr } | { ok: false; error: string };

interface PemBlock {
  type: string;
  headers: boolean;
  der: Uint8Array;
}

/** encoding/pem Decode: the first well-formed block in the input, or undefined. */
export function decodeFirstPem(text: string): { block: PemBlock; rest: string } | undefined {
  const re = /-----BEGIN ([^-\r\n]*)-----\r?\n([\s\S]*?)-----END \1-----/;
  const m = re.exec(text);
  if (!m) return undefined;
  const body = m[2]!;
  const headers = /^[^\r\n]*:/.test(body);
  const b64 = body.replace(/^[^\r\n]*:[^\r\n]*\r?\n/gm, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return undefined;
  return {
    block: { type: m[1]!, headers, der: new Uint8Array(Buffer.from(b64, 'base64')) },
    rest: text.slice(m.index + m[0].length),
  };
}

export function decodeAllPem(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  let rest = text;
  for (;;) {
    const r = decodeFirstPem(rest);
    if (!r) return out;
    out.push(r.block);
    rest = r.rest;
  }
}

function ipToString(raw: string | ArrayBuffer | undefined): string {
  if (raw === undefined) return '';
  if (typeof raw === 'string') return raw;
  const b = new Uint8Array(raw);
  if (b.length === 4) return [...b].join('.');
  const parts: string[] = [];
  for (let i = 0; i < b.length; i += 2) parts.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return parts.join(':');
}

export function parseCsrPem(pemText: string): CsrParseResult {
  const decoded = decodeFirstPem(pemText);
  if (!decoded || decoded.block.type !== 'CERTIFICATE REQUEST') {
    return { ok: false, error: 'PEM block type must be CERTIFICATE REQUEST' };
  }
  let request: Pkcs10CertificateRequest;
  try {
    const der = decoded.block.der;
    request = new Pkcs10CertificateRequest(der.slice().buffer as ArrayBuffer);
    void request.subject;
    void request.publicKey;
  } catch (e) {
    return { ok: false, error: `x509: malformed certificate request: ${(e as Error).message}` };
  }
  const cns = request.subjectName.getField('CN');
  const dnsNames: string[] = [];
  const emailAddresses: string[] = [];
  const ipAddresses: string[] = [];
  const uris: string[] = [];
  try {
    for (const ext of request.extensions) {
      if (ext.type !== id_ce_subjectAltName) continue;
      const san = AsnConvert.parse(ext.value, SubjectAlternativeName);
      for (const n of san) {
        if (n.dNSName !== undefined) dnsNames.push(n.dNSName);
        else if (n.rfc822Name !== undefined) emailAddresses.push(n.rfc822Name);
        else if (n.iPAddress !== undefined) ipAddresses.push(ipToString(n.iPAddress as unknown as string | ArrayBuffer));
        else if (n.uniformResourceIdentifier !== undefined) uris.push(n.uniformResourceIdentifier);
      }
    }
  } catch (e) {
    return { ok: false, error: `x509: cannot parse subject alternative names: ${(e as Error).message}` };
  }
  return {
    ok: true,
    csr: {
      der: decoded.block.der,
      request,
      commonName: cns.length > 0 ? cns[cns.length - 1]! : '',
      organization: request.subjectName.getField('O'),
      dnsNames,
      emailAddresses,
      ipAddresses,
      uris,
    },
  };
}

const SIGNATURE_ALGORITHMS: Readonly<Record<string, { hash: string | null; name: string }>> = {
  '1.2.840.113549.1.1.5': { hash: 'sha1', name: 'SHA1-RSA' },
  '1.2.840.113549.1.1.11': { hash: 'sha256', name: 'SHA256-RSA' },
  '1.2.840.113549.1.1.12': { hash: 'sha384', name: 'SHA384-RSA' },
  '1.2.840.113549.1.1.13': { hash: 'sha512', name: 'SHA512-RSA' },
  '1.2.840.10045.4.1': { hash: 'sha1', name: 'ECDSA-SHA1' },
  '1.2.840.10045.4.3.2': { hash: 'sha256', name: 'ECDSA-SHA256' },
  '1.2.840.10045.4.3.3': { hash: 'sha384', name: 'ECDSA-SHA384' },
  '1.2.840.10045.4.3.4': { hash: 'sha512', name: 'ECDSA-SHA512' },
  '1.3.101.112': { hash: null, name: 'Ed25519' },
};

/**
 * CertificateRequest.CheckSignature, synchronously with node:crypto: the self-signature over the
 * CertificationRequestInfo bytes must verify with the request's own public key.
 */
export function checkCsrSignature(csr: ParsedCsr): string | undefined {
  try {
    const { tbs, algorithmOid, signature } = splitSigned(csr.der);
    const alg = SIGNATURE_ALGORITHMS[algorithmOid];
    if (!alg) return 'x509: cannot verify signature: algorithm unimplemented';
    const key = createPublicKey({ key: Buffer.from(csr.request.publicKey.rawData), format: 'der', type: 'spki' });
    const ok = verify(alg.hash, tbs, key, signature);
    if (ok) return undefined;
    return alg.name.startsWith('ECDSA') ? 'x509: ECDSA verification failure' : alg.name === 'Ed25519' ? 'x509: Ed25519 verification failure' : 'crypto/rsa: verification error';
  } catch (e) {
    return `x509: cannot verify signature: ${(e as Error).message}`;
  }
}
