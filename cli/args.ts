/** Argument parsing over node:util `parseArgs`, strict, with errors an operator can act on. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './exit-codes.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs<O extends Options> {
  readonly values: { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };
  readonly positionals: string[];
}

export function parseCommandArgs<O extends Options>(command: string, argv: readonly string[], options: O): ParsedArgs<O> {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
    return { values: values as ParsedArgs<O>['values'], positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, '') : String(error);
    throw new UsageError(`${command}: ${message} (see: kube-join-broker ${command} --help)`);
  }
}

/** `--groups a,b , c` → ['a', 'b', 'c']; empty items dropped. */
export const commaList = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
