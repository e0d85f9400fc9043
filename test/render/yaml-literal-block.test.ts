import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { literalBlock, toKubernetesYaml } from '../../src/render/yaml.js';

/** PyYAML `safe_load`, the reader cloud-init uses (YAML 1.1). */
function pyyaml(text: string): unknown {
  const result = spawnSync('python3', ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'], { input: text, encoding: 'utf8' });
  expect(result.error, 'python3 with PyYAML must be installed (apt-get install -y python3-yaml)').toBeUndefined();
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout);
}

const SCRIPT = '#!/bin/sh\nset -eu\n\nmain() {\n  printf \'%s\\n\' "$1" # a comment\n}\n---\n...\n- item\nkey: value\nmain "$@"\n';

describe('literalBlock', () => {
  it('writes a script as a literal block, nested in a list of maps', () => {
    expect(toKubernetesYaml({ files: [{ content: literalBlock(SCRIPT) }] })).toBe(
      `files:\n- content: |\n    ${SCRIPT.trimEnd().replaceAll('\n', '\n    ').replaceAll('\n    \n', '\n\n')}\n`,
    );
  });

  /** Texts a literal block cannot carry verbatim for every reader: written double-quoted instead. */
  const UNSAFE = [
    ['no final newline', 'a\nb'],
    ['two final newlines', 'a\n\n'],
    ['a leading blank', ' a\n'],
    ['a leading newline', '\na\n'],
    ['a trailing blank on a line', 'a \nb\n'],
    ['a blank-only line', 'a\n  \nb\n'],
    ['a tab', 'a\tb\n'],
    ['a CR', 'a\r\nb\n'],
    ['non-ASCII', 'é\n'],
    ['a line separator', 'a\u2028b\n'],
    ['DEL', 'a\x7f\n'],
    ['empty', ''],
  ] as const;

  it.each(UNSAFE)('falls back to double quotes for text with %s', (_, text) => {
    expect(toKubernetesYaml({ v: literalBlock(text) })).toMatch(/^v: "/);
  });

  it.each<readonly [string, string]>([['a script', SCRIPT], ...UNSAFE])('%s reads back verbatim with `yaml` (1.1, 1.2) and PyYAML', (_, text) => {
    const yaml = toKubernetesYaml({ list: [{ v: literalBlock(text) }], v: literalBlock(text) });
    const expected = { list: [{ v: text }], v: text };
    expect(parse(yaml)).toEqual(expected);
    expect(parse(yaml, { version: '1.1' })).toEqual(expected);
    expect(pyyaml(yaml)).toEqual(expected);
  });

  it('reads back verbatim for any text (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.array(fc.string(), { maxLength: 8 }).map((lines) => `${lines.join('\n')}\n`)), (text) => {
        const yaml = toKubernetesYaml({ list: [{ v: literalBlock(text) }] });
        expect(parse(yaml)).toEqual({ list: [{ v: text }] });
        expect(parse(yaml, { version: '1.1' })).toEqual({ list: [{ v: text }] });
      }),
    );
  });

  it('leaves plain strings as before', () => {
    expect(toKubernetesYaml({ v: SCRIPT })).toMatch(/^v: "#!\/bin\/sh\\nset -eu\\n/);
  });
});
