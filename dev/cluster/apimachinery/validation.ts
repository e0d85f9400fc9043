/**
 * Name and metadata validation as in staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go
 * (IsDNS1123Subdomain, IsDNS1123Label, IsConfigMapKey, IsQualifiedName) and
 * .../api/validation/objectmeta.go (ValidateObjectMeta) and path/name.go (IsValidPathSegmentName).
 */
import { type FieldError, invalid, required } from './field-errors.js';

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const dns1123Subdomain = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const dns1123Label = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const CONFIG_KEY_FMT = '[-._a-zA-Z0-9]+';
const configKey = new RegExp(`^${CONFIG_KEY_FMT}$`);
const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const qualifiedNameRe = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const labelValueRe = new RegExp(`^${LABEL_VALUE_FMT}$`);

/** validation.RegexError */
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}'`).join(',  or ')}, regex used for validation is '${fmt}')`;
}
const maxLenError = (n: number): string => `must be no more than ${n} characters`;

export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLenError(253));
  if (!dns1123Subdomain.test(value)) {
    errs.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        DNS1123_SUBDOMAIN_FMT,
        'example.com',
      ),
    );
  }
  return errs;
}

export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLenError(63));
  if (!dns1123Label.test(value)) {
    errs.push(
      regexError(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
        DNS1123_LABEL_FMT,
        'my-name',
        '123-abc',
      ),
    );
  }
  return errs;
}

export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLenError(253));
  if (!configKey.test(value)) {
    errs.push(
      regexError(
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
        CONFIG_KEY_FMT,
        'key.name',
        'KEY_NAME',
        'key-name',
      ),
    );
  }
  if (value === '.') errs.push("must not be '.'");
  else if (value === '..') errs.push("must not be '..'");
  else if (value.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/** path.IsValidPathSegmentName: what RBAC object names (e.g. `system:node-bootstrapper`) must satisfy. */
export function isValidPathSegmentName(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  const errs: string[] = [];
  for (const bad of ['/', '%']) if (name.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
}

/** IsQualifiedName, used for label and annotation keys. */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) name = parts[0]!;
  else if (parts.length === 2) {
    const [prefix, n] = parts as [string, string];
    name = n;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else for (const e of isDNS1123Subdomain(prefix)) errs.push(`prefix part ${e}`);
  } else {
    return [
      'a qualified name ' +
        regexError(
          "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
          QUALIFIED_NAME_FMT,
          'MyName',
          'my.name',
          '123-abc',
        ) +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push(`name part ${maxLenError(63)}`);
  if (name.length > 0 && !qualifiedNameRe.test(name)) {
    errs.push(
      'name part ' +
        regexError(
          "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
          QUALIFIED_NAME_FMT,
          'MyName',
          'my.name',
          '123-abc',
        ),
    );
  }
  return errs;
}

export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLenError(63));
  if (!labelValueRe.test(value)) {
    errs.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        LABEL_VALUE_FMT,
        'MyValue',
        'my_value',
        '12345',
      ),
    );
  }
  return errs;
}

export type NameValidator = (name: string) => string[];

export interface MetaLike {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/**
 * ValidateObjectMeta (objectmeta.go): name or generateName required, name checked by the kind's
 * validator, namespace required exactly when namespaced, labels and annotations checked.
 */
export function validateObjectMeta(meta: MetaLike, namespaced: boolean, nameFn: NameValidator): FieldError[] {
  const errs: FieldError[] = [];
  if (meta.generateName) {
    for (const msg of nameFn(meta.generateName.replace(/-$/, 'x'))) errs.push(invalid('metadata.generateName', meta.generateName, msg));
  }
  if (!meta.name) errs.push(required('metadata.name', 'name or generateName is required'));
  else for (const msg of nameFn(meta.name)) errs.push(invalid('metadata.name', meta.name, msg));
  if (namespaced) {
    if (!meta.namespace) errs.push(required('metadata.namespace', ''));
    else for (const msg of isDNS1123Label(meta.namespace)) errs.push(invalid('metadata.namespace', meta.namespace, msg));
  } else if (meta.namespace) {
    errs.push({ type: 'FieldValueForbidden', field: 'metadata.namespace', badValue: '', detail: 'not allowed on this type' });
  }
  for (const [k, v] of Object.entries(meta.labels ?? {})) {
    for (const msg of isQualifiedName(k)) errs.push(invalid('metadata.labels', k, msg));
    for (const msg of isValidLabelValue(String(v))) errs.push(invalid('metadata.labels', v, msg));
  }
  let annotationBytes = 0;
  for (const [k, v] of Object.entries(meta.annotations ?? {})) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(invalid('metadata.annotations', k, msg));
    annotationBytes += k.length + String(v).length;
  }
  if (annotationBytes > 256 * 1024) {
    errs.push({ type: 'FieldValueTooLong', field: 'metadata.annotations', badValue: '', detail: 'may not be more than 262144 bytes' });
  }
  return errs;
}
