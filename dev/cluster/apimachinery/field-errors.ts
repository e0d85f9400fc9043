/**
 * field.Error and field.ErrorList as rendered by
 * staging/src/k8s.io/apimachinery/pkg/util/validation/field/errors.go (`ErrorBody`, `Error`,
 * `ToAggregate`). The text of these ends up in 422 messages and `details.causes`.
 */
import { goQuote } from './go-format.js';

export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** A Go value as field.Error prints it: strings `%q`, numbers and booleans `%v`, else `%#v`-ish. */
export type BadValue = string | number | boolean | null | { readonly goSyntax: string } | typeof OMIT;
export const OMIT = Symbol('omitValue');

export interface FieldError {
  readonly type: FieldErrorType;
  readonly field: string;
  readonly badValue: BadValue;
  readonly detail: string;
}

export function errorBody(e: FieldError): string {
  let s: string;
  if (
    e.type === 'FieldValueRequired' ||
    e.type === 'FieldValueForbidden' ||
    e.type === 'FieldValueTooLong' ||
    e.type === 'InternalError' ||
    e.badValue === OMIT
  ) {
    s = TYPE_TEXT[e.type];
  } else {
    const v = e.badValue;
    let shown: string;
    if (v === null) shown = 'null';
    else if (typeof v === 'string') shown = goQuote(v);
    else if (typeof v === 'number' || typeof v === 'boolean') shown = String(v);
    else shown = (v as { goSyntax: string }).goSyntax;
    s = `${TYPE_TEXT[e.type]}: ${shown}`;
  }
  if (e.detail.length > 0) s += `: ${e.detail}`;
  return s;
}

export const fieldErrorString = (e: FieldError): string => `${e.field}: ${errorBody(e)}`;

/** utilerrors.Aggregate text: one error as is, several as `[a, b]`. */
export function aggregate(messages: readonly string[]): string {
  if (messages.length === 1) return messages[0]!;
  return `[${messages.join(', ')}]`;
}

export const invalid = (field: string, value: BadValue, detail: string): FieldError => ({
  type: 'FieldValueInvalid',
  field,
  badValue: value,
  detail,
});
export const required = (field: string, detail = ''): FieldError => ({
  type: 'FieldValueRequired',
  field,
  badValue: '',
  detail,
});
export const forbidden = (field: string, detail: string): FieldError => ({
  type: 'FieldValueForbidden',
  field,
  badValue: '',
  detail,
});
export const duplicate = (field: string, value: BadValue): FieldError => ({
  type: 'FieldValueDuplicate',
  field,
  badValue: value,
  detail: '',
});
export const tooLong = (field: string, max: number): FieldError => ({
  type: 'FieldValueTooLong',
  field,
  badValue: '',
  detail: `may not be more than ${max} bytes`,
});
/** field.NotSupported: detail lists the quoted valid values. */
export const notSupported = (field: string, value: BadValue, valid: readonly string[]): FieldError => ({
  type: 'FieldValueNotSupported',
  field,
  badValue: value,
  detail: valid.length > 0 ? `supported values: ${valid.map(goQuote).join(', ')}` : '',
});
