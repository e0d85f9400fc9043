/**
 * RSASSA-PKCS1-v1_5 verification over candidate keys, with `crypto.subtle` only (workerd and
 * Node 20). No I/O beyond WebCrypto, no clock.
 */
import type { DigestName } from './algorithms.js';
import { OID_RSA_ENCRYPTION } from './algorithms.js';
import type { TrustedSigner } from './certificate.js';
import { importRsaVerifyKey, type RsaKeyCache } from './key-cache.js';

export type RsaVerifyOutcome =
  | { readonly verified: true; readonly signer: TrustedSigner }
  | { readonly verified: false; readonly detail: string };

/**
 * The first candidate whose key verifies `signature` over `data`, or why none did. Candidates
 * whose key is not RSA, or that WebCrypto refuses to import, are skipped (and named in the detail).
 */
export async function verifyRsaPkcs1(
  data: Uint8Array,
  signature: Uint8Array,
  hash: DigestName,
  candidates: readonly TrustedSigner[],
  keyCache?: RsaKeyCache,
): Promise<RsaVerifyOutcome> {
  const skipped: string[] = [];
  for (const [index, candidate] of candidates.entries()) {
    if (candidate.kind === 'certificate' && candidate.publicKeyAlgorithm !== OID_RSA_ENCRYPTION) {
      skipped.push(`candidate ${index} has a ${candidate.publicKeyAlgorithm} key`);
      continue;
    }
    let key: CryptoKey;
    try {
      key = await (keyCache === undefined ? importRsaVerifyKey(candidate.spki, hash) : keyCache.importVerifyKey(candidate.spki, hash));
    } catch {
      skipped.push(`candidate ${index}: key not importable`);
      continue;
    }
    try {
      if (await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, signature as Uint8Array<ArrayBuffer>, data as Uint8Array<ArrayBuffer>)) return { verified: true, signer: candidate };
    } catch {
      skipped.push(`candidate ${index}: verify failed`);
    }
  }
  const tried = candidates.length - skipped.length;
  return {
    verified: false,
    detail: `RSA ${hash} signature does not verify under ${tried} candidate key(s)${skipped.length > 0 ? `; ${skipped.join('; ')}` : ''}`,
  };
}
