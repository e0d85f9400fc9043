/** Just enough DER walking to find the signed bytes of a PKCS#10 request or a certificate. */
export interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
}

export function readTlv(buf: Uint8Array, offset: number): Tlv {
  if (offset + 2 > buf.length) throw new Error('asn1: truncated');
  const tag = buf[offset]!;
  let len = buf[offset + 1]!;
  let p = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > buf.length) throw new Error('asn1: bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i]!;
    p += n;
  }
  if (p + len > buf.length) throw new Error('asn1: truncated');
  return { tag, start: offset, contentStart: p, end: p + len };
}

export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let p = parent.contentStart;
  while (p < parent.end) {
    const t = readTlv(buf, p);
    out.push(t);
    p = t.end;
  }
  return out;
}

export function decodeOid(bytes: Uint8Array): string {
  const parts: number[] = [];
  let v = 0;
  for (let i = 0; i < bytes.length; i++) {
    v = v * 128 + (bytes[i]! & 0x7f);
    if (!(bytes[i]! & 0x80)) {
      if (parts.length === 0) {
        const first = v < 80 ? Math.floor(v / 40) : 2;
        parts.push(first, v - first * 40);
      } else parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

/** Split a SIGNED{…} structure into to-be-signed bytes, algorithm OID and signature bits. */
export function splitSigned(der: Uint8Array): { tbs: Uint8Array; algorithmOid: string; signature: Uint8Array } {
  const outer = readTlv(der, 0);
  const [tbs, alg, sig] = children(der, outer);
  if (!tbs || !alg || !sig) throw new Error('asn1: structure error');
  const oid = children(der, alg)[0];
  if (!oid || oid.tag !== 0x06) throw new Error('asn1: missing algorithm');
  return {
    tbs: der.subarray(tbs.start, tbs.end),
    algorithmOid: decodeOid(der.subarray(oid.contentStart, oid.end)),
    signature: der.subarray(sig.contentStart + 1, sig.end),
  };
}
