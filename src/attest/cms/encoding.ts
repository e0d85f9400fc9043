/**
 * Text encodings of untrusted binary data: strict base64 and single-block PEM armour.
 * No I/O. Decoders return `undefined` instead of throwing; callers turn that into their own failure.
 */

/** Largest text the decoders look at (the HTTP layer caps bodies at 64 KiB). */
export const MAX_ENCODED_TEXT = 128 * 1024;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const WHITESPACE = /[\t\n\r ]+/g;

/**
 * Standard base64 (RFC 4648 §4) with padding; ASCII whitespace between characters is allowed
 * (IMDS serves the PKCS7 as 76-column lines). URL-safe alphabets and stray characters are refused.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length > MAX_ENCODED_TEXT) return undefined;
  const compact = text.replace(WHITESPACE, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64.test(compact)) return undefined;
  const binary = atob(compact);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

const PEM_BLOCK = /^-----BEGIN ([A-Z0-9 #]{1,40})-----\r?\n([A-Za-z0-9+/=\t\r\n ]*?)\r?\n?-----END \1-----$/;

/**
 * Exactly one RFC 7468 PEM block, nothing around it but whitespace, no headers; `labels` lists
 * the accepted labels (e.g. `PKCS7` and `CMS`, which `openssl cms -outform PEM` writes).
 */
export function decodePem(text: string, labels: readonly string[]): PemBlock | undefined {
  if (text.length > MAX_ENCODED_TEXT) return undefined;
  const match = PEM_BLOCK.exec(text.trim());
  if (match === null) return undefined;
  const label = match[1] as string;
  if (!labels.includes(label)) return undefined;
  const der = decodeBase64(match[2] as string);
  return der === undefined ? undefined : { label, der };
}

/** All `CERTIFICATE` blocks of a PEM bundle, in order; `undefined` if any block is broken or none is present. */
export function decodePemCertificates(text: string): Uint8Array[] | undefined {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  if (blocks === null) return undefined;
  const outside = text.replace(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g, '').trim();
  if (outside !== '') return undefined;
  const ders: Uint8Array[] = [];
  for (const block of blocks) {
    const decoded = decodePem(block, ['CERTIFICATE']);
    if (decoded === undefined) return undefined;
    ders.push(decoded.der);
  }
  return ders;
}

export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const b of bytes) hex += (b < 16 ? '0' : '') + b.toString(16);
  return hex;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
