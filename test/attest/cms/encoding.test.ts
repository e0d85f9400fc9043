import { describe, expect, it } from 'vitest';
import { decodeBase64, decodePem, decodePemCertificates } from '../../../src/attest/cms/index.js';
import { decodeOid } from '../../../src/attest/cms/tlv.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('decodeBase64', () => {
  it.each([
    ['aGVsbG8=', 'hello'],
    ['aGVs\nbG8=\n', 'hello'],
    [' aGVs\r\n\tbG8= ', 'hello'],
    ['aGVsbG8h', 'hello!'],
  ])('decodes %j', (text, expected) => {
    expect(decodeBase64(text)).toEqual(bytes(expected));
  });

  it.each([
    ['', 'empty'],
    ['   \n', 'only whitespace'],
    ['aGVsbG8', 'missing padding'],
    ['aGVsbG8==', 'too much padding'],
    ['aGV=bG8=', 'padding inside'],
    ['aGVs_G8=', 'URL-safe alphabet'],
    ['aGVs-G8=', 'URL-safe alphabet'],
    ['aGVsbG8=!', 'a stray character'],
    ['====', 'only padding'],
    ['-----BEGIN PKCS7-----', 'armour'],
  ])('refuses %j (%s)', (text) => {
    expect(decodeBase64(text)).toBeUndefined();
  });
});

describe('decodePem', () => {
  it.each([
    ['-----BEGIN PKCS7-----\naGVsbG8=\n-----END PKCS7-----', 'PKCS7'],
    ['-----BEGIN CMS-----\r\naGVs\r\nbG8=\r\n-----END CMS-----\r\n', 'CMS'],
    ['\n  -----BEGIN PKCS7-----\naGVsbG8=\n-----END PKCS7-----\n\n', 'PKCS7'],
  ])('decodes one block %#', (text, label) => {
    expect(decodePem(text, ['PKCS7', 'CMS'])).toEqual({ label, der: bytes('hello') });
  });

  it.each([
    ['-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----', 'a label not asked for'],
    ['-----BEGIN PKCS7-----\naGVsbG8=\n-----END CMS-----', 'mismatched END label'],
    ['junk\n-----BEGIN PKCS7-----\naGVsbG8=\n-----END PKCS7-----', 'text before'],
    ['-----BEGIN PKCS7-----\naGVsbG8=\n-----END PKCS7-----\njunk', 'text after'],
    ['-----BEGIN PKCS7-----\nProc-Type: 4,ENCRYPTED\n\naGVsbG8=\n-----END PKCS7-----', 'headers'],
    ['-----BEGIN PKCS7-----\naGVsbG8\n-----END PKCS7-----', 'bad base64'],
    ['-----BEGIN PKCS7-----\naGVsbG8=\n-----END PKCS7-----\n-----BEGIN PKCS7-----\naGVsbG8=\n-----END PKCS7-----', 'two blocks'],
  ])('refuses %#: %s', (text) => {
    expect(decodePem(text, ['PKCS7', 'CMS'])).toBeUndefined();
  });

  it('reads every certificate of a bundle, and nothing else', () => {
    const block = '-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n';
    expect(decodePemCertificates(block + block)).toEqual([bytes('hello'), bytes('hello')]);
    expect(decodePemCertificates(`junk\n${block}`)).toBeUndefined();
    expect(decodePemCertificates('no pem here')).toBeUndefined();
  });
});

describe('decodeOid', () => {
  it.each([
    ['2a864886f70d010702', '1.2.840.113549.1.7.2'],
    ['608648016503040201', '2.16.840.1.101.3.4.2.1'],
    ['2b0e03021a', '1.3.14.3.2.26'],
    ['8837', '2.999'],
    ['00', '0.0'],
  ])('%s → %s', (h, oid) => {
    expect(decodeOid(new Uint8Array(Buffer.from(h, 'hex')))).toBe(oid);
  });

  it.each([['', 'empty'], ['2a86', 'ends inside an arc'], ['2a8001', 'non-minimal arc'], ['80', 'non-minimal first arc']])('refuses %j (%s)', (h) => {
    expect(decodeOid(new Uint8Array(Buffer.from(h, 'hex')))).toBeUndefined();
  });
});
