/**
 * Checks that the test fixtures copied from ../shared/vectors (and ../shared/kubernetes/fixtures)
 * are still byte-for-byte copies. A development check, run by hand where ../shared exists
 * (`npx tsx scripts/check-fixtures.ts`); CI clones do not have ../shared, so it is not a test.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const shared = resolve(root, '../shared');
// fixture folder → source folder; READMEs of our own are skipped, a source README kept as SOURCE-README.md.
const COPIES: [string, string][] = [
  ['test/fixtures/aws', 'vectors/aws'],
  ['test/fixtures/gcp', 'vectors/gcp'],
  ['test/fixtures/azure', 'vectors/azure'],
  ['test/fixtures/aws-lifecycle', 'vectors/aws-lifecycle'],
  ['test/fixtures/kubernetes', 'kubernetes/fixtures'],
];

const filesUnder = (dir: string, sub = ''): string[] =>
  readdirSync(join(dir, sub)).flatMap((name) => (statSync(join(dir, sub, name)).isDirectory() ? filesUnder(dir, join(sub, name)) : [join(sub, name)]));

if (!existsSync(shared)) {
  console.error(`no ${shared}: nothing to compare`);
  process.exit(2);
}
let problems = 0;
for (const [copyDir, sourceDir] of COPIES) {
  const copy = join(root, copyDir);
  if (!existsSync(copy)) continue;
  for (const file of filesUnder(copy)) {
    if (file === 'README.md') continue;
    const sourceFile = join(shared, sourceDir, file === 'SOURCE-README.md' ? 'README.md' : file);
    if (!existsSync(sourceFile)) {
      console.log(`${copyDir}/${file}: not in ../shared/${sourceDir} (derived here?)`);
      continue;
    }
    if (!readFileSync(join(copy, file)).equals(readFileSync(sourceFile))) {
      console.error(`${copyDir}/${file}: differs from ../shared/${sourceDir}`);
      problems++;
    }
  }
}
console.log(problems === 0 ? 'fixtures match ../shared' : `${problems} fixture(s) differ`);
process.exit(problems === 0 ? 0 : 1);
