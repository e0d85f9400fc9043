import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64Utf8 } from '../../src/render/ca.js';
import { parseApiServer } from '../../src/render/api-server.js';

const nodeBase64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('base64Utf8', () => {
  it.each([
    ['', ''],
    ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo='],
    ['\x7f', 'fw=='],
    ['é', 'w6k='],
    ['\x80', 'woA='],
    ['😀', '8J+YgA=='],
  ])('encodes %j as %j', (text, expected) => {
    expect(base64Utf8(text)).toBe(expected);
  });

  it('is base64 of the UTF-8 bytes for any text, ASCII or not (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary-ascii' }), fc.string({ unit: 'grapheme' })), (text) => {
        expect(base64Utf8(text)).toBe(nodeBase64(text));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseApiServer, asked again', () => {
  it('answers a repeated address the same, and a refused one with the same error every time', () => {
    const first = parseApiServer('https://10.0.0.1:6443');
    expect(parseApiServer('https://10.0.0.1:6443')).toEqual({ url: 'https://10.0.0.1:6443', endpoint: '10.0.0.1:6443' });
    expect(parseApiServer('https://kube.example:443')).toEqual({ url: 'https://kube.example', endpoint: 'kube.example:443' });
    expect(parseApiServer('https://10.0.0.1:6443')).toEqual(first);
    for (let i = 0; i < 2; i++) {
      expect(() => parseApiServer('http://10.0.0.1:6443')).toThrowError(expect.objectContaining({ code: 'invalid_api_server' }));
    }
    expect(Object.isFrozen(first)).toBe(true);
  });
});
