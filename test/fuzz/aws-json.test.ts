/**
 * The JSON forms of the AWS join body (`{document, signature}`, `{document?, pkcs7}`,
 * `{document?, rsa2048}`), built from the real vectors' parts, wrong types, unknown and
 * prototype-named members, duplicates, nesting and encodings. Oracle: whatever verifies proves
 * exactly what AWS signed: the genuine signature over the genuine document, or the genuine PKCS7
 * with no document or the signed one byte for byte (document substitution never verifies).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAwsTrustStore, parseAwsJoinBody, verifyAwsIdentityDocument } from '../../src/attest/aws/index.js';
import { mutationsOf } from '../attest/fuzz-properties.js';
import { base64, derOf, fixtureText } from '../attest/aws/fixtures.js';
import { fuzzRuns } from './settings.js';

const NOW = new Date('2021-09-03T21:25:44Z');
const trust = createAwsTrustStore();

const SIGNATURE_FORM = {
  document: fixtureText('coder-2022-us-east-1.document.json'),
  signature: fixtureText('coder-2022-us-east-1.signature').replace(/\s+/g, ''),
};
const PKCS7_FORM = {
  document: fixtureText('teleport-2021-us-west-2.document.json'),
  der: derOf('teleport-2021-us-west-2.rsa2048'),
};
/** The vector's document file is the content the PKCS7 signs: the only `document` that may accompany it. */
const SIGNED_CONTENT = PKCS7_FORM.document;

const textMutations = (text: string): fc.Arbitrary<string> =>
  fc
    .record({ at: fc.nat({ max: text.length }), remove: fc.nat({ max: 2 }), insert: fc.string({ maxLength: 3 }) })
    .map(({ at, remove, insert }) => text.slice(0, at) + insert + text.slice(at + remove))
    .filter((changed) => changed !== text);

const documents = fc.oneof(
  fc.constant(SIGNATURE_FORM.document),
  fc.constant(PKCS7_FORM.document),
  textMutations(SIGNATURE_FORM.document),
  textMutations(PKCS7_FORM.document),
  fc.constant(SIGNATURE_FORM.document.trim()),
  fc.constant(`${PKCS7_FORM.document}\n`),
  fc.json(),
  fc.string({ maxLength: 64 }),
);
const signatures = fc.oneof(
  fc.constant(SIGNATURE_FORM.signature),
  mutationsOf(new Uint8Array(Buffer.from(SIGNATURE_FORM.signature, 'base64'))).map(base64),
  fc.constant(Buffer.from(SIGNATURE_FORM.signature, 'base64').toString('base64url')),
  fc.base64String({ maxLength: 700 }),
  fc.string({ maxLength: 40 }),
);
const pkcs7s = fc.oneof(
  fc.constant(base64(PKCS7_FORM.der)),
  fc.constant(`-----BEGIN PKCS7-----\n${base64(PKCS7_FORM.der)}\n-----END PKCS7-----`),
  mutationsOf(PKCS7_FORM.der).map(base64),
  fc.base64String({ maxLength: 400 }),
);
const wrongTypes = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }));

const MEMBER_NAMES = ['document', 'signature', 'pkcs7', 'rsa2048', 'Document', 'document ', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', ''];

/** A JSON object as a list of members (so duplicates and order are under control), then serialised by hand. */
const members = fc.array(
  fc.oneof(
    fc.tuple(fc.constant('document'), fc.oneof({ weight: 5, arbitrary: documents }, { weight: 1, arbitrary: wrongTypes })),
    fc.tuple(fc.constant('signature'), fc.oneof({ weight: 5, arbitrary: signatures }, { weight: 1, arbitrary: wrongTypes })),
    fc.tuple(fc.constantFrom('pkcs7', 'rsa2048'), fc.oneof({ weight: 5, arbitrary: pkcs7s }, { weight: 1, arbitrary: wrongTypes })),
    fc.tuple(fc.constantFrom(...MEMBER_NAMES), fc.jsonValue({ maxDepth: 2 })),
  ),
  { maxLength: 4 },
);

const asJsonText = (list: readonly (readonly [string, unknown])[], spacing: string) =>
  `{${list.map(([name, value]) => `${JSON.stringify(name)}:${spacing}${JSON.stringify(value) ?? 'null'}`).join(`,${spacing}`)}}`;

/** The two forms that must verify, so the oracle's "accepted" branch is exercised, not only assumed. */
const genuine = fc.constantFrom<readonly (readonly [string, unknown])[]>(
  [['document', SIGNATURE_FORM.document], ['signature', SIGNATURE_FORM.signature]],
  [['pkcs7', base64(PKCS7_FORM.der)]],
  [['rsa2048', base64(PKCS7_FORM.der)]],
  [['document', SIGNED_CONTENT], ['pkcs7', base64(PKCS7_FORM.der)]],
);

const bodies = fc
  .record({
    list: fc.oneof({ weight: 12, arbitrary: members }, { weight: 1, arbitrary: genuine }),
    spacing: fc.constantFrom('', ' ', '\n  '),
    wrap: fc.constantFrom('plain', 'bom', 'whitespace', 'bytes', 'nested', 'array'),
  })
  .map(({ list, spacing, wrap }) => {
    const text = asJsonText(list, spacing);
    const body: string | Uint8Array =
      wrap === 'bom' ? `\ufeff${text}` : wrap === 'whitespace' ? `\n ${text}\r\n` : wrap === 'bytes' ? new TextEncoder().encode(text) : wrap === 'nested' ? `{"body":${text}}` : wrap === 'array' ? `[${text}]` : text;
    // Wrapped in an outer object or an array, even a genuine body is refused.
    return { list, body, wrapped: wrap === 'nested' || wrap === 'array' };
  });

/** What verification may accept, read from the members as JSON.parse would (the last of duplicates wins). */
function provesSignedDocument(list: readonly (readonly [string, unknown])[]): boolean {
  const last = new Map(list.map(([name, value]) => [name, value]));
  const names = new Set(last.keys());
  const only = (...allowed: string[]) => [...names].every((n) => allowed.includes(n));
  if (only('document', 'signature') && last.get('document') === SIGNATURE_FORM.document && last.get('signature') === SIGNATURE_FORM.signature) return true;
  for (const proof of ['pkcs7', 'rsa2048']) {
    const value = last.get(proof);
    const genuinePkcs7 = value === base64(PKCS7_FORM.der) || value === `-----BEGIN PKCS7-----\n${base64(PKCS7_FORM.der)}\n-----END PKCS7-----`;
    if (only('document', proof) && genuinePkcs7 && (!names.has('document') || last.get('document') === SIGNED_CONTENT)) return true;
  }
  return false;
}

describe('AWS JSON bodies under fuzzing', () => {
  it(`structured JSON bodies never throw, and only the genuine signed document verifies (${fuzzRuns()} runs)`, async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(bodies, async ({ list, body, wrapped }) => {
        expect(typeof parseAwsJoinBody(body).ok).toBe('boolean');
        const result = await verifyAwsIdentityDocument(body, trust, NOW);
        if (result.ok) accepted++;
        expect(result.ok).toBe(!wrapped && provesSignedDocument(list));
      }),
      { numRuns: fuzzRuns() },
    );
    // The oracle's accepting branch ran (genuine bodies are about one in twenty).
    expect(accepted).toBeGreaterThan(0);
  });
});
