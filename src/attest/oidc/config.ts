import * as z from 'zod/mini';
import { JWS_ALGORITHM_NAMES, type JwsAlgorithm } from '../jwks/algorithms.js';
import { parseJwkSet } from '../jwks/jwk-set.js';

// zod/mini, like the policy schema that embeds this one: the Worker bundle stays small. Schemas are
// `z.lazy`, built on first use rather than at start-up (see src/policy/schema.ts).

/** An inline JSON Web Key Set, validated to hold at least one usable public signature key. */
export interface InlineJwks {
  readonly keys: readonly Readonly<Record<string, unknown>>[];
}

/**
 * One trusted JWT issuer, as written in JOIN_POLICY. Validate with {@link issuerConfigSchema}.
 */
export interface IssuerConfig {
  /** Compared byte for byte with the token's `iss`; no normalisation (trailing slash matters). */
  readonly issuer: string;
  /** https URL of the issuer's JWKS. Exactly one of `jwksUri` and `jwks`. */
  readonly jwksUri?: string | undefined;
  /** The issuer's public keys, inline. Exactly one of `jwksUri` and `jwks`. */
  readonly jwks?: InlineJwks | undefined;
  /** The algorithms this issuer signs with; a token with any other `alg` is refused. */
  readonly algorithms: readonly JwsAlgorithm[];
  /** The token's `aud` must contain this value (or one of these values). */
  readonly audience: string | readonly string[];
  /** The claim that names the machine: `sub`, or a dotted path such as `google.compute_engine.instance_id`. */
  readonly identityClaim: string;
  /** Refuse tokens whose `iat` is older than this, even if `exp` is later. */
  readonly maxTokenAgeSeconds?: number | undefined;
  /** Allowance for clock differences in `exp`/`iat`/`nbf` checks. Default {@link DEFAULT_CLOCK_SKEW_SECONDS}. */
  readonly clockSkewSeconds?: number | undefined;
}

export const DEFAULT_CLOCK_SKEW_SECONDS = 60;
export const MAX_CLOCK_SKEW_SECONDS = 300;
export const MAX_TOKEN_AGE_SECONDS = 24 * 3600;

/** Segments of an identity-claim path; `__proto__`-style names can never be a claim path. */
const CLAIM_PATH = /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+){0,7}$/;
const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor']);
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

const algorithmSchema = z.lazy(() => z.enum(JWS_ALGORITHM_NAMES as [JwsAlgorithm, ...JwsAlgorithm[]], {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is not an allowed algorithm; use one of ${JWS_ALGORITHM_NAMES.join(', ')} ` +
    '("none" and HS* are never accepted: a public JWKS cannot hold a shared secret)',
}));

const audienceValue = z.lazy(() => z.string().check(
  z.minLength(1, 'an audience must not be empty'),
  z.maxLength(512, 'an audience must be at most 512 characters'),
));

export const inlineJwksSchema = z.lazy(() => z
  .looseObject({
    keys: z.array(z.record(z.string(), z.unknown()), { error: 'expected a JSON Web Key Set: { "keys": [ … ] }' }),
  })
  .check(
    z.superRefine((jwks, ctx) => {
      const parsed = parseJwkSet(jwks);
      if (!parsed.ok) ctx.issues.push({ code: 'custom', input: jwks, message: parsed.detail });
      else if (parsed.keys.length === 0) {
        ctx.issues.push({
          code: 'custom',
          input: jwks,
          message: `holds no usable public signature key (${parsed.skipped.join('; ')})`,
        });
      }
    }),
  ));

export const issuerConfigSchema = z.lazy(() => z
  .strictObject({
    issuer: z.string().check(
      z.minLength(1, 'must not be empty'),
      z.maxLength(512, 'must be at most 512 characters'),
      z.regex(PRINTABLE_ASCII, 'must be printable ASCII without spaces'),
    ),
    jwksUri: z.optional(z.url({ protocol: /^https$/, error: 'must be an https URL' })),
    jwks: z.optional(inlineJwksSchema),
    algorithms: z
      .array(algorithmSchema, { error: 'expected a list of algorithms' })
      .check(
        z.minLength(1, 'list at least one algorithm'),
        z.refine((algs) => new Set(algs).size === algs.length, 'lists an algorithm twice'),
      ),
    audience: z.union([audienceValue, z.array(audienceValue).check(z.minLength(1, 'list at least one audience'), z.maxLength(16, 'at most 16 audiences'))], {
      error: 'expected a string or a non-empty list of strings',
    }),
    identityClaim: z.string().check(
      z.maxLength(256, 'must be at most 256 characters'),
      z.regex(CLAIM_PATH, 'must be a claim name or dotted path of [A-Za-z0-9_$-] segments, e.g. "sub"'),
      z.refine((path) => !path.split('.').some((segment) => FORBIDDEN_SEGMENTS.has(segment)), 'must not use __proto__, prototype or constructor'),
    ),
    maxTokenAgeSeconds: z.optional(
      z.int({ error: 'must be a whole number of seconds' }).check(
        z.gte(1, 'must be at least 1'),
        z.lte(MAX_TOKEN_AGE_SECONDS, `must be at most ${MAX_TOKEN_AGE_SECONDS}`),
      ),
    ),
    clockSkewSeconds: z.optional(
      z.int({ error: 'must be a whole number of seconds' }).check(
        z.gte(0, 'must not be negative'),
        z.lte(MAX_CLOCK_SKEW_SECONDS, `must be at most ${MAX_CLOCK_SKEW_SECONDS}`),
      ),
    ),
  })
  .check(
    z.superRefine((config, ctx) => {
      if ((config.jwksUri === undefined) === (config.jwks === undefined)) {
        ctx.issues.push({ code: 'custom', input: config, path: ['jwksUri'], message: 'set exactly one of jwksUri or jwks' });
      }
    }),
  ));

/** A list of issuers; each `issuer` may appear once, so a token's `iss` selects at most one. */
export const issuerConfigListSchema = z.lazy(() => z.array(issuerConfigSchema).check(
  z.superRefine((configs, ctx) => {
    const seen = new Set<string>();
    configs.forEach((config, i) => {
      if (seen.has(config.issuer)) {
        ctx.issues.push({ code: 'custom', input: config.issuer, path: [i, 'issuer'], message: 'issuer configured twice' });
      }
      seen.add(config.issuer);
    });
  }),
));

type Assignable<T extends IssuerConfig> = T;
/** What the schema produces; the constraint makes it a compile error if it stops being an IssuerConfig. */
export type ParsedIssuerConfig = Assignable<z.infer<typeof issuerConfigSchema>>;

export type IssuerConfigParse = { readonly ok: true; readonly config: IssuerConfig } | { readonly ok: false; readonly errors: readonly string[] };

/** Validates one issuer configuration; errors read `field: message`, e.g. `algorithms[0]: …`. */
export function parseIssuerConfig(input: unknown): IssuerConfigParse {
  const result = issuerConfigSchema.safeParse(input);
  if (result.success) return { ok: true, config: result.data };
  return { ok: false, errors: result.error.issues.map(describeIssue) };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.reduce<string>(
    (text, part) => (typeof part === 'number' ? `${text}[${part}]` : text === '' ? String(part) : `${text}.${String(part)}`),
    '',
  );
  let message = issue.message;
  if (message === 'Invalid input') {
    if (issue.code === 'unrecognized_keys') message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    else if (issue.code === 'invalid_type') message = `expected ${issue.expected}`;
  }
  return path === '' ? message : `${path}: ${message}`;
}
