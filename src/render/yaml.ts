/**
 * The one YAML serializer for everything the broker renders (kubeconfig, JoinConfiguration).
 * No I/O. Documents are built as objects and written by the `yaml` library; this module only
 * decides how a string scalar is spelled, because the readers are Go programs (kubectl, kubeadm,
 * kubelet) whose YAML parser (go-yaml, YAML 1.1 rules) disagrees with `yaml`'s YAML 1.2 defaults.
 */
import { Scalar, stringify, type ScalarTag, type Tags } from 'yaml';
import { stringifyString } from 'yaml/util';
import { RenderError } from './errors.js';

/**
 * Strings that every YAML 1.1 and 1.2 reader takes as the same plain string: they start with a
 * letter or `/` (so never a number, timestamp, sexagesimal, anchor, alias, tag, directive,
 * indicator or document marker), contain no blank (so no `: ` or ` #`) and no flow indicator, and
 * do not end with `:`.
 */
const PLAIN_STRING = /^[A-Za-z/][A-Za-z0-9._/:@+=-]*$/;

/** Letter-initial words that YAML 1.1 resolves to booleans or null (go-yaml does, `yaml` 1.2 does not). */
const YAML_1_1_WORD = /^(?:y|yes|n|no|true|false|on|off|null)$/i;

const ESCAPES: Readonly<Record<string, string>> = { '"': '\\"', '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * Double-quoted scalar whose text is printable ASCII only. `yaml`'s own double-quoted style
 * escapes only what JSON.stringify escapes, leaving DEL, C1 controls, U+FEFF and U+FFFE/F raw
 * (go-yaml refuses the whole file: "control characters are not allowed") and U+0085, U+2028 and
 * U+2029 raw (go-yaml reads them as line breaks and folds them into a space: a changed value).
 * Escaping every non-printable-ASCII code point as `\xXX`, `\uXXXX` or `\UXXXXXXXX` (escapes both
 * YAML 1.1 and 1.2 define) leaves nothing a reader can interpret differently.
 */
function quoteAscii(value: string): string {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0) ?? 0;
    if (0xd800 <= cp && cp <= 0xdfff) {
      throw new RenderError('unrepresentable_value', 'a value for YAML contains an unpaired surrogate');
    }
    const escape = ESCAPES[ch];
    if (escape !== undefined) out += escape;
    else if (cp >= 0x20 && cp <= 0x7e) out += ch;
    else if (cp <= 0xff) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** A line a literal block carries verbatim: printable ASCII not ending in a blank (or empty). */
const LITERAL_BLOCK_LINE = /^(?:[ -~]*[!-~])?$/;

/**
 * Text that a literal block scalar (`|`, clip chomping, no indentation indicator) hands to every
 * YAML 1.1 and 1.2 reader unchanged: lines of printable ASCII (no tab, no CR, no line break a
 * reader could fold), none ending in a blank, a first line that starts with a non-blank, and
 * exactly one final newline.
 */
const isLiteralBlockText = (text: string): boolean =>
  /^[!-~]/.test(text) &&
  text.endsWith('\n') &&
  !text.endsWith('\n\n') &&
  text.slice(0, -1).split('\n').every((line) => LITERAL_BLOCK_LINE.test(line));

/**
 * Marks `text` (for instance an embedded script) to be written as a literal block (`|`), which
 * keeps it readable in the document. Text a literal block could not carry verbatim is written
 * double-quoted instead, like any other string: the value read back is the same either way.
 */
export function literalBlock(text: string): Scalar<string> {
  const node = new Scalar(text);
  node.type = Scalar.BLOCK_LITERAL;
  return node;
}

/** How a string scalar (other than a literal block) is spelled: plain when every reader agrees, else double-quoted ASCII. */
const spellString = (text: string): string => (PLAIN_STRING.test(text) && !text.endsWith(':') && !YAML_1_1_WORD.test(text) ? text : quoteAscii(text));

const kubernetesString: ScalarTag = {
  identify: (value) => typeof value === 'string',
  default: true,
  tag: 'tag:yaml.org,2002:str',
  resolve: (source) => source,
  stringify(item, ctx, onComment, onChompKeep) {
    const text = String(item.value);
    if (item.type === Scalar.BLOCK_LITERAL && isLiteralBlockText(text)) return stringifyString(item, ctx, onComment, onChompKeep);
    return spellString(text);
  },
};

const withKubernetesStrings = (tags: Tags): Tags =>
  tags.map((tag) => (typeof tag === 'object' && tag.tag === kubernetesString.tag ? kubernetesString : tag));

/**
 * Serializes `document` (plain objects, arrays, strings, numbers, booleans, {@link literalBlock}s)
 * as block YAML that go-yaml and `yaml` both parse back to exactly `document`.
 *
 * A document of plain data (what the renderers build) is written by {@link writePlainDocument},
 * which produces exactly the text of the `yaml` library with these options (test/render/yaml.test.ts
 * compares the two on generated documents) at a fraction of the CPU, which a join pays once per
 * bundle; anything else (shared or circular objects, dates, class instances, long keys, …) goes
 * to the library.
 *
 * @throws {RenderError} `unrepresentable_value` if a string holds an unpaired surrogate.
 */
export function toKubernetesYaml(document: unknown): string {
  return writePlainDocument(document) ?? toKubernetesYamlByLibrary(document);
}

/** The `yaml` library's rendering of `document`: the reference {@link toKubernetesYaml} must equal. */
export function toKubernetesYamlByLibrary(document: unknown): string {
  return stringify(document, { customTags: withKubernetesStrings, indentSeq: false, lineWidth: 0 });
}

type PlainValue = string | number | boolean | null | Scalar<string> | PlainValue[] | { [key: string]: PlainValue | undefined };

/** Keys up to this length can never need the library's explicit-key form (`? key`, over 1024 characters once quoted). */
const MAX_PLAIN_KEY = 128;

const isPlainObject = (value: object): boolean => {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return (prototype === Object.prototype || prototype === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
};

/** A Scalar exactly as {@link literalBlock} makes it: block-literal type, a string, nothing else set. */
const isLiteralBlock = (value: Scalar): boolean =>
  value.type === Scalar.BLOCK_LITERAL &&
  typeof value.value === 'string' &&
  value.tag === undefined &&
  value.format === undefined &&
  value.anchor === undefined &&
  value.comment === undefined &&
  value.commentBefore === undefined &&
  !value.spaceBefore &&
  Object.getPrototypeOf(value) === Scalar.prototype;

/**
 * Whether `value` is plain data {@link writePlainDocument} writes as the library does: strings,
 * finite numbers other than -0, booleans, null, literal blocks, and plain objects and arrays,
 * none of them reached twice (the library writes a repeated object as an anchor and aliases).
 */
function isPlainData(value: unknown, seen: Set<object>): value is PlainValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (seen.has(value)) return false;
      seen.add(value);
      if (value instanceof Scalar) return isLiteralBlock(value);
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return false;
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item !== undefined && !isPlainData(item, seen)) return false;
        }
        return true;
      }
      if (!isPlainObject(value)) return false;
      for (const key of Object.keys(value)) {
        const item = (value as Record<string, unknown>)[key];
        if (key.length > MAX_PLAIN_KEY || (item !== undefined && !isPlainData(item, seen))) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

const isCollection = (value: PlainValue): value is PlainValue[] | { [key: string]: PlainValue | undefined } =>
  typeof value === 'object' && value !== null && !(value instanceof Scalar);

/** A non-collection value as it follows `key: ` or `- `; `indent` is its lines' indentation, for a literal block. */
function writeScalar(value: Exclude<PlainValue, PlainValue[] | { [key: string]: PlainValue | undefined }>, indent: string): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return spellString(value);
  if (typeof value === 'number') return JSON.stringify(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = value.value;
  if (!isLiteralBlockText(text)) return spellString(text);
  // `|` (clip chomping: exactly one final newline), each line at `indent`, empty lines left empty.
  let out = '|';
  for (const line of text.slice(0, -1).split('\n')) out += line === '' ? '\n' : `\n${indent}${line}`;
  return out;
}

/** Entries of a collection, the first one unindented (it follows `- ` or starts the document), the rest at `indent`. */
function writeCollection(value: PlainValue[] | { [key: string]: PlainValue | undefined }, indent: string): string {
  const inner = `${indent}  `;
  const lines: string[] = [];
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    for (let i = 0; i < value.length; i++) {
      const item = value[i] ?? null;
      lines.push(`- ${isCollection(item) ? writeCollection(item, inner) : writeScalar(item, inner)}`);
    }
  } else {
    for (const key of Object.keys(value)) {
      const item = value[key];
      if (item === undefined) continue;
      const name = spellString(key);
      if (!isCollection(item)) lines.push(`${name}: ${writeScalar(item, inner)}`);
      else if (Array.isArray(item)) lines.push(item.length === 0 ? `${name}: []` : `${name}:\n${indent}${writeCollection(item, indent)}`);
      else lines.push(Object.keys(item).some((k) => item[k] !== undefined) ? `${name}:\n${inner}${writeCollection(item, inner)}` : `${name}: {}`);
    }
    if (lines.length === 0) return '{}';
  }
  return lines.join(`\n${indent}`);
}

/**
 * The library's block YAML for a plain-data object or array (`indentSeq: false`: a sequence in a
 * mapping sits at its key's indentation; empty collections as `{}` and `[]`; `undefined` members
 * left out, `undefined` items written as null), or `undefined` when `document` is anything else.
 */
function writePlainDocument(document: unknown): string | undefined {
  if (typeof document !== 'object' || document === null || document instanceof Scalar) return undefined;
  if (!isPlainData(document, new Set())) return undefined;
  return `${writeCollection(document as PlainValue[] | { [key: string]: PlainValue | undefined }, '')}\n`;
}
