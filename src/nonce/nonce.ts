/**
 * Broker nonces for Azure attested data. Pure: randomness comes from the injected `Random`.
 *
 * Format: 32 decimal digits (log2(10^32) ≈ 106 bits of entropy, above the 96-bit floor for an
 * unguessable single-use value). IMDS documents its `nonce` parameter as "a 10-digit string"
 * (Microsoft Learn, Instance Metadata Service, "Attested data") while its REST specification
 * (Azure/azure-rest-api-specs, imds.json: Attested_GetDocument) allows "up to 32 random
 * alphanumeric characters"; digits only, 32 of them, satisfy both readings' character set and
 * the length limit, need no URL encoding, and match the cloud-init program's check
 * (`[A-Za-z0-9]{1,32}`, src/render/join-program.ts).
 */
import type { Random } from '../deps.js';

export const NONCE_DIGITS = 32;
export const BROKER_NONCE = /^[0-9]{32}$/;
/** How long a nonce may be used, from issue. Long enough for a slow IMDS call and a retry. */
export const DEFAULT_NONCE_TTL_SECONDS = 300;

/**
 * A fresh nonce: each digit from one random byte, bytes ≥ 250 discarded so every digit is
 * uniform (250 = 25 × 10; no modulo bias).
 */
export function generateNonce(random: Random): string {
  const buffer = new Uint8Array(48);
  let nonce = '';
  while (nonce.length < NONCE_DIGITS) {
    random.fill(buffer);
    for (const byte of buffer) {
      if (byte < 250 && nonce.length < NONCE_DIGITS) nonce += String(byte % 10);
    }
  }
  return nonce;
}
