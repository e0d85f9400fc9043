/**
 * certificates/v1 KeyUsage strings and their X.509 meaning, as in
 * pkg/controller/certificates/authority/policies.go (`keyUsageDict`, `extKeyUsageDict`) and the set
 * accepted on create (pkg/apis/certificates/validation/validation.go `allValidUsages`).
 */
import { KeyUsageFlags } from '@peculiar/x509';

export const KEY_USAGE_FLAGS: Readonly<Record<string, KeyUsageFlags>> = {
  signing: KeyUsageFlags.digitalSignature,
  'digital signature': KeyUsageFlags.digitalSignature,
  'content commitment': KeyUsageFlags.nonRepudiation,
  'key encipherment': KeyUsageFlags.keyEncipherment,
  'key agreement': KeyUsageFlags.keyAgreement,
  'data encipherment': KeyUsageFlags.dataEncipherment,
  'cert sign': KeyUsageFlags.keyCertSign,
  'crl sign': KeyUsageFlags.cRLSign,
  'encipher only': KeyUsageFlags.encipherOnly,
  'decipher only': KeyUsageFlags.decipherOnly,
};

/** Extended key usages with Go's x509.ExtKeyUsage enum rank (the signer sorts by it). */
export const EXT_KEY_USAGES: Readonly<Record<string, { oid: string; rank: number }>> = {
  any: { oid: '2.5.29.37.0', rank: 0 },
  'server auth': { oid: '1.3.6.1.5.5.7.3.1', rank: 1 },
  'client auth': { oid: '1.3.6.1.5.5.7.3.2', rank: 2 },
  'code signing': { oid: '1.3.6.1.5.5.7.3.3', rank: 3 },
  'email protection': { oid: '1.3.6.1.5.5.7.3.4', rank: 4 },
  's/mime': { oid: '1.3.6.1.5.5.7.3.4', rank: 4 },
  'ipsec end system': { oid: '1.3.6.1.5.5.7.3.5', rank: 5 },
  'ipsec tunnel': { oid: '1.3.6.1.5.5.7.3.6', rank: 6 },
  'ipsec user': { oid: '1.3.6.1.5.5.7.3.7', rank: 7 },
  timestamping: { oid: '1.3.6.1.5.5.7.3.8', rank: 8 },
  'ocsp signing': { oid: '1.3.6.1.5.5.7.3.9', rank: 9 },
  'microsoft sgc': { oid: '1.3.6.1.4.1.311.10.3.3', rank: 10 },
  'netscape sgc': { oid: '2.16.840.1.113730.4.1', rank: 11 },
};

/** `allValidUsages.List()`: sorted. */
export const ALL_VALID_USAGES: readonly string[] = [...Object.keys(KEY_USAGE_FLAGS), ...Object.keys(EXT_KEY_USAGES)].sort();

/** keyUsagesFromStrings: the KeyUsage bit mask and the de-duplicated, rank-sorted EKU OIDs. */
export function keyUsagesFromStrings(usages: readonly string[]): { keyUsage: number; extKeyUsages: string[] } | { error: string } {
  let keyUsage = 0;
  const ext = new Map<string, number>();
  const unrecognized: string[] = [];
  for (const u of usages) {
    const flag = KEY_USAGE_FLAGS[u];
    const e = EXT_KEY_USAGES[u];
    if (flag !== undefined) keyUsage |= flag;
    else if (e) ext.set(e.oid, e.rank);
    else unrecognized.push(u);
  }
  if (unrecognized.length > 0) {
    return { error: `unrecognized usage values: [${unrecognized.map((u) => JSON.stringify(u)).join(' ')}]` };
  }
  return { keyUsage, extKeyUsages: [...ext.entries()].sort((a, b) => a[1] - b[1]).map(([oid]) => oid) };
}
