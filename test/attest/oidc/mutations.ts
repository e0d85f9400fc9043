import fc from 'fast-check';

/**
 * fast-check arbitraries for token fuzzing, shared by the OIDC and GCP property tests (and by a
 * future `npm run fuzz` with more runs).
 */
const TOKEN_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'.split('');

export type Mutation =
  | { readonly kind: 'replace'; readonly at: number; readonly char: string }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'swapSegments'; readonly first: number; readonly second: number };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), char: fc.constantFrom(...TOKEN_CHARS) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swapSegments' as const), first: fc.nat({ max: 2 }), second: fc.nat({ max: 2 }) }),
);

export function mutate(token: string, m: Mutation): string {
  switch (m.kind) {
    case 'replace': {
      const at = m.at % token.length;
      return token.slice(0, at) + m.char + token.slice(at + 1);
    }
    case 'delete': {
      const at = m.at % token.length;
      return token.slice(0, at) + token.slice(at + m.length);
    }
    case 'insert': {
      const at = m.at % (token.length + 1);
      return token.slice(0, at) + m.text + token.slice(at);
    }
    case 'truncate':
      return token.slice(0, m.at % token.length);
    case 'swapSegments': {
      const parts = token.split('.');
      const a = parts[m.first];
      const b = parts[m.second];
      if (a === undefined || b === undefined) return token;
      parts[m.first] = b;
      parts[m.second] = a;
      return parts.join('.');
    }
  }
}

/** Several mutations applied in turn to one token. */
export const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 });

/** Strings shaped like compact JWS (three base64url-ish segments), to get past the first checks. */
export const jwsShaped = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...TOKEN_CHARS.slice(0, -1)), maxLength: 200 }),
    fc.string({ unit: fc.constantFrom(...TOKEN_CHARS.slice(0, -1)), maxLength: 400 }),
    fc.string({ unit: fc.constantFrom(...TOKEN_CHARS.slice(0, -1)), maxLength: 400 }),
  )
  .map((parts) => parts.join('.'));

/** A JSON header and payload of arbitrary shape, base64url-encoded with a junk signature. */
export const jsonShaped = fc
  .tuple(fc.jsonValue(), fc.jsonValue(), fc.string({ unit: fc.constantFrom(...TOKEN_CHARS.slice(0, -1)), maxLength: 64 }))
  .map(([header, payload, signature]) => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value) ?? 'null').toString('base64url');
    return `${encode(header)}.${encode(payload)}.${signature}`;
  });

export const anyInput = fc.oneof(
  fc.string({ maxLength: 2_000 }),
  fc.string({ unit: 'binary', maxLength: 2_000 }),
  jwsShaped,
  jsonShaped,
  fc.anything(),
);
