/**
 * The simple top-level claims of a verified token, as policy-matchable string attributes.
 *
 * - Strings, booleans (`"true"`/`"false"`) and safe integers are kept; objects, arrays, floats and
 *   huge numbers are skipped (they have no single faithful string form).
 * - `iss`, `aud`, `exp`, `nbf` and `iat` are skipped: they are already `account`, the checked
 *   audience, and `issuedAt`.
 * - Bounded: names up to 64 characters, values up to 256; over-long values are skipped, never
 *   truncated (a cut value could equal a value policy allows). At most 64 attributes, chosen in
 *   name order so the result does not depend on the issuer's claim order.
 */
export const MAX_ATTRIBUTES = 64;
export const MAX_ATTRIBUTE_NAME_LENGTH = 64;
export const MAX_ATTRIBUTE_VALUE_LENGTH = 256;
const REPRESENTED_ELSEWHERE: ReadonlySet<string> = new Set(['iss', 'aud', 'exp', 'nbf', 'iat', '__proto__']);

export function simpleClaimAttributes(claims: Readonly<Record<string, unknown>>): Readonly<Record<string, string>> {
  const entries: [string, string][] = [];
  for (const name of Object.keys(claims).sort()) {
    if (entries.length === MAX_ATTRIBUTES) break;
    if (REPRESENTED_ELSEWHERE.has(name) || name.length === 0 || name.length > MAX_ATTRIBUTE_NAME_LENGTH) continue;
    const text = simpleValue(claims[name]);
    if (text !== undefined && text.length <= MAX_ATTRIBUTE_VALUE_LENGTH) entries.push([name, text]);
  }
  return Object.freeze(Object.fromEntries(entries));
}

function simpleValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}
