import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RenderError } from '../../src/render/errors.js';
import { shellJoin, shellQuote } from '../../src/render/shell.js';
import { SHELLS } from './harness.js';

describe('shellQuote', () => {
  it.each([
    ['kubeadm', 'kubeadm'],
    ['10.0.0.1:6443', '10.0.0.1:6443'],
    ['sha256:00ff', 'sha256:00ff'],
    ['/etc/kubernetes/kubelet.conf', '/etc/kubernetes/kubelet.conf'],
    ['', "''"],
    ['a b', "'a b'"],
    ["it's", "'it'\\''s'"],
    ["'", "''\\'''"],
    ['$(touch pwned)', "'$(touch pwned)'"],
    ['`touch pwned`', "'`touch pwned`'"],
    ['a\nb', "'a\nb'"],
    ['~root', "'~root'"],
    ['x=y', "'x=y'"],
    ['*', "'*'"],
    ['{a,b}', "'{a,b}'"],
    ['!x', "'!x'"],
    ['#c', "'#c'"],
    ['é', "'é'"],
  ])('quotes %j as %s', (value, quoted) => {
    expect(shellQuote(value)).toBe(quoted);
  });

  it.each([
    ['NUL', 'a\0b'],
    ['a lone high surrogate', 'a\ud800b'],
    ['a lone low surrogate', '\udc00'],
  ])('refuses %s with unrepresentable_value', (_, value) => {
    expect(() => shellQuote(value)).toThrowError(RenderError);
    expect(() => shellQuote(value)).toThrowError(expect.objectContaining({ code: 'unrepresentable_value' }));
  });

  it('keeps a surrogate pair (astral character)', () => {
    expect(shellQuote('😀')).toBe("'😀'");
  });
});

describe('shellJoin', () => {
  it('quotes every word', () => {
    expect(shellJoin(['kubeadm', 'join', 'h:1', '--node-name', "a'b c"])).toBe("kubeadm join h:1 --node-name 'a'\\''b c'");
  });
});

/** Characters with a meaning to sh, bash or zsh, weighted in so the property hits them often. */
const SHELL_SYNTAX = fc.constantFrom(
  "'", '"', '\\', '$', '`', '(', ')', '{', '}', '[', ']', ';', '&', '|', '<', '>', '*', '?', '~', '#', '!',
  '=', '%', '^', ' ', '\t', '\n', '\r', '$(', '${', "'\\''", "'\"'\"'",
);
const anyString = fc.string({
  unit: fc.oneof(SHELL_SYNTAX, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 })),
  maxLength: 40,
}).filter((s) => !s.includes('\0'));

describe.each(SHELLS)('shellQuote under %s', (shell) => {
  it('round-trips any string without NUL as an argument, an assignment and through shellJoin', () => {
    fc.assert(
      fc.property(anyString, fc.array(anyString, { maxLength: 4 }), (value, argv) => {
        const q = shellQuote(value);
        const line = `printf %s ${q}; KJB_V=${q}; printf %s "$KJB_V"; ${shellJoin(['printf', '%s\\0', ...argv, ''])}`;
        const out = spawnSync(shell, ['-c', line]);
        expect(out.status).toBe(0);
        const expected = Buffer.concat([
          Buffer.from(value + value, 'utf8'),
          ...[...argv, ''].map((a) => Buffer.from(`${a}\0`, 'utf8')),
        ]);
        expect(out.stdout.equals(expected)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('shellQuote refuses NUL anywhere', () => {
  it('for any string with a NUL', () => {
    fc.assert(
      fc.property(anyString, anyString, (a, b) => {
        expect(() => shellQuote(`${a}\0${b}`)).toThrowError(expect.objectContaining({ code: 'unrepresentable_value' }));
      }),
      { numRuns: 200 },
    );
  });
});
