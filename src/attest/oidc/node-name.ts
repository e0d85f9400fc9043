/**
 * The default Kubernetes node name for an OIDC identity: a DNS-1123 label (RFC 1123 §2.1 as
 * Kubernetes applies it: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters).
 *
 * - An identity that already is such a label and has no `--` is used as it is (`i-0abc`,
 *   `2875949485074006138`).
 * - Any other identity is lowercased, every run of characters outside `[a-z0-9]` becomes one
 *   `-`, leading and trailing `-` are dropped, the result is cut to 49 characters, and `--` plus
 *   the first 12 hex digits of SHA-256(identity) are appended: `repo:Org/App:ref:main` →
 *   `repo-org-app-ref-main--1f0c…`. An empty remainder becomes `oidc`.
 *
 * Why the suffix: node names decide which kubelet certificate a node may obtain, so two
 * identities must not share one. Lowercasing and replacing characters merge identities
 * (`Foo_Bar`, `foo.bar`); the hash keeps them apart, and because rewritten names always contain
 * `--` while names used as-is never do, a chosen identity cannot collide with a rewritten one.
 */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const HASH_HEX_DIGITS = 12;
const PREFIX_LENGTH = 63 - 2 - HASH_HEX_DIGITS;

export async function nodeNameForIdentity(identity: string): Promise<string> {
  if (DNS_LABEL.test(identity) && !identity.includes('--')) return identity;
  const cleaned = identity
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, PREFIX_LENGTH)
    .replace(/-+$/, '');
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(identity)));
  const hex = Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('').slice(0, HASH_HEX_DIGITS);
  return `${cleaned === '' ? 'oidc' : cleaned}--${hex}`;
}
