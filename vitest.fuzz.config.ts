/**
 * `npm run fuzz`: the fast-check properties of every parser of untrusted bytes (the same ones
 * `npm test` runs briefly), with FUZZ_RUNS inputs each (default 100 000) and one seed for the
 * whole run, printed first so a failure can be replayed (`FUZZ_SEED=… npm run fuzz -- <file>`).
 * Files run in parallel, one fork per core. No Worker build: these drive the parsers and
 * `createApp(fakeDeps())` in Node. See test/fuzz/README.md.
 */
import { randomInt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

process.env['FUZZ_RUNS'] ||= '100000';
process.env['FUZZ_SEED'] ||= String(randomInt(-(2 ** 31), 2 ** 31 - 1));
console.log(`fuzz: FUZZ_RUNS=${process.env['FUZZ_RUNS']} FUZZ_SEED=${process.env['FUZZ_SEED']} (replay a failure with the same values)`);

export default defineConfig({
  test: {
    include: ['test/**/fuzz.test.ts', 'test/fuzz/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['test/setup.ts'],
    env: { FUZZ_RUNS: process.env['FUZZ_RUNS'], FUZZ_SEED: process.env['FUZZ_SEED'] },
    pool: 'forks',
    maxWorkers: availableParallelism(),
    testTimeout: 60 * 60_000,
    hookTimeout: 60_000,
  },
});
