/** Small pieces shared by the kind definitions. */
import { type FieldError, invalid } from '../../apimachinery/field-errors.js';
import type { TableColumn } from '../types.js';

export const AGE_COLUMN: TableColumn = {
  name: 'Age',
  type: 'string',
  description:
    'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
};

export const CREATED_AT_COLUMN: TableColumn = { name: 'Created At', type: 'date', description: AGE_COLUMN.description };

/** ValidateImmutableField */
export function immutable(newValue: unknown, oldValue: unknown, field: string): FieldError[] {
  if (JSON.stringify(newValue ?? null) === JSON.stringify(oldValue ?? null)) return [];
  return [invalid(field, { goSyntax: goSyntaxOf(newValue) }, 'field is immutable')];
}

/** A rough `%#v` for values that are not strings or numbers. */
export function goSyntaxOf(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined || v === null) return 'null';
  return JSON.stringify(v);
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
