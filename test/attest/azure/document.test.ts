/**
 * The body IMDS serves and the signed content, read strictly: exact codes for every way they can
 * be wrong, exact values when right.
 */
import { describe, expect, it } from 'vitest';
import { parseAzureBody, parseAzureContent, parseAzureTimestamp } from '../../../src/attest/azure/index.js';
import { fixtureBytes, signatureOf } from './fixtures.js';

const encode = (text: string) => new TextEncoder().encode(text);

describe('parseAzureTimestamp', () => {
  it.each([
    ['04/22/24 17:32:45 -0000', '2024-04-22T17:32:45.000Z'],
    ['11/20/18 22:07:39 -0000', '2018-11-20T22:07:39.000Z'],
    ['12/31/99 23:59:59 +0000', '2099-12-31T23:59:59.000Z'],
    ['02/29/24 00:00:00 -0000', '2024-02-29T00:00:00.000Z'],
    ['01/01/25 02:00:00 +0200', '2025-01-01T00:00:00.000Z'],
    ['01/01/25 00:00:00 -0130', '2025-01-01T01:30:00.000Z'],
  ])('%s is %s', (text, iso) => {
    expect(parseAzureTimestamp(text)?.toISOString()).toBe(iso);
  });

  it.each([
    ['ISO 8601', '2024-04-22T17:32:45Z'],
    ['four-digit year', '04/22/2024 17:32:45 -0000'],
    ['no offset', '04/22/24 17:32:45'],
    ['month 13', '13/01/24 00:00:00 -0000'],
    ['month 0', '00/01/24 00:00:00 -0000'],
    ['day 0', '01/00/24 00:00:00 -0000'],
    ['31 April', '04/31/24 00:00:00 -0000'],
    ['29 February 2023', '02/29/23 00:00:00 -0000'],
    ['hour 24', '04/22/24 24:00:00 -0000'],
    ['second 60', '04/22/24 23:59:60 -0000'],
    ['offset hours 15', '04/22/24 10:00:00 +1500'],
    ['offset minutes 60', '04/22/24 10:00:00 +0060'],
    ['leading space', ' 04/22/24 17:32:45 -0000'],
    ['trailing newline', '04/22/24 17:32:45 -0000\n'],
    ['not a string', 1713807165],
  ])('refuses %s', (_, text) => {
    expect(parseAzureTimestamp(text)).toBeUndefined();
  });
});

describe('parseAzureBody', () => {
  const signature = signatureOf('coder-2024-eastus');

  it('takes the PKCS7 from the body exactly as IMDS serves it, as text or bytes', () => {
    const body = JSON.stringify({ encoding: 'pkcs7', signature });
    for (const input of [body, encode(body), encode(`${body}\n`)]) {
      const parsed = parseAzureBody(input);
      expect(parsed.ok && Buffer.from(parsed.pkcs7).toString('base64')).toBe(signature);
    }
  });

  it.each([
    ['empty', ''],
    ['not JSON', 'MIIL…'],
    ['the bare base64 signature', signature],
    ['a JSON array', JSON.stringify([{ encoding: 'pkcs7', signature }])],
    ['a JSON string', JSON.stringify(signature)],
    ['null', 'null'],
    ['no encoding', JSON.stringify({ signature })],
    ['no signature', JSON.stringify({ encoding: 'pkcs7' })],
    ['another encoding', JSON.stringify({ encoding: 'PKCS7', signature })],
    ['an extra member', JSON.stringify({ encoding: 'pkcs7', signature, document: '{}' })],
    ['a __proto__ member', `{"encoding":"pkcs7","signature":"${signature}","__proto__":{}}`],
    ['signature not a string', JSON.stringify({ encoding: 'pkcs7', signature: [signature] })],
    ['signature not base64', JSON.stringify({ encoding: 'pkcs7', signature: signature.replace(/\+/g, '-') })],
    ['signature with PEM armour', JSON.stringify({ encoding: 'pkcs7', signature: `-----BEGIN PKCS7-----\n${signature}\n-----END PKCS7-----` })],
    ['over 16 KiB', JSON.stringify({ encoding: 'pkcs7', signature: 'A'.repeat(16 * 1024) })],
  ])('refuses %s as malformed_document', (_, body) => {
    const parsed = parseAzureBody(body);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.reason).toBe('malformed_document');
  });

  it('refuses bytes that are not UTF-8', () => {
    const parsed = parseAzureBody(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
    expect(!parsed.ok && parsed.error).toEqual({ reason: 'malformed_document', detail: 'body is not UTF-8' });
  });
});

describe('parseAzureContent', () => {
  const real = JSON.parse(Buffer.from(fixtureBytes('coder-2024-eastus.attested-content.json')).toString('utf8')) as Record<string, unknown>;
  const withFields = (changes: Record<string, unknown>) => encode(JSON.stringify({ ...real, ...changes }));

  it('reads the real signed content', () => {
    const parsed = parseAzureContent(fixtureBytes('coder-2024-eastus.attested-content.json'));
    expect(parsed.ok && parsed.content).toEqual({
      nonce: '20240422-233245',
      subscriptionId: '05e8b285-4ce1-46a3-b4c9-f51ba67d6acc',
      vmId: '960a4b4a-dab2-44ef-9b73-7753043b4f16',
      createdOn: new Date('2024-04-22T17:32:45Z'),
      expiresOn: new Date('2024-04-22T23:32:45Z'),
      sku: '20_04-lts-gen2',
      licenseType: '',
      plan: { name: '', product: '', publisher: '' },
    });
  });

  it('lower-cases the GUIDs and ignores fields it does not know', () => {
    const parsed = parseAzureContent(withFields({ vmId: '960A4B4A-DAB2-44EF-9B73-7753043B4F16', subscriptionId: '05E8B285-4CE1-46A3-B4C9-F51BA67D6ACC', extra: { any: 1 } }));
    expect(parsed.ok && [parsed.content.vmId, parsed.content.subscriptionId]).toEqual(['960a4b4a-dab2-44ef-9b73-7753043b4f16', '05e8b285-4ce1-46a3-b4c9-f51ba67d6acc']);
  });

  it('needs neither sku, licenseType nor plan', () => {
    const { sku: _s, licenseType: _l, plan: _p, ...minimal } = real;
    const parsed = parseAzureContent(encode(JSON.stringify(minimal)));
    expect(parsed.ok && Object.keys(parsed.content).sort()).toEqual(['createdOn', 'expiresOn', 'nonce', 'subscriptionId', 'vmId']);
  });

  it.each([
    ['not JSON', encode('{"vmId":')],
    ['not UTF-8', new Uint8Array([0x7b, 0xc3, 0x28, 0x7d])],
    ['an array', encode('[]')],
    ['no nonce', withFields({ nonce: undefined })],
    ['an empty nonce', withFields({ nonce: '' })],
    ['a nonce with a space', withFields({ nonce: '1234 5678' })],
    ['a numeric nonce', withFields({ nonce: 1234567890 })],
    ['no vmId', withFields({ vmId: undefined })],
    ['vmId not a GUID', withFields({ vmId: '960a4b4a-dab2-44ef-9b73-7753043b4f1' })],
    ['subscriptionId not a GUID', withFields({ subscriptionId: '/subscriptions/05e8b285-4ce1-46a3-b4c9-f51ba67d6acc' })],
    ['no timeStamp', withFields({ timeStamp: undefined })],
    ['timeStamp a string', withFields({ timeStamp: '04/22/24 17:32:45 -0000' })],
    ['createdOn malformed', withFields({ timeStamp: { createdOn: '2024-04-22T17:32:45Z', expiresOn: '04/22/24 23:32:45 -0000' } })],
    ['expiresOn missing', withFields({ timeStamp: { createdOn: '04/22/24 17:32:45 -0000' } })],
    ['expiresOn before createdOn', withFields({ timeStamp: { createdOn: '04/22/24 17:32:45 -0000', expiresOn: '04/22/24 17:32:44 -0000' } })],
    ['sku not a string', withFields({ sku: 7 })],
    ['sku with a control character', withFields({ sku: 'a\nb' })],
    ['plan not an object', withFields({ plan: 'x' })],
    ['plan with a number', withFields({ plan: { name: 1, product: '', publisher: '' } })],
    ['over 4 KiB', withFields({ padding: 'x'.repeat(4096) })],
  ])('refuses content with %s as invalid_claims', (_, bytes) => {
    const parsed = parseAzureContent(bytes);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.reason).toBe('invalid_claims');
  });
});
