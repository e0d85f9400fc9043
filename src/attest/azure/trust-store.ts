/**
 * The CA certificates an Azure IMDS signer may chain to. No I/O, no clock. Built once per
 * isolate: the shipped table (certificates.generated.ts) plus what JOIN_POLICY adds.
 *
 * - Roots are trust anchors. The shipped one is DigiCert Global Root G2; `azure.extraRoots` adds
 *   more. An extra root is as powerful as DigiCert's: any certificate it issues for a
 *   `*.metadata.azure.*` name signs attested data the broker accepts. It exists for development
 *   and tests (a self-made signer chain) and says so loudly.
 * - Intermediates add no trust: a path through one must still end at a root and pass every
 *   check. Shipped: the "Microsoft TLS G2 RSA CA OCSP 02…16" issuing CAs that sign today's IMDS
 *   certificates and "Microsoft TLS RSA Root G2" as cross-signed by DigiCert Global Root G2 (their
 *   link to that root; the self-signed Root G2 is not an anchor here). `azure.extraIntermediates`
 *   adds Microsoft's next ones when Azure rotates
 *   (https://learn.microsoft.com/azure/security/fundamentals/azure-ca-details).
 * - Historic CAs (option `historic`): Baltimore CyberTrust Root and the ten earlier Microsoft
 *   issuing CAs, all expired, which only old documents verified at their own time chain through
 *   (`verify azure --at`, the 2022–2024 test vectors). Validity is checked at `now`, so they could
 *   never anchor or link a chain in a live Worker; the Worker does not pass them, and this module
 *   does not import them, so they stay out of its bundle (test/worker/bundle-content.test.ts).
 *
 * Certificates are indexed by their DER subject Name (a chain links a certificate to the CAs
 * whose subject equals its issuer, byte for byte) and decoded on first use. Links between two
 * store certificates are verified once per isolate and the finished result remembered.
 */
import { decodeBase64, decodePemCertificates, RsaKeyCache } from '../cms/index.js';
import { toHex } from '../cms/encoding.js';
import { childrenOf, elementBytes, isContext, isUniversal, readTlv, UNIVERSAL } from '../cms/tlv.js';
import { AZURE_INTERMEDIATE_CERTIFICATES, AZURE_ROOT_CERTIFICATES, type AzureCaTable } from './certificates.generated.js';
import { parseX509Certificate, type X509Certificate } from './x509.js';

export type AzureCaRole = 'root' | 'intermediate';

/** One CA certificate of the store. */
export interface AzureStoreCa {
  /** Stable within the store; keys the per-isolate memo of verified links. */
  readonly id: number;
  readonly role: AzureCaRole;
  readonly source: 'azure' | 'policy';
  /** The subject commonName (or a placeholder), for audit details. */
  readonly name: string;
  readonly certificate: X509Certificate;
}

export interface AzureTrustStoreOptions {
  /** Trust the shipped current roots and intermediates (default true). False: only what the other options add. */
  readonly includeAzureCertificates?: boolean;
  /**
   * Expired CAs to add as shipped certificates, for verifying old documents at their own time:
   * `AZURE_HISTORIC_CERTIFICATES` from historic-certificates.generated.ts (CLI and tests only).
   * Passed in rather than imported here so the Worker bundle never contains them.
   */
  readonly historic?: AzureCaTable;
  /** PEM certificates trusted as roots (JOIN_POLICY `azure.extraRoots`). */
  readonly extraRoots?: readonly string[];
  /** PEM intermediate CA certificates (JOIN_POLICY `azure.extraIntermediates`). */
  readonly extraIntermediates?: readonly string[];
}

export interface AzureTrustStore {
  /** The store's CAs whose subject is `issuer` (DER Name), roots first. */
  issuersOf(issuer: Uint8Array): readonly AzureStoreCa[];
  /** Every CA, decoded (for the expiry report and diagnostics). */
  entries(): readonly AzureStoreCa[];
  /** Finished results of link checks between two store CAs, by `childId>parentId`. */
  readonly verifiedLinks: Map<string, boolean>;
  /** Finished results of signer-to-CA link checks, by SHA-256 of the signer DER and the CA id. */
  readonly verifiedSigners: BoundedMemo;
  /**
   * Decoded signer certificates, by SHA-256 of their DER. Azure signs every document of a region
   * with one certificate for about a year: decoding it once per isolate saves most of the cost.
   */
  readonly decodedSigners: BoundedMemo<X509Certificate>;
  readonly keyCache: RsaKeyCache;
}

/** A configuration error: thrown when the store is built, never while verifying. */
export class AzureTrustConfigError extends Error {
  override readonly name = 'AzureTrustConfigError';
  readonly code = 'invalid_azure_trust_config';
}

/** The DER subject Name of a certificate, located without decoding the rest. */
function subjectOf(der: Uint8Array): Uint8Array | undefined {
  const root = readTlv(der, 0);
  const tbs = isUniversal(root, UNIVERSAL.sequence) ? childrenOf(der, root)?.[0] : undefined;
  const fields = tbs === undefined ? undefined : childrenOf(der, tbs);
  if (fields === undefined) return undefined;
  const subject = fields[(isContext(fields[0], 0) ? 1 : 0) + 4];
  return isUniversal(subject, UNIVERSAL.sequence) ? elementBytes(der, subject) : undefined;
}

interface Pending {
  readonly role: AzureCaRole;
  readonly source: 'azure' | 'policy';
  readonly label: string;
  readonly der: Uint8Array;
  parsed?: AzureStoreCa | null;
}

/** Every certificate of a PEM list entry; a configuration error if it is not exactly one usable CA certificate. */
function parsePolicyPem(pem: string, where: string): X509Certificate {
  const ders = decodePemCertificates(pem);
  if (ders?.length !== 1) throw new AzureTrustConfigError(`${where}: expected exactly one PEM certificate`);
  const parsed = parseX509Certificate(ders[0] as Uint8Array);
  if (!parsed.ok) throw new AzureTrustConfigError(`${where}: ${parsed.detail}`);
  if (parsed.certificate.basicConstraints?.ca !== true) throw new AzureTrustConfigError(`${where}: not a CA certificate (basicConstraints cA is not true)`);
  return parsed.certificate;
}

const MAX_SIGNER_MEMO = 256;

/**
 * A map of finished results that forgets its oldest entry past `maxEntries`: signer
 * certificates are attacker-chosen, so what is remembered about them must not grow without bound.
 */
export class BoundedMemo<V = boolean> {
  readonly #entries = new Map<string, V>();
  constructor(readonly maxEntries: number) {}
  get(key: string): V | undefined {
    return this.#entries.get(key);
  }
  set(key: string, value: V): void {
    if (!this.#entries.has(key) && this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, value);
  }
  get size(): number {
    return this.#entries.size;
  }
}

export function createAzureTrustStore(options: AzureTrustStoreOptions = {}): AzureTrustStore {
  const pending: Pending[] = [];
  const bySubject = new Map<string, number[]>();
  const add = (entry: Pending) => {
    const subject = subjectOf(entry.der);
    if (subject === undefined) throw new AzureTrustConfigError(`${entry.label}: unreadable subject`);
    const key = toHex(subject);
    bySubject.set(key, [...(bySubject.get(key) ?? []), pending.push(entry) - 1]);
  };

  const shipped: AzureCaTable[] = [];
  if (options.includeAzureCertificates ?? true) shipped.push({ roots: AZURE_ROOT_CERTIFICATES, intermediates: AZURE_INTERMEDIATE_CERTIFICATES });
  if (options.historic !== undefined) shipped.push(options.historic);
  for (const { roots, intermediates } of shipped) {
    for (const [role, table] of [['root', roots], ['intermediate', intermediates]] as const) {
      for (const { name, der } of table) {
        const bytes = decodeBase64(der);
        if (bytes === undefined) throw new AzureTrustConfigError(`shipped ${role} ${name}: bad base64`);
        add({ role, source: 'azure', label: name, der: bytes });
      }
    }
  }
  // Policy certificates are decoded now, so a bad one fails at start-up with its field named.
  for (const [role, list, field] of [['root', options.extraRoots ?? [], 'extraRoots'], ['intermediate', options.extraIntermediates ?? [], 'extraIntermediates']] as const) {
    list.forEach((pem, index) => {
      const where = `azure.${field}[${index}]`;
      const certificate = parsePolicyPem(pem, where);
      const entry: Pending = { role, source: 'policy', label: certificate.commonNames[0] ?? where, der: certificate.der };
      add(entry);
      entry.parsed = { id: pending.length - 1, role, source: 'policy', name: entry.label, certificate };
    });
  }

  const decoded = (id: number): AzureStoreCa | undefined => {
    const entry = pending[id];
    if (entry === undefined) return undefined;
    if (entry.parsed === undefined) {
      const parsed = parseX509Certificate(entry.der);
      // The shipped table is generated with this parser; a failure here is a build defect, and
      // the certificate is simply never a candidate.
      entry.parsed = parsed.ok ? { id, role: entry.role, source: entry.source, name: entry.label, certificate: parsed.certificate } : null;
    }
    return entry.parsed ?? undefined;
  };

  return {
    keyCache: new RsaKeyCache(),
    verifiedLinks: new Map(),
    verifiedSigners: new BoundedMemo(MAX_SIGNER_MEMO),
    decodedSigners: new BoundedMemo<X509Certificate>(MAX_SIGNER_MEMO),
    issuersOf(issuer) {
      const ids = bySubject.get(toHex(issuer)) ?? [];
      const found = ids.map(decoded).filter((ca): ca is AzureStoreCa => ca !== undefined);
      return [...found.filter((ca) => ca.role === 'root'), ...found.filter((ca) => ca.role === 'intermediate')];
    },
    entries() {
      return pending.map((_, id) => decoded(id)).filter((ca): ca is AzureStoreCa => ca !== undefined);
    },
  };
}
