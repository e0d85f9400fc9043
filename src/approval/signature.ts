/**
 * The self-signature of a certificate request (RFC 2986 §3: proof that the requester holds the
 * private key of the public key it asks a certificate for). WebCrypto only (`crypto.subtle`,
 * workerd and Node 20); no I/O, no clock.
 *
 * The API server checks this on create too; the approver checks again because its approval is
 * what turns the request into a certificate, and it must not rest on another component's check.
 *
 * Accepted algorithms, as a table so nothing below switches on strings: RSASSA-PKCS1-v1_5 and
 * ECDSA (P-256, P-384, P-521) with SHA-256/384/512, and Ed25519 — what kubelets, openssl and
 * Go's crypto/x509 produce. SHA-1, MD5, DSA and RSA-PSS are refused.
 */
import type { CertificateRequest } from './csr.js';

type Hash = 'SHA-256' | 'SHA-384' | 'SHA-512';

interface SignatureScheme {
  readonly family: 'rsa-pkcs1' | 'ecdsa' | 'ed25519';
  readonly hash?: Hash;
  /** The public key algorithm the scheme requires (SubjectPublicKeyInfo OID). */
  readonly keyAlgorithm: string;
  /** Parameters must be NULL (RSA, RFC 4055 §5) or absent (ECDSA RFC 5758 §3.2, Ed25519 RFC 8410 §3). */
  readonly parameters: 'null' | 'absent';
}

const RSA_KEY = '1.2.840.113549.1.1.1';
const EC_KEY = '1.2.840.10045.2.1';
const ED25519 = '1.3.101.112';

const SCHEMES: Readonly<Record<string, SignatureScheme>> = {
  '1.2.840.113549.1.1.11': { family: 'rsa-pkcs1', hash: 'SHA-256', keyAlgorithm: RSA_KEY, parameters: 'null' },
  '1.2.840.113549.1.1.12': { family: 'rsa-pkcs1', hash: 'SHA-384', keyAlgorithm: RSA_KEY, parameters: 'null' },
  '1.2.840.113549.1.1.13': { family: 'rsa-pkcs1', hash: 'SHA-512', keyAlgorithm: RSA_KEY, parameters: 'null' },
  '1.2.840.10045.4.3.2': { family: 'ecdsa', hash: 'SHA-256', keyAlgorithm: EC_KEY, parameters: 'absent' },
  '1.2.840.10045.4.3.3': { family: 'ecdsa', hash: 'SHA-384', keyAlgorithm: EC_KEY, parameters: 'absent' },
  '1.2.840.10045.4.3.4': { family: 'ecdsa', hash: 'SHA-512', keyAlgorithm: EC_KEY, parameters: 'absent' },
  [ED25519]: { family: 'ed25519', keyAlgorithm: ED25519, parameters: 'absent' },
};

const CURVES: Readonly<Record<string, { name: string; size: number }>> = {
  '1.2.840.10045.3.1.7': { name: 'P-256', size: 32 },
  '1.3.132.0.34': { name: 'P-384', size: 48 },
  '1.3.132.0.35': { name: 'P-521', size: 66 },
};

export type SignatureCheck = { readonly ok: true } | { readonly ok: false; readonly detail: string };

/**
 * ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 3279 §2.2.3) to the fixed-width
 * r || s that WebCrypto verifies. Strict DER: minimal lengths, no negative or oversized integers.
 */
function ecdsaRawSignature(der: Uint8Array, size: number): Uint8Array | undefined {
  if (der.length < 8 || der[0] !== 0x30) return undefined;
  let pos = 2;
  let total = der[1]!;
  if (total === 0x81) {
    total = der[2]!;
    pos = 3;
    if (total < 0x80) return undefined;
  } else if (total > 0x7f) {
    return undefined;
  }
  if (pos + total !== der.length) return undefined;
  const out = new Uint8Array(size * 2);
  for (let half = 0; half < 2; half++) {
    if (der[pos] !== 0x02) return undefined;
    const length = der[pos + 1]!;
    if (length === 0 || length > 0x7f || pos + 2 + length > der.length) return undefined;
    let value = der.subarray(pos + 2, pos + 2 + length);
    if ((value[0]! & 0x80) !== 0) return undefined;
    if (value.length > 1 && value[0] === 0 && (value[1]! & 0x80) === 0) return undefined;
    if (value[0] === 0 && value.length > 1) value = value.subarray(1);
    if (value.length > size) return undefined;
    out.set(value, half * size + size - value.length);
    pos += 2 + length;
  }
  return pos === der.length ? out : undefined;
}

/** Whether `request`'s signature verifies over its CertificationRequestInfo with its own public key. */
export async function verifyRequestSignature(request: CertificateRequest): Promise<SignatureCheck> {
  const scheme = Object.hasOwn(SCHEMES, request.signatureAlgorithm) ? SCHEMES[request.signatureAlgorithm] : undefined;
  if (scheme === undefined) return { ok: false, detail: `signature algorithm ${request.signatureAlgorithm} is not accepted` };
  if (request.publicKeyAlgorithm !== scheme.keyAlgorithm) {
    return { ok: false, detail: `signature algorithm ${request.signatureAlgorithm} does not fit a ${request.publicKeyAlgorithm} key` };
  }
  const parametersOk = scheme.parameters === 'null' ? request.signatureParameters === null || request.signatureParameters === undefined : request.signatureParameters === undefined;
  if (!parametersOk) return { ok: false, detail: 'unexpected signature algorithm parameters' };

  const data = request.info as Uint8Array<ArrayBuffer>;
  const spki = request.spki as Uint8Array<ArrayBuffer>;
  try {
    switch (scheme.family) {
      case 'rsa-pkcs1': {
        const key = await crypto.subtle.importKey('spki', spki, { name: 'RSASSA-PKCS1-v1_5', hash: scheme.hash! }, false, ['verify']);
        const bits = (key.algorithm as { modulusLength?: number }).modulusLength ?? 0;
        if (bits < 2048) return { ok: false, detail: `RSA key of ${bits} bits (at least 2048 required)` };
        const valid = await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, request.signature as Uint8Array<ArrayBuffer>, data);
        return valid ? { ok: true } : { ok: false, detail: 'the self-signature does not verify' };
      }
      case 'ecdsa': {
        const curve = request.publicKeyCurve !== undefined && Object.hasOwn(CURVES, request.publicKeyCurve) ? CURVES[request.publicKeyCurve] : undefined;
        if (curve === undefined) return { ok: false, detail: `EC curve ${request.publicKeyCurve ?? '(none)'} is not accepted` };
        const raw = ecdsaRawSignature(request.signature, curve.size);
        if (raw === undefined) return { ok: false, detail: 'malformed ECDSA signature' };
        const key = await crypto.subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve: curve.name }, false, ['verify']);
        const valid = await crypto.subtle.verify({ name: 'ECDSA', hash: scheme.hash! }, key, raw as Uint8Array<ArrayBuffer>, data);
        return valid ? { ok: true } : { ok: false, detail: 'the self-signature does not verify' };
      }
      case 'ed25519': {
        const key = await crypto.subtle.importKey('spki', spki, { name: 'Ed25519' }, false, ['verify']);
        const valid = await crypto.subtle.verify({ name: 'Ed25519' }, key, request.signature as Uint8Array<ArrayBuffer>, data);
        return valid ? { ok: true } : { ok: false, detail: 'the self-signature does not verify' };
      }
    }
  } catch {
    return { ok: false, detail: 'the public key cannot be imported or the signature cannot be checked' };
  }
}
