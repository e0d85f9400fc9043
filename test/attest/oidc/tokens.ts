import { CompactSign, exportJWK, exportSPKI, generateKeyPair, type CryptoKey, type JWK } from 'jose';

export type TestAlg = 'RS256' | 'RS384' | 'PS256' | 'ES256' | 'ES384' | 'EdDSA';

export interface TestKey {
  readonly alg: TestAlg;
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  /** The public JWK, with kid, alg and use as an issuer publishes it. */
  readonly jwk: JWK;
}

/** A fresh signing key, generated in the test (never a fixture). */
export async function generateTestKey(alg: TestAlg, kid: string, options: { pinAlg?: boolean } = {}): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, use: 'sig' };
  if (options.pinAlg !== false) jwk.alg = alg;
  return { alg, kid, privateKey, publicKey, jwk };
}

export function jwksOf(...keys: TestKey[]): { keys: JWK[] } {
  return { keys: keys.map((key) => key.jwk) };
}

export async function publicKeyPem(key: TestKey): Promise<string> {
  return exportSPKI(key.publicKey);
}

/**
 * Signs any header and payload, including headers jose's JWT builder would refuse (`crit`).
 * `header.alg` defaults to the key's algorithm; `kid` to the key's kid unless set to undefined.
 */
export async function signToken(
  key: TestKey,
  payload: Record<string, unknown> | string,
  header: Record<string, unknown> = {},
): Promise<string> {
  const protectedHeader: Record<string, unknown> = { alg: key.alg, typ: 'JWT', kid: key.kid, ...header };
  for (const name of Object.keys(protectedHeader)) if (protectedHeader[name] === undefined) delete protectedHeader[name];
  const bytes = new TextEncoder().encode(typeof payload === 'string' ? payload : JSON.stringify(payload));
  const crit = Array.isArray(protectedHeader['crit']) ? Object.fromEntries((protectedHeader['crit'] as string[]).map((name) => [name, true])) : undefined;
  return new CompactSign(bytes)
    .setProtectedHeader(protectedHeader as { alg: string })
    .sign(key.privateKey, crit === undefined ? undefined : { crit });
}

/** A compact JWS with any header, payload and signature text, built by hand (e.g. `alg: none`). */
export function handBuilt(header: unknown, payload: unknown, signature = ''): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode(header)}.${encode(payload)}.${signature}`;
}

export const seconds = (date: Date | string): number => Math.floor(new Date(date).getTime() / 1000);
