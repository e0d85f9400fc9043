import { parse as parseYaml } from 'yaml';
import type * as z from 'zod/mini';
import { joinPolicySchema, type JoinPolicy } from './schema.js';

export type ParsePolicyResult = { ok: true; policy: JoinPolicy } | { ok: false; errors: string[] };

/** Renders a zod issue path as `rules[0].accounts`, so an operator can find the field. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, part) => {
    if (typeof part === 'number') return `${text}[${part}]`;
    const name = String(part);
    return text === '' ? name : `${text}.${name}`;
  }, '');
}

/** zod/mini ships no locale, so its built-in checks say only "Invalid input"; say what was expected. */
function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.message !== 'Invalid input') return issue.message;
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return 'has the wrong type or format';
    default:
      return issue.message;
  }
}

export function formatIssues(error: z.core.$ZodError): string[] {
  return error.issues.map((issue) => {
    const path = formatIssuePath(issue.path);
    return path === '' ? describeIssue(issue) : `${path}: ${describeIssue(issue)}`;
  });
}

/** Parses JOIN_POLICY, written as YAML or JSON (JSON is YAML), and validates it. */
export function parseJoinPolicy(text: string): ParsePolicyResult {
  let document: unknown;
  try {
    document = parseYaml(text, { maxAliasCount: 100, uniqueKeys: true });
  } catch (error) {
    return { ok: false, errors: [`not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`] };
  }
  const result = joinPolicySchema.safeParse(document);
  return result.success ? { ok: true, policy: result.data } : { ok: false, errors: formatIssues(result.error) };
}
