/**
 * CA public-key pins, cmd/kubeadm/app/util/pubkeypin/pubkeypin.go: `sha256:` + lower-case hex of
 * SHA-256 over the certificate's DER SubjectPublicKeyInfo.
 */
import { X509Certificate } from '@peculiar/x509';
import { createHash } from 'node:crypto';

export function pinForCertificate(cert: X509Certificate | string): string {
  const c = typeof cert === 'string' ? new X509Certificate(cert) : cert;
  return `sha256:${createHash('sha256').update(Buffer.from(c.publicKey.rawData)).digest('hex')}`;
}

/** pubkeypin.Set.Allow: `format:value`, format `sha256` (any case), 32-byte hex value. */
export function parsePin(pin: string): { ok: true; pin: string } | { ok: false; error: string } {
  const parts = pin.split(':');
  if (parts.length !== 2) return { ok: false, error: 'invalid hash, expected "format:hex-value"' };
  const [format, value] = parts as [string, string];
  if (format.toLowerCase() !== 'sha256') return { ok: false, error: `unknown hash format "${format}". Known format(s) are: sha256` };
  if (!/^[0-9a-fA-F]{64}$/.test(value)) return { ok: false, error: 'invalid hash value' };
  return { ok: true, pin: `sha256:${value.toLowerCase()}` };
}
