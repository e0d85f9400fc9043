/**
 * IP addresses as comparable text. No I/O. A serving CSR's iPAddress SAN is raw bytes; the
 * attested address is text from an identity document: both go to one canonical form (dotted
 * quad for IPv4, RFC 5952 for IPv6) before they are compared, so `10.0.1.23` never matches
 * `10.0.1.023` by accident nor misses `fd00::1` written `fd00:0:0::1`.
 *
 * An IPv4-mapped IPv6 address (`::ffff:10.0.1.23`, 16 bytes) stays IPv6 here: it is not the same
 * SAN as the 4-byte address, and a certificate carrying it is not what the document attested.
 */

/** Canonical text of a 4- or 16-byte address; undefined for any other length. */
export function ipAddressText(bytes: Uint8Array): string | undefined {
  if (bytes.length === 4) return [...bytes].join('.');
  if (bytes.length !== 16) return undefined;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  // RFC 5952 §4.2: compress the longest run of two or more zero groups (the first on a tie).
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (list: number[]) => list.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function ipv4Bytes(text: string): number[] | undefined {
  return IPV4.test(text) ? text.split('.').map(Number) : undefined;
}

function ipv6Bytes(text: string): number[] | undefined {
  if (!/^[0-9A-Fa-f:.]{2,45}$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (const [index, piece] of pieces.entries()) {
      if (index === pieces.length - 1 && piece.includes('.')) {
        const v4 = ipv4Bytes(piece);
        if (v4 === undefined) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(piece)) {
        out.push(Number.parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

/** Canonical text of an address written as text (IPv4 dotted quad or IPv6); undefined if it is not one. */
export function canonicalIpAddress(text: string): string | undefined {
  const bytes = ipv4Bytes(text) ?? ipv6Bytes(text);
  return bytes === undefined ? undefined : ipAddressText(Uint8Array.from(bytes));
}
