/**
 * Label selectors (staging/src/k8s.io/apimachinery/pkg/labels/selector.go: `=`, `==`, `!=`, `in`,
 * `notin`, `key`, `!key`) and field selectors (.../fields/selector.go: `=`, `==`, `!=`, comma-ANDed).
 * Parse errors become 400 BadRequest in the handler.
 */
export type LabelRequirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

export class SelectorParseError extends Error {}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

export function parseLabelSelector(raw: string): LabelRequirement[] {
  const reqs: LabelRequirement[] = [];
  for (const part of splitTopLevel(raw)) {
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^([^\s!=(),]+)\s+(in|notin)\s*\(([^)]*)\)$/))) {
      const values = m[3]!.split(',').map((v) => v.trim()).filter((v) => v.length > 0);
      reqs.push({ op: m[2] as 'in' | 'notin', key: m[1]!, values });
    } else if ((m = part.match(/^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/))) {
      reqs.push({ op: m[2] === '!=' ? 'neq' : 'eq', key: m[1]!, value: m[3]! });
    } else if ((m = part.match(/^!\s*([^\s!=(),]+)$/))) {
      reqs.push({ op: 'notexists', key: m[1]! });
    } else if ((m = part.match(/^([^\s!=(),]+)$/))) {
      reqs.push({ op: 'exists', key: m[1]! });
    } else {
      throw new SelectorParseError(`unable to parse requirement: ${JSON.stringify(part)}`);
    }
  }
  return reqs;
}

export function labelsMatch(reqs: readonly LabelRequirement[], labels: Readonly<Record<string, string>> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'eq':
        return has && l[r.key] === r.value;
      case 'neq':
        return !has || l[r.key] !== r.value;
      case 'in':
        return has && r.values.includes(l[r.key]!);
      case 'notin':
        return !has || !r.values.includes(l[r.key]!);
      case 'exists':
        return has;
      case 'notexists':
        return !has;
    }
  });
}

export interface FieldRequirement {
  readonly field: string;
  readonly op: 'eq' | 'neq';
  readonly value: string;
}

export function parseFieldSelector(raw: string): FieldRequirement[] {
  const reqs: FieldRequirement[] = [];
  for (const part of raw.split(',').map((p) => p.trim()).filter((p) => p.length > 0)) {
    const m = part.match(/^([^=!]+)(==|=|!=)(.*)$/);
    if (!m) throw new SelectorParseError(`invalid selector: '${raw}'; can't understand '${part}'`);
    reqs.push({ field: m[1]!, op: m[2] === '!=' ? 'neq' : 'eq', value: m[3]! });
  }
  return reqs;
}

/** fields.Selector.RequiresExactMatch */
export function requiresExactMatch(reqs: readonly FieldRequirement[], field: string): string | undefined {
  const r = reqs.find((q) => q.field === field && q.op === 'eq');
  return r?.value;
}

export function fieldsMatch(reqs: readonly FieldRequirement[], fields: Readonly<Record<string, string>>): boolean {
  return reqs.every((r) => (r.op === 'eq' ? fields[r.field] === r.value : fields[r.field] !== r.value));
}
