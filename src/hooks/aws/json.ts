/**
 * Bounded JSON for untrusted hook bodies. No I/O, no clock.
 *
 * The body must be at most `maxBytes` of valid UTF-8 whose nesting never exceeds `maxDepth`, and
 * its top-level value must be an object. Size and depth are checked before `JSON.parse` runs, so
 * a hostile body costs one linear scan. Fields are read with `ownField`, never `object[key]`: a
 * parsed object inherits `toString`, `constructor`, … from Object.prototype, and an absent key
 * must read as absent.
 *
 * Duplicate keys keep JSON.parse's last-wins rule. That cannot split verification from use: the
 * SNS signature is checked over the very values this parse produced, and those are the values
 * the broker acts on.
 */
import { hookFailure, hookOk, type HookResult } from './result.js';

export interface JsonLimits {
  /** Largest accepted body, in UTF-8 bytes. */
  readonly maxBytes: number;
  /** Deepest accepted nesting of objects and arrays (a flat object is depth 1). */
  readonly maxDepth: number;
}

/**
 * Lifecycle notifications are under 2 KiB and SNS envelopes under 4 KiB in practice; EventBridge
 * allows 256 KiB events, but a lifecycle action is small. The deepest legitimate body (an SNS
 * envelope with MessageAttributes) nests 3 levels.
 */
export const DEFAULT_JSON_LIMITS: JsonLimits = { maxBytes: 64 * 1024, maxDepth: 16 };

export type JsonObject = { readonly [key: string]: unknown };

export type JsonInput = Uint8Array | ArrayBuffer | string;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const utf8Encoder = new TextEncoder();

/** Parses `input` as one JSON object within `limits`; anything else is `malformed_event`. */
export function parseJsonObject(input: JsonInput, limits: JsonLimits = DEFAULT_JSON_LIMITS): HookResult<JsonObject> {
  const text = decodeBounded(input, limits.maxBytes);
  if (!text.ok) return text;
  if (!withinDepth(text.value, limits.maxDepth)) return hookFailure('malformed_event', `JSON nests deeper than ${limits.maxDepth}`);
  let value: unknown;
  try {
    value = JSON.parse(text.value);
  } catch {
    return hookFailure('malformed_event', 'body is not JSON');
  }
  if (!isJsonObject(value)) return hookFailure('malformed_event', `top-level JSON value is ${describeJsonType(value)}, expected an object`);
  return hookOk(value);
}

function decodeBounded(input: JsonInput, maxBytes: number): HookResult<string> {
  if (typeof input === 'string') {
    // UTF-8 never takes fewer bytes than UTF-16 code units, so the cheap check is exact enough to
    // refuse a huge string before encoding it.
    if (input.length > maxBytes || utf8Encoder.encode(input).byteLength > maxBytes) {
      return hookFailure('malformed_event', `body exceeds ${maxBytes} bytes`);
    }
    return hookOk(input);
  }
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (bytes.byteLength > maxBytes) return hookFailure('malformed_event', `body of ${bytes.byteLength} bytes exceeds ${maxBytes}`);
  try {
    return hookOk(utf8.decode(bytes));
  } catch {
    return hookFailure('malformed_event', 'body is not valid UTF-8');
  }
}

/** Whether the brackets outside string literals never nest deeper than `maxDepth`. Linear, no allocation. */
function withinDepth(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (escaped) escaped = false;
      else if (c === 0x5c) escaped = true;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > maxDepth) return false;
    } else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return true;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `object[key]` if `key` is the object's own property, else undefined (never an inherited member). */
export function ownField(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
