/**
 * Parse the untrusted body of `POST /v1/join/aws` into evidence to verify. No I/O, no clock;
 * never throws. Accepted forms:
 *  (a) the `rsa2048` PKCS7 exactly as IMDS serves it (base64 lines, no armour), or wrapped in
 *      `-----BEGIN PKCS7-----` / `-----BEGIN CMS-----` armour (what `openssl cms -outform PEM` writes);
 *  (b) JSON `{ "document": "...", "signature": "..." }`: the base64 RSA PKCS#1 v1.5 SHA-256
 *      signature over the exact document bytes;
 *  (c) JSON `{ "document": "...", "pkcs7": "..." }` (document optional), the PKCS7 as in (a);
 *  (d) JSON `{ "rsa2048": "..." }` (a `document` may accompany it, as in (c)).
 * Any other JSON member, or more than one of signature/pkcs7/rsa2048, is refused: an ambiguous
 * body must not be read one way here and another way by a proxy or a log.
 */
import { decodeBase64, decodePem } from '../cms/index.js';
import type { AttestFailure } from '../identity.js';

/** The HTTP layer's body limit, enforced here again so the parser is safe on its own. */
export const AWS_MAX_BODY_BYTES = 64 * 1024;
/** An RSA signature of up to 4096 bits. */
const MAX_SIGNATURE_BYTES = 512;

export type AwsEvidence =
  | {
      readonly kind: 'pkcs7';
      /** DER (or BER) of the ContentInfo. */
      readonly pkcs7: Uint8Array;
      /** A document supplied next to the PKCS7; it must equal the signed content byte for byte. */
      readonly document?: Uint8Array;
    }
  | {
      readonly kind: 'signature';
      /** The exact bytes the signature covers. */
      readonly document: Uint8Array;
      readonly signature: Uint8Array;
    };

export type AwsBodyResult = { readonly ok: true; readonly evidence: AwsEvidence } | { readonly ok: false; readonly error: AttestFailure };

const JSON_MEMBERS = new Set(['document', 'signature', 'pkcs7', 'rsa2048']);

const malformed = (detail: string): AwsBodyResult => ({ ok: false, error: { reason: 'malformed_document', detail } });

/** base64 PKCS7 as served by IMDS, or one PKCS7/CMS PEM block. */
export function decodePkcs7Text(text: string): Uint8Array | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN ')) return decodePem(trimmed, ['PKCS7', 'CMS'])?.der;
  return decodeBase64(trimmed);
}

export function parseAwsJoinBody(body: Uint8Array | string): AwsBodyResult {
  let text: string;
  if (typeof body === 'string') {
    if (body.length > AWS_MAX_BODY_BYTES) return malformed(`body longer than ${AWS_MAX_BODY_BYTES} characters`);
    text = body;
  } else {
    if (body.length > AWS_MAX_BODY_BYTES) return malformed(`body larger than ${AWS_MAX_BODY_BYTES} bytes`);
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body);
    } catch {
      return malformed('body is not UTF-8 text');
    }
  }
  const trimmed = text.trim();
  if (trimmed === '') return malformed('empty body');
  if (trimmed.startsWith('{')) return parseJsonBody(trimmed);

  const pkcs7 = decodePkcs7Text(trimmed);
  if (pkcs7 === undefined) return malformed('body is neither JSON nor a base64 or PEM PKCS7');
  return { ok: true, evidence: { kind: 'pkcs7', pkcs7 } };
}

function parseJsonBody(text: string): AwsBodyResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return malformed('body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return malformed('JSON body is not an object');
  const members = value as Record<string, unknown>;
  for (const [name, member] of Object.entries(members)) {
    if (!JSON_MEMBERS.has(name)) return malformed(`unexpected JSON member "${name.slice(0, 40)}"`);
    if (typeof member !== 'string') return malformed(`JSON member "${name}" is not a string`);
  }
  const { document, signature, pkcs7, rsa2048 } = members as Partial<Record<string, string>>;
  const proofs = [signature, pkcs7, rsa2048].filter((p) => p !== undefined);
  if (proofs.length !== 1) return malformed('JSON body needs exactly one of "signature", "pkcs7", "rsa2048"');
  // The document's bytes are its UTF-8 encoding, unchanged: no trimming or normalising, since
  // they must equal what AWS signed.
  const documentBytes = document === undefined ? undefined : new TextEncoder().encode(document);

  if (signature !== undefined) {
    if (documentBytes === undefined) return malformed('"signature" needs "document"');
    const signatureBytes = decodeBase64(signature);
    if (signatureBytes === undefined || signatureBytes.length > MAX_SIGNATURE_BYTES) return malformed('"signature" is not base64 of an RSA signature');
    return { ok: true, evidence: { kind: 'signature', document: documentBytes, signature: signatureBytes } };
  }
  const der = decodePkcs7Text((pkcs7 ?? rsa2048) as string);
  if (der === undefined) return malformed(`"${pkcs7 !== undefined ? 'pkcs7' : 'rsa2048'}" is not a base64 or PEM PKCS7`);
  return { ok: true, evidence: { kind: 'pkcs7', pkcs7: der, ...(documentBytes === undefined ? {} : { document: documentBytes }) } };
}
