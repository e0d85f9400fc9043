/**
 * One run count and one seed for every fast-check property over untrusted input, so the same
 * properties run briefly in `npm test` and long in `npm run fuzz` (vitest.fuzz.config.ts).
 *
 * - `FUZZ_RUNS`: inputs per property (and so per parser). Unset: {@link TEST_RUNS}, the `npm test`
 *   count. `npm run fuzz` sets 100 000 unless given.
 * - `FUZZ_SEED`: the seed of every property. Unset in `npm test`: {@link TEST_SEED}, so the suite
 *   is deterministic. `npm run fuzz` draws a fresh one per run and prints it before starting.
 *
 * A failing property reports its seed, the counterexample path and the command that replays it.
 * Importing this module configures fast-check for the whole test file.
 */
import fc from 'fast-check';

/** Inputs per property in `npm test`. */
export const TEST_RUNS = 1000;
/** The seed of `npm test`: fixed, so a red run is red again on the next try. */
export const TEST_SEED = 0x6b6a62;

function integerFromEnv(name: string, min: number): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  return value;
}

function seedFromEnv(): number | undefined {
  const raw = process.env['FUZZ_SEED'];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`FUZZ_SEED must be an integer, got ${JSON.stringify(raw)}`);
  return value | 0;
}

/** Inputs per property for this run. */
export const FUZZ_RUNS: number = integerFromEnv('FUZZ_RUNS', 1) ?? TEST_RUNS;
/** The seed every property of this run starts from. */
export const FUZZ_SEED: number = seedFromEnv() ?? TEST_SEED;

/**
 * The run count of one property: `share` of {@link FUZZ_RUNS} (at least 1). A parser's properties
 * may split the count between them (shares summing to 1) or each take all of it.
 */
export function fuzzRuns(share = 1): number {
  return Math.max(1, Math.round(FUZZ_RUNS * share));
}

/** The command that replays a failed run: same seed, same count, so fast-check draws the same inputs. */
export function replayHint(seed: number, numRuns: number): string {
  return `Replay: FUZZ_SEED=${seed} FUZZ_RUNS=${FUZZ_RUNS} npm run fuzz -- <this test file>  (this property: numRuns ${numRuns})`;
}

fc.configureGlobal({
  seed: FUZZ_SEED,
  reporter(details) {
    if (!details.failed) return;
    const message = `${fc.defaultReportMessage(details) ?? 'Property failed'}\n\n${replayHint(details.seed, details.runConfiguration.numRuns ?? FUZZ_RUNS)}`;
    throw new Error(message, { cause: details.errorInstance });
  },
});
