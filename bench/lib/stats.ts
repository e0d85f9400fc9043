/** Order statistics for bench samples (nearest-rank percentiles, no interpolation). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export const median = (samples: readonly number[]): number => percentile(samples, 50);

/** Rounds for the JSON summary: 3 significant decimals is plenty for ms figures. */
export const round = (value: number, digits = 3): number => Number(value.toFixed(digits));
