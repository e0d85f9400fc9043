/**
 * Structural guard for untrusted BER/DER, run before any ASN.1 library sees the bytes.
 * No I/O, no clock. Iterative (an explicit stack, no recursion), so hostile nesting cannot
 * exhaust the call stack, and linear in the input length.
 *
 * It accepts exactly one complete TLV spanning the whole input, and rejects: empty or oversized
 * input; declared lengths larger than what remains in the enclosing element (the "4 GiB length"
 * trick); indefinite lengths on primitive elements; indefinite-length elements without their
 * end-of-contents octets (asn1js only warns about those, so truncated BER would otherwise parse);
 * end-of-contents outside an indefinite element; nesting deeper than `maxDepth`; more than
 * `maxElements` elements; trailing bytes after the element.
 */
export interface BerLimits {
  /** Largest accepted input. The HTTP layer caps bodies at 64 KiB; a PKCS7 is far smaller. */
  readonly maxBytes: number;
  /** Deepest accepted nesting of constructed elements (a CMS SignedData with certificates needs about 12). */
  readonly maxDepth: number;
  /** Most elements accepted in one structure (an AWS rsa2048 PKCS7 has about 60). */
  readonly maxElements: number;
}

export const DEFAULT_BER_LIMITS: BerLimits = { maxBytes: 64 * 1024, maxDepth: 32, maxElements: 4096 };

export type BerGuardResult = { readonly ok: true } | { readonly ok: false; readonly detail: string };

const INDEFINITE = -1;

export function checkBerStructure(input: Uint8Array, limits: BerLimits = DEFAULT_BER_LIMITS): BerGuardResult {
  const fail = (detail: string): BerGuardResult => ({ ok: false, detail });
  if (input.length === 0) return fail('empty ASN.1 input');
  if (input.length > limits.maxBytes) return fail(`ASN.1 input of ${input.length} bytes exceeds ${limits.maxBytes}`);

  // ends[i]: end offset of the i-th open constructed element, or INDEFINITE.
  // bounds[i]: offset its children must not pass (its own end, or the enclosing bound if indefinite).
  const ends: number[] = [];
  const bounds: number[] = [];
  let pos = 0;
  let elements = 0;
  let started = false;

  for (;;) {
    while (ends.length > 0 && ends[ends.length - 1] === pos) {
      ends.pop();
      bounds.pop();
    }
    if (started && ends.length === 0) break;
    started = true;

    const bound = bounds.length > 0 ? (bounds[bounds.length - 1] as number) : input.length;
    if (pos >= bound) {
      return fail(bound === input.length ? 'truncated ASN.1 input' : `ASN.1 element at offset ${pos} overruns its parent`);
    }
    if (++elements > limits.maxElements) return fail(`more than ${limits.maxElements} ASN.1 elements`);

    const tagOffset = pos;
    const identifier = input[pos++] as number;
    if ((identifier & 0x1f) === 0x1f) {
      // High tag number form: base-128, at most 4 octets (tag numbers up to 2^28), minimal.
      let octets = 0;
      for (;;) {
        if (pos >= bound) return fail('truncated ASN.1 tag');
        const b = input[pos++] as number;
        if (octets === 0 && b === 0x80) return fail(`non-minimal ASN.1 tag at offset ${tagOffset}`);
        if (++octets > 4) return fail(`ASN.1 tag number too large at offset ${tagOffset}`);
        if ((b & 0x80) === 0) break;
      }
    }
    if (pos >= bound) return fail('truncated ASN.1 length');
    const lengthOctet = input[pos++] as number;
    const constructed = (identifier & 0x20) !== 0;

    if (identifier === 0x00) {
      if (lengthOctet !== 0x00) return fail(`invalid end-of-contents at offset ${tagOffset}`);
      if (ends.length === 0 || ends[ends.length - 1] !== INDEFINITE) {
        return fail(`end-of-contents outside an indefinite-length element at offset ${tagOffset}`);
      }
      ends.pop();
      bounds.pop();
      continue;
    }

    if (lengthOctet === 0x80) {
      if (!constructed) return fail(`indefinite length on a primitive element at offset ${tagOffset}`);
      ends.push(INDEFINITE);
      bounds.push(bound);
    } else {
      let length = lengthOctet;
      if (lengthOctet > 0x80) {
        const count = lengthOctet & 0x7f;
        if (count > 4) return fail(`ASN.1 length of ${count} octets at offset ${tagOffset}`);
        length = 0;
        for (let i = 0; i < count; i++) {
          if (pos >= bound) return fail('truncated ASN.1 length');
          length = length * 256 + (input[pos++] as number);
        }
      }
      if (length > bound - pos) {
        return fail(`ASN.1 element at offset ${tagOffset} declares ${length} bytes, only ${bound - pos} available`);
      }
      if (constructed) {
        ends.push(pos + length);
        bounds.push(pos + length);
      } else {
        pos += length;
      }
    }
    if (ends.length > limits.maxDepth) return fail(`ASN.1 nesting deeper than ${limits.maxDepth}`);
  }

  if (pos !== input.length) return fail(`${input.length - pos} trailing bytes after the ASN.1 element`);
  return { ok: true };
}

/**
 * The same limits, for @peculiar/asn1-schema's parser (asn1js `fromBER` options), a second line
 * of defence behind `checkBerStructure`.
 */
export const asn1ParseOptions = (limits: BerLimits) => ({
  berOptions: {
    maxDepth: limits.maxDepth + 8,
    maxNodes: limits.maxElements + 64,
    maxContentLength: limits.maxBytes,
    // Do not look for ASN.1 inside OCTET/BIT STRING values: nothing here needs it, and it would
    // parse attacker bytes (the eContent, attribute values) that the guard treated as opaque.
    parseEmbedded: false,
  },
});
