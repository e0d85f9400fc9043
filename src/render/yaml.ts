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

const kubernetesString: ScalarTag = {
  identify: (value) => typeof value === 'string',
  default: true,
  tag: 'tag:yaml.org,2002:str',
  resolve: (source) => source,
  stringify(item, ctx, onComment, onChompKeep) {
    const text = String(item.value);
    if (item.type === Scalar.BLOCK_LITERAL && isLiteralBlockText(text)) return stringifyString(item, ctx, onComment, onChompKeep);
    return PLAIN_STRING.test(text) && !text.endsWith(':') && !YAML_1_1_WORD.test(text) ? text : quoteAscii(text);
  },
};

const withKubernetesStrings = (tags: Tags): Tags =>
  tags.map((tag) => (typeof tag === 'object' && tag.tag === kubernetesString.tag ? kubernetesString : tag));

/**
 * Serializes `document` (plain objects, arrays, strings, numbers, booleans, {@link literalBlock}s)
 * as block YAML that go-yaml and `yaml` both parse back to exactly `document`.
 *
 * @throws {RenderError} `unrepresentable_value` if a string holds an unpaired surrogate.
 */
export function toKubernetesYaml(document: unknown): string {
  return stringify(document, { customTags: withKubernetesStrings, indentSeq: false, lineWidth: 0 });
}
