import * as z from 'zod/mini';

const UNIT_SECONDS = { s: 1, m: 60, h: 3600 } as const;

/** A duration written as seconds (`600`) or with a unit (`90s`, `10m`, `1h`), parsed to seconds. Lazy: built on first use, not at start-up. */
export const durationSeconds = z.lazy(() => z.union([
  z.int().check(z.nonnegative('must not be negative')),
  z.pipe(
    z.string().check(z.regex(/^\d+(s|m|h)$/, 'expected a duration such as 90s, 10m or 1h')),
    z.transform((text: string) => {
      const unit = text.at(-1) as keyof typeof UNIT_SECONDS;
      return Number.parseInt(text.slice(0, -1), 10) * UNIT_SECONDS[unit];
    }),
  ),
]));

export const durationWithin = (fallback: number, min: number, max: number, message: string) =>
  z._default(
    z.pipe(durationSeconds, z.number().check(z.refine((s) => s >= min && s <= max, message))),
    fallback,
  );
