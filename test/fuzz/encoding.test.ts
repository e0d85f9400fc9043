/**
 * base64 and PEM decoding of untrusted text (src/attest/cms/encoding.ts, reached by the AWS body
 * parser): never throws, agrees with an independent reference on every input, and round-trips
 * whatever IMDS or `openssl cms -outform PEM` could have written.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePkcs7Text } from '../../src/attest/aws/body.js';
import { decodeBase64, decodePem, decodePemCertificates } from '../../src/attest/cms/index.js';
import { fuzzRuns } from './settings.js';

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const WHITESPACE = [' ', '\n', '\r\n', '\t', '\r'];

/**
 * The reference, written without regular expressions: strip ASCII whitespace; then every
 * character must be in the standard alphabet, '=' only as the last one or two, length a
 * multiple of four. Node's Buffer then decodes (it is lenient, so it only runs on valid text).
 */
function referenceBase64(text: string): Uint8Array | undefined {
  if (text.length > 128 * 1024) return undefined;
  let compact = '';
  for (const c of text) if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') compact += c;
  if (compact.length === 0 || compact.length % 4 !== 0) return undefined;
  let padding = 0;
  while (padding < compact.length && compact[compact.length - 1 - padding] === '=') padding++;
  if (padding > 2 || padding === compact.length) return undefined;
  for (let i = 0; i < compact.length - padding; i++) if (!BASE64_ALPHABET.includes(compact[i]!)) return undefined;
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

/** Text near the base64 language: its alphabet, padding, whitespace, URL-safe and stray characters. */
const base64ish = fc.oneof(
  fc.string({ unit: fc.constantFrom(...BASE64_ALPHABET.split(''), '=', ' ', '\n', '-', '_', '.', '\u00a0', '\u2028', 'é'), maxLength: 200 }),
  fc.string({ unit: fc.constantFrom(...BASE64_ALPHABET.split('')), maxLength: 200 }).map((s) => s + '='.repeat((4 - (s.length % 4)) % 4)),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
);

/** Valid base64 of `bytes` with whitespace sprinkled between characters, as IMDS and PEM lines do. */
const spacedBase64 = fc
  .record({ bytes: fc.uint8Array({ maxLength: 600 }), breaks: fc.array(fc.record({ at: fc.nat(), ws: fc.constantFrom(...WHITESPACE) }), { maxLength: 20 }) })
  .filter(({ bytes }) => bytes.length > 0)
  .map(({ bytes, breaks }) => {
    let text = Buffer.from(bytes).toString('base64');
    for (const { at, ws } of breaks) {
      const i = at % (text.length + 1);
      text = text.slice(0, i) + ws + text.slice(i);
    }
    return { bytes, text };
  });

const LABELS = ['PKCS7', 'CMS', 'CERTIFICATE', 'PKCS #7 SIGNED DATA', 'X509 CRL', 'pkcs7'];
const armour = fc
  .record({
    bytes: fc.uint8Array({ minLength: 1, maxLength: 600 }),
    label: fc.constantFrom(...LABELS),
    endLabel: fc.option(fc.constantFrom(...LABELS), { nil: undefined, freq: 4 }),
    width: fc.integer({ min: 1, max: 100 }),
    newline: fc.constantFrom('\n', '\r\n'),
    before: fc.constantFrom('', '\n', '  \n', '\t'),
    after: fc.constantFrom('', '\n', '\n\n', ' '),
  })
  .map((p) => {
    const lines = Buffer.from(p.bytes).toString('base64').match(new RegExp(`.{1,${p.width}}`, 'g')) ?? [];
    const end = p.endLabel ?? p.label;
    return { ...p, end, text: `${p.before}-----BEGIN ${p.label}-----${p.newline}${lines.join(p.newline)}${p.newline}-----END ${end}-----${p.after}` };
  });

/** Character-level edits of valid armour: what a truncated or tampered paste looks like. */
const editedArmour = armour.chain(({ text }) =>
  fc
    .array(fc.record({ at: fc.nat(), remove: fc.nat({ max: 3 }), insert: fc.string({ unit: fc.constantFrom('-', '=', 'A', '\n', ' ', 'B', 'E', 'G', 'I', 'N', '#', '\u0000'), maxLength: 4 }) }), { minLength: 1, maxLength: 4 })
    .map((edits) => edits.reduce((t, { at, remove, insert }) => {
      const i = at % (t.length + 1);
      return t.slice(0, i) + insert + t.slice(i + remove);
    }, text)),
);

describe('base64 and PEM decoding under fuzzing', () => {
  it(`decodeBase64 agrees with the reference decoder on any text (${fuzzRuns()} runs)`, () => {
    fc.assert(
      fc.property(base64ish, (text) => {
        expect(decodeBase64(text)).toEqual(referenceBase64(text));
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it(`decodeBase64 round-trips any bytes, whitespace anywhere (${fuzzRuns()} runs)`, () => {
    fc.assert(
      fc.property(spacedBase64, ({ bytes, text }) => {
        expect(decodeBase64(text)).toEqual(bytes);
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it(`decodePem reads one well-formed block, and only with an accepted, matching label (${fuzzRuns()} runs)`, () => {
    fc.assert(
      fc.property(armour, ({ bytes, label, end, text }) => {
        const accepted = ['PKCS7', 'CMS'];
        const block = decodePem(text, accepted);
        if (accepted.includes(label) && end === label) expect(block).toEqual({ label, der: bytes });
        else expect(block).toBeUndefined();
        expect(decodePkcs7Text(text)).toEqual(block?.der);
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it(`edited armour and arbitrary text never throw; what decodes is the reference decoding of the block's body (${fuzzRuns()} runs)`, () => {
    fc.assert(
      fc.property(fc.oneof(editedArmour, base64ish, fc.string({ unit: 'binary', maxLength: 300 })), (text) => {
        const block = decodePem(text, ['PKCS7', 'CMS', 'CERTIFICATE']);
        if (block !== undefined) {
          // The body: after the BEGIN line, up to the END marker (which may follow the last characters directly).
          const trimmed = text.trim();
          const body = trimmed.slice(trimmed.indexOf('\n') + 1, trimmed.lastIndexOf('-----END '));
          expect(block.der).toEqual(referenceBase64(body));
        }
        const certificates = decodePemCertificates(text);
        if (certificates !== undefined) expect(certificates.length).toBe(text.split('-----BEGIN CERTIFICATE-----').length - 1);
        expect(decodePkcs7Text(text) === undefined || decodePkcs7Text(text) instanceof Uint8Array).toBe(true);
      }),
      { numRuns: fuzzRuns() },
    );
  });
});
