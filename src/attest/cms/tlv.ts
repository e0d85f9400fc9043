/**
 * A minimal BER reader that locates elements by byte range, for the parts of a SignedData whose
 * exact bytes matter (eContent, signed attributes, issuer names, public keys). Schema validation
 * and typed fields come from @peculiar/asn1-cms; this only answers "where are these bytes".
 * Callers run `checkBerStructure` first; every read here is still bounds-checked and returns
 * `undefined` rather than throwing.
 */
export const TAG_CLASS_UNIVERSAL = 0;
export const TAG_CLASS_CONTEXT = 2;

export const UNIVERSAL = {
  integer: 2,
  octetString: 4,
  objectIdentifier: 6,
  sequence: 16,
  set: 17,
} as const;

export interface Tlv {
  readonly tagClass: number;
  readonly constructed: boolean;
  readonly tagNumber: number;
  /** Offset of the identifier octet. */
  readonly start: number;
  readonly contentStart: number;
  /** Exclusive end of the contents (for indefinite lengths: the end-of-contents octets' offset). */
  readonly contentEnd: number;
  /** Exclusive end of the whole element. */
  readonly end: number;
  readonly indefinite: boolean;
}

const MAX_READ_DEPTH = 64;

export function readTlv(bytes: Uint8Array, offset: number, bound: number = bytes.length, depth = 0): Tlv | undefined {
  if (depth > MAX_READ_DEPTH || offset < 0 || bound > bytes.length || offset >= bound) return undefined;
  let pos = offset;
  const identifier = bytes[pos++] as number;
  const tagClass = identifier >> 6;
  const constructed = (identifier & 0x20) !== 0;
  let tagNumber = identifier & 0x1f;
  if (tagNumber === 0x1f) {
    tagNumber = 0;
    for (let octets = 0; ; octets++) {
      if (pos >= bound || octets >= 4) return undefined;
      const b = bytes[pos++] as number;
      tagNumber = tagNumber * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
  }
  if (pos >= bound) return undefined;
  const lengthOctet = bytes[pos++] as number;
  if (lengthOctet === 0x80) {
    if (!constructed) return undefined;
    const contentStart = pos;
    for (;;) {
      if (pos + 1 < bound && bytes[pos] === 0 && bytes[pos + 1] === 0) {
        return { tagClass, constructed, tagNumber, start: offset, contentStart, contentEnd: pos, end: pos + 2, indefinite: true };
      }
      const child = readTlv(bytes, pos, bound, depth + 1);
      if (child === undefined) return undefined;
      pos = child.end;
    }
  }
  let length = lengthOctet;
  if (lengthOctet > 0x80) {
    const count = lengthOctet & 0x7f;
    if (count > 4) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) {
      if (pos >= bound) return undefined;
      length = length * 256 + (bytes[pos++] as number);
    }
  }
  if (length > bound - pos) return undefined;
  return { tagClass, constructed, tagNumber, start: offset, contentStart: pos, contentEnd: pos + length, end: pos + length, indefinite: false };
}

/** The elements inside a constructed element, in order; `undefined` if any is broken. */
export function childrenOf(bytes: Uint8Array, parent: Tlv): Tlv[] | undefined {
  if (!parent.constructed) return undefined;
  const children: Tlv[] = [];
  let pos = parent.contentStart;
  while (pos < parent.contentEnd) {
    const child = readTlv(bytes, pos, parent.contentEnd);
    if (child === undefined) return undefined;
    children.push(child);
    pos = child.end;
  }
  return children;
}

export const isUniversal = (tlv: Tlv | undefined, tagNumber: number): tlv is Tlv =>
  tlv !== undefined && tlv.tagClass === TAG_CLASS_UNIVERSAL && tlv.tagNumber === tagNumber;

export const isContext = (tlv: Tlv | undefined, tagNumber: number): tlv is Tlv =>
  tlv !== undefined && tlv.tagClass === TAG_CLASS_CONTEXT && tlv.tagNumber === tagNumber;

export const elementBytes = (bytes: Uint8Array, tlv: Tlv): Uint8Array => bytes.subarray(tlv.start, tlv.end);

export const contentBytes = (bytes: Uint8Array, tlv: Tlv): Uint8Array => bytes.subarray(tlv.contentStart, tlv.contentEnd);

/**
 * The value of an OCTET STRING, primitive or constructed (BER, X.690 §8.7.3: the concatenation of
 * the nested OCTET STRING segments, as AWS encodes its eContent).
 */
export function octetStringValue(bytes: Uint8Array, tlv: Tlv, depth = 0): Uint8Array | undefined {
  if (!isUniversal(tlv, UNIVERSAL.octetString) || depth > MAX_READ_DEPTH) return undefined;
  if (!tlv.constructed) return contentBytes(bytes, tlv);
  const segments: Uint8Array[] = [];
  for (const child of childrenOf(bytes, tlv) ?? [undefined]) {
    const segment = child === undefined ? undefined : octetStringValue(bytes, child, depth + 1);
    if (segment === undefined) return undefined;
    segments.push(segment);
  }
  const total = segments.reduce((n, s) => n + s.length, 0);
  const value = new Uint8Array(total);
  let offset = 0;
  for (const segment of segments) {
    value.set(segment, offset);
    offset += segment.length;
  }
  return value;
}

/** Dotted-decimal form of an OBJECT IDENTIFIER's contents (X.690 §8.19); minimal encodings only. */
export function decodeOid(content: Uint8Array): string | undefined {
  if (content.length === 0 || content.length > 64) return undefined;
  const arcs: number[] = [];
  let value = 0;
  let fresh = true;
  for (const b of content) {
    if (fresh && b === 0x80) return undefined;
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER) return undefined;
    fresh = (b & 0x80) === 0;
    if (fresh) {
      if (arcs.length === 0) {
        const first = value < 40 ? 0 : value < 80 ? 1 : 2;
        arcs.push(first, value - first * 40);
      } else {
        arcs.push(value);
      }
      value = 0;
    }
  }
  return fresh ? arcs.join('.') : undefined;
}

/** The OID string of an OBJECT IDENTIFIER element. */
export const oidOf = (bytes: Uint8Array, tlv: Tlv | undefined): string | undefined =>
  isUniversal(tlv, UNIVERSAL.objectIdentifier) && !tlv.constructed ? decodeOid(contentBytes(bytes, tlv)) : undefined;

/**
 * AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }
 * (RFC 5280 §4.1.1.2). `parameters` is `undefined` when absent, `null` for an exact NULL, else the
 * parameters element's bytes.
 */
export function readAlgorithmIdentifier(bytes: Uint8Array, tlv: Tlv | undefined): { oid: string; parameters: Uint8Array | null | undefined } | undefined {
  if (!isUniversal(tlv, UNIVERSAL.sequence)) return undefined;
  const parts = childrenOf(bytes, tlv);
  const oid = oidOf(bytes, parts?.[0]);
  if (parts === undefined || parts.length > 2 || oid === undefined) return undefined;
  const parameters = parts[1];
  if (parameters === undefined) return { oid, parameters: undefined };
  const isNull = parameters.tagClass === TAG_CLASS_UNIVERSAL && parameters.tagNumber === 5 && !parameters.constructed && parameters.contentEnd === parameters.contentStart;
  return { oid, parameters: isNull ? null : elementBytes(bytes, parameters) };
}
