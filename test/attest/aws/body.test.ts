import { describe, expect, it } from 'vitest';
import { AWS_MAX_BODY_BYTES, createAwsTrustStore, parseAwsJoinBody, verifyAwsIdentityDocument } from '../../../src/attest/aws/index.js';
import { armour, derOf, fixtureText } from './fixtures.js';

const PKCS7 = fixtureText('teleport-2021-us-west-2.rsa2048');
const DER = derOf('teleport-2021-us-west-2.rsa2048');
const DOCUMENT = fixtureText('teleport-2021-us-west-2.document.json');
const SIGNATURE = fixtureText('coder-2022-us-east-1.signature');
const encode = (s: string) => new TextEncoder().encode(s);

describe('parseAwsJoinBody: accepted forms', () => {
  it.each([
    ['(a) base64 lines as IMDS serves them', PKCS7],
    ['(a) the same, with CRLF line ends', PKCS7.replace(/\n/g, '\r\n')],
    ['(a) the same, as one line with a trailing newline', `${PKCS7.replace(/\s+/g, '')}\n`],
    ['(a) PKCS7 armour', armour(PKCS7)],
    ['(a) CMS armour (openssl cms -outform PEM)', armour(PKCS7, 'CMS')],
    ['(d) JSON {rsa2048}', JSON.stringify({ rsa2048: PKCS7 })],
    ['(c) JSON {pkcs7} with armour', JSON.stringify({ pkcs7: armour(PKCS7) })],
  ])('%s → pkcs7 evidence', (_name, body) => {
    expect(parseAwsJoinBody(body)).toEqual({ ok: true, evidence: { kind: 'pkcs7', pkcs7: DER } });
  });

  it('(c) JSON {document, pkcs7} keeps the document bytes exactly', () => {
    expect(parseAwsJoinBody(JSON.stringify({ document: DOCUMENT, pkcs7: PKCS7 }))).toEqual({
      ok: true,
      evidence: { kind: 'pkcs7', pkcs7: DER, document: encode(DOCUMENT) },
    });
  });

  it('(b) JSON {document, signature}', () => {
    const result = parseAwsJoinBody(encode(JSON.stringify({ document: DOCUMENT, signature: SIGNATURE })));
    expect(result).toEqual({
      ok: true,
      evidence: { kind: 'signature', document: encode(DOCUMENT), signature: new Uint8Array(Buffer.from(SIGNATURE.replace(/\s+/g, ''), 'base64')) },
    });
  });
});

describe('parseAwsJoinBody: malformed bodies', () => {
  it.each<[string, string | Uint8Array, string]>([
    ['an empty body', '', 'empty body'],
    ['an empty byte body', new Uint8Array(0), 'empty body'],
    ['whitespace only', ' \n\t ', 'empty body'],
    ['garbage', 'this is not a document', 'body is neither JSON nor a base64 or PEM PKCS7'],
    ['base64 with a stray character', `${PKCS7.slice(0, 40)}*${PKCS7.slice(41)}`, 'body is neither JSON nor a base64 or PEM PKCS7'],
    ['base64 missing its padding', PKCS7.trim().replace(/=+$/, ''), 'body is neither JSON nor a base64 or PEM PKCS7'],
    ['URL-safe base64', PKCS7.replace(/\+/g, '-').replace(/\//g, '_'), 'body is neither JSON nor a base64 or PEM PKCS7'],
    ['armour with another label', armour(PKCS7, 'CERTIFICATE'), 'body is neither JSON nor a base64 or PEM PKCS7'],
    ['invalid UTF-8', new Uint8Array([0xff, 0xfe, 0x41]), 'body is not UTF-8 text'],
    ['broken JSON', '{"document": ', 'body is not valid JSON'],
    ['a JSON array', '[]', 'body is neither JSON nor a base64 or PEM PKCS7'],
    ['an empty JSON object', '{}', 'JSON body needs exactly one of "signature", "pkcs7", "rsa2048"'],
    ['JSON with only a document', JSON.stringify({ document: DOCUMENT }), 'JSON body needs exactly one of "signature", "pkcs7", "rsa2048"'],
    ['JSON with two proofs', JSON.stringify({ document: DOCUMENT, signature: SIGNATURE, pkcs7: PKCS7 }), 'JSON body needs exactly one of "signature", "pkcs7", "rsa2048"'],
    ['JSON with a signature but no document', JSON.stringify({ signature: SIGNATURE }), '"signature" needs "document"'],
    ['JSON with an unknown member', JSON.stringify({ document: DOCUMENT, pkcs7: PKCS7, nodeName: 'x' }), 'unexpected JSON member "nodeName"'],
    ['JSON with a non-string member', JSON.stringify({ document: { accountId: '1' }, pkcs7: PKCS7 }), 'JSON member "document" is not a string'],
    ['JSON with a bad pkcs7', JSON.stringify({ pkcs7: 'not base64!' }), '"pkcs7" is not a base64 or PEM PKCS7'],
    ['JSON with a bad rsa2048', JSON.stringify({ rsa2048: '' }), '"rsa2048" is not a base64 or PEM PKCS7'],
    ['JSON with a bad signature', JSON.stringify({ document: DOCUMENT, signature: 'zz' }), '"signature" is not base64 of an RSA signature'],
    ['JSON with an oversized signature', JSON.stringify({ document: DOCUMENT, signature: Buffer.alloc(513).toString('base64') }), '"signature" is not base64 of an RSA signature'],
    ['a body over the limit', 'A'.repeat(AWS_MAX_BODY_BYTES + 1), `body longer than ${AWS_MAX_BODY_BYTES} characters`],
    ['a byte body over the limit', new Uint8Array(AWS_MAX_BODY_BYTES + 1), `body larger than ${AWS_MAX_BODY_BYTES} bytes`],
  ])('%s', (_name, body, detail) => {
    expect(parseAwsJoinBody(body)).toEqual({ ok: false, error: { reason: 'malformed_document', detail } });
  });
});

describe('verifyAwsIdentityDocument on broken PKCS7 → malformed_document, never a throw', () => {
  const trust = createAwsTrustStore();
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
  const hugeLength = new Uint8Array([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02, 0x01, 0x00]);
  const nested = new Uint8Array(Array.from({ length: 20_000 }, (_, i) => (i % 2 === 0 ? 0x30 : 0x80)));

  it.each<[string, () => string | Uint8Array]>([
    ['a truncated PKCS7 (first half)', () => b64(DER.subarray(0, DER.length >> 1))],
    ['a truncated PKCS7 (missing only the end-of-contents octets)', () => b64(DER.subarray(0, DER.length - 2))],
    ['a PKCS7 with trailing bytes', () => b64(new Uint8Array([...DER, 0]))],
    ['random bytes as base64', () => b64(new Uint8Array(Array.from({ length: 300 }, (_, i) => (i * 7919) % 256)))],
    ['random bytes as the body', () => new Uint8Array(Array.from({ length: 300 }, (_, i) => (i * 7919) % 256))],
    ['a deeply nested ASN.1 blob', () => b64(nested)],
    ['a huge declared ASN.1 length', () => b64(hugeLength)],
    ['a certificate instead of a PKCS7', () => fixtureText('certs/rsa2048/us-west-2.pem').replace(/-----[A-Z ]+-----/g, '')],
    ['an INTEGER', () => b64(new Uint8Array([0x02, 0x01, 0x01]))],
  ])('%s', async (_name, body) => {
    const result = await verifyAwsIdentityDocument(body(), trust, new Date());
    expect(result).toMatchObject({ ok: false, error: { reason: 'malformed_document' } });
  });
});
