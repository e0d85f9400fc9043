/**
 * Quoting for POSIX sh. No I/O. Every value that reaches a generated shell text goes through
 * `shellQuote`, so no byte of a value can ever be read by the shell as syntax.
 */
import { RenderError } from './errors.js';

/**
 * Words made only of these characters mean themselves in any argument position of sh, bash, dash
 * and zsh: no quoting, expansion ($ ` ~ = * ? [ { !), operator (| & ; < > ( )), comment (#) or
 * blank character is among them, so leaving them bare changes nothing and keeps commands readable.
 */
const BARE_WORD = /^[A-Za-z0-9_@%+:,./-]+$/;

/** A lone UTF-16 surrogate cannot be encoded as UTF-8: the script would carry U+FFFD instead. */
const UNPAIRED_SURROGATE = /\p{Cs}/u;

/**
 * Quotes `value` as one shell word for an argument or assignment-value position, such that
 * `sh -c "printf %s $(shellQuote(v))"` prints exactly `v`.
 *
 * Inside single quotes POSIX sh gives every byte its literal meaning except the closing `'`
 * (XCU 2.2.2), so `$(…)`, backquotes, `$VAR`, `\`, `"`, newlines and globs are inert. The one
 * character that could end the quoting, `'`, is written as `'\''`: close, an escaped literal
 * quote, reopen. No other rule exists, so nothing in `value` can close the word early.
 *
 * @throws {RenderError} `unrepresentable_value` if `value` contains NUL (a C string, and so every
 *   argv entry and shell variable, ends there: the tail would silently vanish) or an unpaired
 *   surrogate (not encodable as UTF-8).
 */
export function shellQuote(value: string): string {
  if (value.includes('\0')) {
    throw new RenderError('unrepresentable_value', 'a value for the shell contains NUL');
  }
  if (UNPAIRED_SURROGATE.test(value)) {
    throw new RenderError('unrepresentable_value', 'a value for the shell contains an unpaired surrogate');
  }
  if (BARE_WORD.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Joins `argv` into one command line for sh, each element quoted with {@link shellQuote}, so
 * running the line executes `argv[0]` with exactly `argv.slice(1)` as its arguments.
 *
 * @throws {RenderError} `unrepresentable_value` as {@link shellQuote}.
 */
export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
