import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const COPY = new URL('../../fixtures/aws-lifecycle/', import.meta.url).pathname;
const SOURCE = new URL('../../../../shared/vectors/aws-lifecycle/', import.meta.url).pathname;

function filesUnder(root: string, dir = ''): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(root, path)).isDirectory() ? filesUnder(root, path) : [path];
  });
}

describe('test/fixtures/aws-lifecycle', () => {
  it.skipIf(!existsSync(SOURCE))('is a byte-for-byte copy of ../shared/vectors/aws-lifecycle (README kept as SOURCE-README.md)', () => {
    const source = filesUnder(SOURCE).sort();
    const copy = filesUnder(COPY)
      .filter((path) => path !== 'README.md')
      .map((path) => (path === 'SOURCE-README.md' ? 'README.md' : path))
      .sort();
    expect(copy).toEqual(source);
    for (const path of source) {
      const copied = path === 'README.md' ? 'SOURCE-README.md' : path;
      expect(readFileSync(join(COPY, copied)).equals(readFileSync(join(SOURCE, path))), path).toBe(true);
    }
  });
});
