/**
 * Imported WebCrypto keys, cached per (hash, SubjectPublicKeyInfo). Importing an RSA key costs
 * more than verifying with it; the trust table's keys are the same on every request, so an
 * isolate imports each once. Bounded, because embedded certificates (Azure) are attacker-chosen:
 * past `maxEntries` the oldest entry is dropped. A failed import is not cached.
 */
import type { DigestName } from './algorithms.js';
import { toHex } from './encoding.js';

export class RsaKeyCache {
  readonly #entries = new Map<string, Promise<CryptoKey>>();

  constructor(readonly maxEntries = 256) {}

  get size(): number {
    return this.#entries.size;
  }

  /** An RSASSA-PKCS1-v1_5 verification key for `spki`; rejects if WebCrypto refuses the key. */
  importVerifyKey(spki: Uint8Array, hash: DigestName): Promise<CryptoKey> {
    const id = `${hash}:${toHex(spki)}`;
    const cached = this.#entries.get(id);
    if (cached !== undefined) return cached;
    const imported = importRsaVerifyKey(spki, hash);
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(id, imported);
    imported.catch(() => this.#entries.delete(id));
    return imported;
  }
}

export const importRsaVerifyKey = (spki: Uint8Array, hash: DigestName): Promise<CryptoKey> =>
  crypto.subtle.importKey('spki', spki as Uint8Array<ArrayBuffer>, { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['verify']);
