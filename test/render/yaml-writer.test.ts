import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { literalBlock, toKubernetesYaml, toKubernetesYamlByLibrary } from '../../src/render/yaml.js';

/**
 * toKubernetesYaml writes plain data itself and must produce exactly the `yaml` library's text
 * (toKubernetesYamlByLibrary) for every document: same text, or the same error.
 */
const outcome = (render: () => string): { text: string } | { error: unknown } => {
  try {
    return { text: render() };
  } catch (error) {
    return { error: (error as { code?: unknown }).code ?? String(error) };
  }
};
const expectSameAsLibrary = (document: unknown): void => {
  expect(outcome(() => toKubernetesYaml(document))).toEqual(outcome(() => toKubernetesYamlByLibrary(document)));
};

const TRICKY = [
  'yes', 'No', 'on', 'y', 'null', '~', '', ' ', ' lead', 'trail ', '0o17', '0777', '1:20', '1e3', '.inf', '2001-12-14',
  '<<', '-', '- x', '? x', 'a: b', 'a #b', '#c', '|', '>', '{a: b}', '[a]', '&anchor', '*alias', '!tag', '---', '...',
  '"', "'", '\\', 'a\nb', 'a\n', '\t', '\0', '\x7f', '\u0085', '\u2028', '\ufeff', 'é', '😀', 'a:', 'https://x:1/', 'a\ud800',
  'kubernetes', 'tls-bootstrap-token-user@kubernetes', 'LS0tLS1CRUdJTg==', '/etc/kubernetes/bootstrap-kubelet.conf',
];
const LITERAL_TEXTS = ['#!/bin/sh\nset -eu\n\nmain "$@"\n', 'x\n', 'a\n\n\nb\n', '---\n...\n- item\n', ' lead\n', 'no newline', 'a \n', 'é\n', '\n', ''];

const text = fc.oneof(fc.constantFrom(...TRICKY), fc.string({ unit: 'binary', maxLength: 12 }), fc.stringMatching(/^[a-z][a-z0-9.-]{0,15}$/));
const key = fc.oneof({ arbitrary: text, weight: 30 }, { arbitrary: fc.constantFrom('k'.repeat(128), 'k'.repeat(129), 'é'.repeat(128), 'a b'.repeat(200)), weight: 1 });
const scalar = fc.oneof(
  text,
  fc.oneof({ arbitrary: fc.integer(), weight: 10 }, { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }), weight: 5 }, fc.constantFrom(0, -0, 1e21, 1e-7, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY)),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constantFrom(...LITERAL_TEXTS).map((t) => literalBlock(t)),
);
const { document } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map')),
  list: fc.array(tie('value'), { maxLength: 4 }),
  map: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  document: fc.oneof(tie('map'), tie('list')),
}));

describe('toKubernetesYaml writes what the yaml library writes', () => {
  it('for generated documents of plain data, literal blocks and tricky strings (property)', () => {
    fc.assert(fc.property(document, expectSameAsLibrary), { numRuns: 3000 });
  });

  it.each([
    ['empty map', {}],
    ['empty list', []],
    ['members left out and items as null', { a: undefined, b: [undefined, 1], c: { d: undefined } }],
    ['a sequence at its key', { a: [1, [2, [3]], { p: 1, q: [4] }, [], {}] }],
    ['a literal block at each depth', { a: literalBlock('x\n'), b: [literalBlock('y\n\nz\n')], c: [[{ d: literalBlock('w\n') }]] }],
    ['numbers', { a: 0, b: -0, c: 1.5, d: Number.NaN, e: -Infinity, f: 1e21, g: -12 }],
    ['a top-level scalar', 'text'],
    ['null', null],
    ['a date', { at: new Date(0) }],
    ['a class instance', { value: new (class Thing {})() }],
    ['an object with toJSON', { value: { toJSON: () => 'x' } }],
    ['a bigint', { n: 10n }],
    ['a key over 128 characters', { ['k'.repeat(129)]: 1 }],
    ['a key the library writes as an explicit key', { ['k '.repeat(600)]: 1 }],
    ['a repeated literal block', ((b) => ({ a: b, c: b }))(literalBlock('x\n'))],
    ['a literal block with a comment', { a: Object.assign(literalBlock('x\n'), { comment: 'c' }) }],
    ['an unpaired surrogate', { a: ['ok', 'a\ud800'] }],
    ['an unpaired surrogate in a key', { 'a\udc00': 1 }],
  ])('for %s', (_, value) => {
    expectSameAsLibrary(value);
  });

  it('writes an object reached twice as the library does (an anchor and an alias)', () => {
    const shared = { a: 1 };
    expect(toKubernetesYaml({ x: shared, list: [shared] })).toBe('x: &a1\n  a: 1\nlist:\n- *a1\n');
  });
});
