/**
 * Whether a certificate is one Azure's Instance Metadata Service signs attested data with, by
 * its names. Pure.
 *
 * Microsoft's IMDS documentation ("Attested data", signature validation) says to validate the
 * certificate's Subject Alternative Name: the signer is `*.metadata.azure.com` in the public
 * cloud, `*.metadata.azure.us` in Azure Government and `*.metadata.azure.cn` in Azure operated by
 * 21Vianet, "the certificates might not have an exact match for the domain", so validation
 * "should accept any subdomain" (real signers carry e.g. `eastus.metadata.azure.com` and
 * `metadata.azure.com`). Azure Germany (`*.metadata.microsoftazure.de`) closed in 2021 and is
 * not accepted.
 *
 * Rules:
 * - The names are the subjectAltName dNSNames; the subject commonName counts only when the
 *   certificate has no subjectAltName extension (RFC 6125 §6.4.4; and publicly trusted CAs
 *   must repeat the commonName among the SANs, CA/Browser Forum BR §7.1.4.3, so real signers
 *   pass either way). A certificate whose SANs name only other domains is refused even if its
 *   commonName reads `metadata.azure.com`.
 * - A name qualifies if it is `metadata.azure.<com|us|cn>`, a subdomain of it made of LDH
 *   labels, or the wildcard `*.metadata.azure.<com|us|cn>` itself. Compared case-insensitively
 *   (DNS names are, RFC 4343); anything else in a name — a trailing dot, an empty label,
 *   characters outside [a-z0-9-], an embedded wildcard — makes it not qualify.
 *
 * This check is what confines trust to Microsoft: the chain ends at public web PKI roots, and
 * only Microsoft can obtain a certificate for names under these domains.
 */
import type { X509Certificate } from './x509.js';

export const AZURE_SIGNER_DOMAINS: readonly string[] = Object.freeze(['metadata.azure.com', 'metadata.azure.us', 'metadata.azure.cn']);

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_NAME_LENGTH = 253;

/** Whether one DNS name is an Azure IMDS signer name (see the module comment). */
export function isAzureSignerName(name: string): boolean {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) return false;
  const lower = name.toLowerCase();
  for (const domain of AZURE_SIGNER_DOMAINS) {
    if (lower === domain || lower === `*.${domain}`) return true;
    if (!lower.endsWith(`.${domain}`)) continue;
    const prefix = lower.slice(0, -domain.length - 1);
    return prefix.split('.').every((label) => LABEL.test(label));
  }
  return false;
}

/** The names that are checked (SANs, else the commonNames) and whether one qualifies. */
export function azureSignerNames(certificate: Pick<X509Certificate, 'dnsNames' | 'commonNames'>): { names: readonly string[]; matches: boolean } {
  const names = certificate.dnsNames ?? certificate.commonNames;
  return { names, matches: names.some(isAzureSignerName) };
}
