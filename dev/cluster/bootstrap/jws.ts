/**
 * Detached JWS over cluster-info's kubeconfig, staging/src/k8s.io/cluster-bootstrap/token/jws/jws.go:
 * HS256 keyed by the token *secret* (not `id.secret`), protected header exactly
 * `{"alg":"HS256","kid":"<id>"}`, payload elided: `b64url(header)..b64url(mac)`.
 */
import { createHmac } from 'node:crypto';

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export function computeDetachedSignature(content: string, tokenId: string, tokenSecret: string): string {
  const header = b64url(JSON.stringify({ alg: 'HS256', kid: tokenId }));
  const signingInput = `${header}.${b64url(content)}`;
  // HMAC zero-pads keys to the block size, so go-jose's 32-byte zero padding of the key changes nothing.
  const mac = createHmac('sha256', Buffer.from(tokenSecret, 'utf8')).update(signingInput).digest();
  return `${header}..${b64url(mac)}`;
}

/** DetachedTokenIsValid: recompute and compare the strings exactly. */
export const detachedTokenIsValid = (detachedToken: string, content: string, tokenId: string, tokenSecret: string): boolean =>
  computeDetachedSignature(content, tokenId, tokenSecret) === detachedToken;
