/**
 * The few Go formatting verbs whose output reaches the wire in Kubernetes error messages:
 * `%q` (strconv.Quote) and `%v` of a string slice.
 */
const SIMPLE_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

/** strconv.Quote: double-quoted Go string literal; printable Unicode is kept as is. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const esc = SIMPLE_ESCAPES[ch];
    if (esc !== undefined) {
      out += esc;
      continue;
    }
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp >= 0x80 && cp < 0xa0) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/** `%q` of a []string: `["a" "b"]`. */
export const goQuoteList = (items: readonly string[]): string => `[${items.map(goQuote).join(' ')}]`;

/** `%v` of a []string: `[a b]`. */
export const goList = (items: readonly string[]): string => `[${items.join(' ')}]`;
