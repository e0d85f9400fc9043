/**
 * Certification path validation for the certificate that signed an Azure attested document
 * (RFC 5280 §6, the parts this use needs). No I/O, no clock (`now` is passed in), no globals;
 * `crypto.subtle` only. Results are values, never exceptions.
 *
 * A path is signer → zero or more intermediates → a root of the trust store, built by matching
 * each certificate's issuer Name to CA subject Names byte for byte (RFC 5280 §7.1 allows
 * case-insensitive matching of some strings; exact DER equality is stricter and is what the
 * real chains use). Every certificate on the path, the root included, is checked:
 *  - valid at `now`, both ends inclusive (RFC 5280 §4.1.2.5);
 *  - no critical extension this code does not implement (§4.2);
 *  - the signature over its TBSCertificate verifies under the next certificate's key:
 *    RSASSA-PKCS1-v1_5 with SHA-256/384/512 and an RSA key of at least 2048 bits (what every
 *    Microsoft and DigiCert certificate on these chains uses; SHA-1, MD5, ECDSA, DSA and
 *    RSA-PSS are refused). A root's self-signature is not checked: a trust anchor is trusted
 *    as configured (§6.1.1 (d)), its certificate only carries the key and constraints;
 *  - every issuer is a CA: basicConstraints cA true (§4.2.1.9; v1 certificates, which have no
 *    extensions, are not accepted as CAs), keyCertSign set when keyUsage is present
 *    (§4.2.1.3), and its pathLenConstraint at least the number of intermediates below it;
 *  - the signer is not a CA and, when keyUsage is present, has digitalSignature: it signs
 *    documents, not certificates.
 * Not implemented (so not accepted when critical): name constraints, policy processing.
 * Revocation is not checked (no I/O here; Microsoft's signer certificates live about a year).
 * The signer's *name* is checked by the caller (signer-name.ts), not here.
 *
 * Search is depth-first over candidate issuers, roots first, at most MAX_INTERMEDIATES deep and
 * MAX_SIGNATURE_CHECKS signature verifications per call, so a hostile or oversized store cannot
 * turn one request into unbounded work.
 */
import { equalBytes, type DigestName } from '../cms/index.js';
import { toHex } from '../cms/encoding.js';
import type { AzureStoreCa, AzureTrustStore } from './trust-store.js';
import type { X509Certificate } from './x509.js';

export const MAX_INTERMEDIATES = 4;
export const MAX_SIGNATURE_CHECKS = 16;
export const MIN_RSA_BITS = 2048;

const OID_RSA_ENCRYPTION = '1.2.840.113549.1.1.1';

/** Certificate signature algorithms accepted on the path (RFC 4055 §5; NULL or absent parameters). */
const CERTIFICATE_SIGNATURES: Readonly<Record<string, DigestName>> = {
  '1.2.840.113549.1.1.11': 'SHA-256',
  '1.2.840.113549.1.1.12': 'SHA-384',
  '1.2.840.113549.1.1.13': 'SHA-512',
};

export type ChainFailureKind =
  /** No path to a root: no CA of the store is named as the issuer (a self-made CA, a missing intermediate). */
  | 'untrusted'
  /** Some candidate path exists but a certificate on it fails a check (expired, bad signature, not a CA…). */
  | 'invalid';

export type ChainResult =
  | { readonly ok: true; readonly path: readonly string[] }
  | { readonly ok: false; readonly kind: ChainFailureKind; readonly detail: string };

export interface ChainOptions {
  readonly trust: AzureTrustStore;
  readonly now: Date;
  /**
   * Further intermediate certificates to consider, trusted no more than the store's (e.g.
   * fetched from Microsoft's allow-listed CA Issuers URLs by the caller). Never anchors.
   */
  readonly untrusted?: readonly X509Certificate[];
  /** `certificateDigest(signer.der)`, if the caller computed it already. */
  readonly signerDigest?: string;
}

const describeDate = (date: Date) => date.toISOString().replace('.000Z', 'Z');

/** Validity at `now` and the extension checks every certificate on a path must pass. */
function checkCommon(certificate: X509Certificate, what: string, now: Date): string | undefined {
  if (now.getTime() < certificate.notBefore.getTime()) return `${what} is not valid before ${describeDate(certificate.notBefore)}`;
  if (now.getTime() > certificate.notAfter.getTime()) return `${what} expired at ${describeDate(certificate.notAfter)}`;
  if (certificate.unknownCriticalExtensions.length > 0) return `${what} has unsupported critical extension(s) ${certificate.unknownCriticalExtensions.join(', ')}`;
  return undefined;
}

function checkIssuer(certificate: X509Certificate, what: string, now: Date, intermediatesBelow: number): string | undefined {
  const common = checkCommon(certificate, what, now);
  if (common !== undefined) return common;
  if (certificate.basicConstraints?.ca !== true) return `${what} is not a CA (basicConstraints)`;
  if (certificate.keyUsage !== undefined && !certificate.keyUsage.keyCertSign) return `${what} may not sign certificates (keyUsage)`;
  const limit = certificate.basicConstraints.pathLength;
  if (limit !== undefined && intermediatesBelow > limit) return `${what} allows ${limit} intermediate(s) below it, the path has ${intermediatesBelow}`;
  return undefined;
}

/** The checks on the signer certificate itself (not its name). */
export function checkSignerCertificate(signer: X509Certificate, now: Date): string | undefined {
  const common = checkCommon(signer, 'the signer certificate', now);
  if (common !== undefined) return common;
  if (signer.basicConstraints?.ca === true) return 'the signer certificate is a CA certificate';
  if (signer.keyUsage !== undefined && !signer.keyUsage.digitalSignature) return 'the signer certificate may not sign (keyUsage lacks digitalSignature)';
  return undefined;
}

interface Search {
  checks: number;
  readonly failures: string[];
  /** SHA-256 of the signer's DER, computed once (the caller may already have it). */
  signerDigest?: string;
}

/** Whether `child`'s signature verifies under `issuer`'s key; a reason when it does not. */
async function verifyLink(child: X509Certificate, issuer: X509Certificate, trust: AzureTrustStore): Promise<string | undefined> {
  const hash = Object.hasOwn(CERTIFICATE_SIGNATURES, child.signatureAlgorithm) ? CERTIFICATE_SIGNATURES[child.signatureAlgorithm] : undefined;
  if (hash === undefined) return `signature algorithm ${child.signatureAlgorithm} is not accepted`;
  if (child.signatureParameters !== null && child.signatureParameters !== undefined) return 'signature algorithm with parameters';
  if (issuer.publicKeyAlgorithm !== OID_RSA_ENCRYPTION) return `issuer key ${issuer.publicKeyAlgorithm} is not RSA`;
  let key: CryptoKey;
  try {
    key = await trust.keyCache.importVerifyKey(issuer.spki, hash);
  } catch {
    return 'issuer key is not importable';
  }
  const bits = (key.algorithm as { readonly modulusLength?: number }).modulusLength ?? 0;
  if (!(bits >= MIN_RSA_BITS)) return `issuer key has ${bits} bits, at least ${MIN_RSA_BITS} required`;
  try {
    const ok = await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, child.signature as Uint8Array<ArrayBuffer>, child.tbs as Uint8Array<ArrayBuffer>);
    return ok ? undefined : 'signature does not verify';
  } catch {
    return 'signature does not verify';
  }
}

/** Hex SHA-256 of a certificate's DER: how the trust store remembers signer certificates. */
export async function certificateDigest(der: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', der as Uint8Array<ArrayBuffer>)));
}

interface Candidate {
  readonly certificate: X509Certificate;
  readonly name: string;
  readonly root: boolean;
  readonly store?: AzureStoreCa;
}

function candidatesFor(certificate: X509Certificate, options: ChainOptions): Candidate[] {
  const fromStore: Candidate[] = options.trust
    .issuersOf(certificate.issuer)
    .map((ca) => ({ certificate: ca.certificate, name: ca.name, root: ca.role === 'root', store: ca }));
  const extra: Candidate[] = (options.untrusted ?? [])
    .filter((c) => equalBytes(c.subject, certificate.issuer))
    .map((c) => ({ certificate: c, name: c.commonNames[0] ?? 'an unnamed intermediate', root: false }));
  return [...fromStore, ...extra];
}

/**
 * Finds a valid path from `child` (already checked itself) to a root. `below` is the number of
 * intermediates between `child` and the signer; `path` the names so far (for the result).
 */
async function extend(
  child: X509Certificate,
  childStore: AzureStoreCa | undefined,
  isSigner: boolean,
  below: number,
  path: readonly string[],
  seen: ReadonlySet<X509Certificate>,
  options: ChainOptions,
  search: Search,
): Promise<readonly string[] | undefined> {
  for (const candidate of candidatesFor(child, options)) {
    if (seen.has(candidate.certificate)) continue;
    const what = `${candidate.root ? 'root' : 'intermediate'} "${candidate.name}"`;
    const problem = checkIssuer(candidate.certificate, what, options.now, below);
    if (problem !== undefined) {
      search.failures.push(problem);
      continue;
    }

    // Links between two store certificates, and from a given signer to a store CA, are the same
    // bytes every time: their finished results are remembered per isolate.
    const linkKey = childStore !== undefined && candidate.store !== undefined ? `${childStore.id}>${candidate.store.id}` : undefined;
    const signerKey = isSigner && candidate.store !== undefined ? `${search.signerDigest ??= await certificateDigest(child.der)}>${candidate.store.id}` : undefined;
    let linked = linkKey !== undefined ? options.trust.verifiedLinks.get(linkKey) : signerKey !== undefined ? options.trust.verifiedSigners.get(signerKey) : undefined;
    if (linked === undefined) {
      if (search.checks >= MAX_SIGNATURE_CHECKS) {
        search.failures.push(`more than ${MAX_SIGNATURE_CHECKS} signature checks`);
        return undefined;
      }
      search.checks++;
      const failure = await verifyLink(child, candidate.certificate, options.trust);
      if (failure !== undefined) search.failures.push(`${isSigner ? 'the signer certificate' : `"${path[path.length - 1]}"`} → ${what}: ${failure}`);
      linked = failure === undefined;
      if (linkKey !== undefined) options.trust.verifiedLinks.set(linkKey, linked);
      if (signerKey !== undefined) options.trust.verifiedSigners.set(signerKey, linked);
    }
    if (!linked) continue;

    const extended = [...path, candidate.name];
    if (candidate.root) return extended;
    if (below + 1 > MAX_INTERMEDIATES) {
      search.failures.push(`path longer than ${MAX_INTERMEDIATES} intermediates`);
      continue;
    }
    const found = await extend(candidate.certificate, candidate.store, false, below + 1, extended, new Set([...seen, candidate.certificate]), options, search);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Validates the path from `signer` to a root of the store at `now`. The caller checks the
 * signer's name; this checks everything else about the path (see the module comment).
 */
export async function validateSignerChain(signer: X509Certificate, options: ChainOptions): Promise<ChainResult> {
  const own = checkSignerCertificate(signer, options.now);
  if (own !== undefined) return { ok: false, kind: 'invalid', detail: own };
  const search: Search = { checks: 0, failures: [], ...(options.signerDigest === undefined ? {} : { signerDigest: options.signerDigest }) };
  const path = await extend(signer, undefined, true, 0, ['signer'], new Set([signer]), options, search);
  return outcome(path, search, 'the signer certificate');
}

function outcome(path: readonly string[] | undefined, search: Search, what: string): ChainResult {
  if (path !== undefined) return { ok: true, path };
  if (search.failures.length === 0) {
    return { ok: false, kind: 'untrusted', detail: `no trusted CA is named as the issuer of ${what} (or of an intermediate on its path)` };
  }
  return { ok: false, kind: 'invalid', detail: search.failures.slice(0, 4).join('; ') };
}

/**
 * Validates the path from an intermediate of the store to a root at `now`, with the same checks
 * and bounds as a signer's path, the intermediate standing as the first CA above a signer (its
 * own validity, cA, keyCertSign and pathLenConstraint included). Not on the request path: it
 * lets a test or an operator tool show that each shipped intermediate still leads to a shipped
 * root today.
 */
export async function validateIntermediateChain(intermediate: AzureStoreCa, options: ChainOptions): Promise<ChainResult> {
  const own = checkIssuer(intermediate.certificate, `intermediate "${intermediate.name}"`, options.now, 0);
  if (own !== undefined) return { ok: false, kind: 'invalid', detail: own };
  const search: Search = { checks: 0, failures: [] };
  const path = await extend(intermediate.certificate, intermediate, false, 1, [intermediate.name], new Set([intermediate.certificate]), options, search);
  return outcome(path, search, `"${intermediate.name}"`);
}
