import { AsnParser } from '@peculiar/asn1-schema';
import { SignedData } from '@peculiar/asn1-cms';
import { describe, expect, it } from 'vitest';
import { checkBerStructure, DEFAULT_BER_LIMITS, parseSignedData } from '../../../src/attest/cms/index.js';

const hex = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const repeat = (h: string, n: number) => h.repeat(n);

/** `depth` nested SEQUENCEs with definite lengths around an INTEGER. */
function nestedDefinite(depth: number): Uint8Array {
  let inner = hex('020101');
  for (let i = 0; i < depth; i++) {
    const len = inner.length;
    const header = len < 0x80 ? [0x30, len] : len < 0x100 ? [0x30, 0x81, len] : [0x30, 0x82, len >> 8, len & 0xff];
    inner = new Uint8Array([...header, ...inner]);
  }
  return inner;
}

describe('checkBerStructure', () => {
  it.each([
    ['an empty SEQUENCE', '3000'],
    ['SEQUENCE { INTEGER 1 }', '3003 020101'],
    ['indefinite SEQUENCE with end-of-contents', '3080 020101 0000'],
    ['constructed OCTET STRING, indefinite, as AWS encodes eContent', '2480 0403616263 0000'],
    ['long-form length', `0481ff${'00'.repeat(255)}`],
    ['high tag number [31]', '9f1f00'],
    ['32 levels of indefinite nesting', repeat('3080', 32) + repeat('0000', 32)],
  ])('accepts %s', (_name, input) => {
    expect(checkBerStructure(hex(input))).toEqual({ ok: true });
  });

  it.each([
    ['empty input', '', 'empty ASN.1 input'],
    ['trailing bytes', '3003020101ff', '1 trailing bytes after the ASN.1 element'],
    ['a length larger than the input', '3004 0201', 'ASN.1 element at offset 0 declares 4 bytes, only 2 available'],
    ['a 4 GiB declared length', '0484ffffffff 00', 'ASN.1 element at offset 0 declares 4294967295 bytes, only 1 available'],
    ['a 5-octet length', '0485ffffffffff', 'ASN.1 length of 5 octets at offset 0'],
    ['a child overrunning its parent', '3003 0402aabb', 'ASN.1 element at offset 2 declares 2 bytes, only 1 available'],
    ['missing end-of-contents (truncated BER)', '3080 020101', 'truncated ASN.1 input'],
    ['indefinite length on a primitive', '0480 0000', 'indefinite length on a primitive element at offset 0'],
    ['end-of-contents inside a definite element', '3002 0000', 'end-of-contents outside an indefinite-length element at offset 2'],
    ['end-of-contents at the top', '0000', 'end-of-contents outside an indefinite-length element at offset 0'],
    ['a bad end-of-contents', '3080 0001 ', 'invalid end-of-contents at offset 2'],
    ['a non-minimal high tag', '9f8001 00', 'non-minimal ASN.1 tag at offset 0'],
    ['a 5-octet tag number', '9f8181818101 00', 'ASN.1 tag number too large at offset 0'],
    ['a truncated tag', '9f81', 'truncated ASN.1 tag'],
    ['a truncated length', '30', 'truncated ASN.1 length'],
    ['33 levels of nesting', repeat('3080', 33) + repeat('0000', 33), 'ASN.1 nesting deeper than 32'],
  ])('rejects %s', (_name, input, detail) => {
    expect(checkBerStructure(hex(input))).toEqual({ ok: false, detail });
  });

  it('rejects oversized input before reading it', () => {
    expect(checkBerStructure(new Uint8Array(DEFAULT_BER_LIMITS.maxBytes + 1))).toEqual({
      ok: false,
      detail: 'ASN.1 input of 65537 bytes exceeds 65536',
    });
  });

  it('rejects too many elements', () => {
    const many = hex('3082' + (3 * 5000).toString(16).padStart(4, '0') + repeat('020100', 5000));
    expect(checkBerStructure(many)).toEqual({ ok: false, detail: 'more than 4096 ASN.1 elements' });
  });

  it('stops a 64 KiB blob of nested indefinite SEQUENCEs at depth 33, without recursing through it', () => {
    // 32,768 levels would overflow a recursive walker's stack; the guard answers at the 33rd.
    const blob = hex(repeat('3080', 32 * 1024));
    expect(checkBerStructure(blob)).toEqual({ ok: false, detail: 'ASN.1 nesting deeper than 32' });
  });

  it.each([
    ['definite', nestedDefinite(2000)],
    ['indefinite', hex(repeat('3080', 10_000) + repeat('0000', 10_000))],
  ])('parseSignedData refuses deep %s nesting as malformed, without throwing', (_name, blob) => {
    expect(parseSignedData(blob)).toEqual({ ok: false, error: { code: 'malformed', detail: 'ASN.1 nesting deeper than 32' } });
  });

  it('documents that asn1js 3.1 alone would also stop deep nesting (maxDepth 100), by throwing', () => {
    // Behind the guard: @peculiar/asn1-schema's parser surfaces asn1js's depth limit as an
    // exception, which parseSignedData would catch; the guard answers first and without throwing.
    expect(() => AsnParser.parse(nestedDefinite(2000), SignedData)).toThrow(/depth/i);
  });
});
