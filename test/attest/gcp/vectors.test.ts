import { describe, expect, it } from 'vitest';
import { verifyGcpIdentityToken } from '../../../src/attest/gcp/index.js';
import type { AttestResult } from '../../../src/attest/identity.js';
import { createJwksKeySource, createStaticKeySource } from '../../../src/attest/jwks/index.js';
import { jwksServerWith } from '../jwks/fakes.js';
import { GCP_VECTORS, insideValidity, type GcpVector } from './vectors.js';

const reasonOf = (result: AttestResult) => (result.ok ? 'ok' : result.error.reason);
const keysOf = (vector: GcpVector) => createStaticKeySource(vector.jwks);
const verify = (vector: GcpVector, overrides: { token?: string; aud?: string; now?: Date; keys?: ReturnType<typeof keysOf> } = {}) =>
  verifyGcpIdentityToken(overrides.token ?? vector.token, {
    audience: overrides.aud ?? vector.aud,
    keys: overrides.keys ?? keysOf(vector),
    now: overrides.now ?? insideValidity(vector),
  });

/** Changes one character in the middle of the payload segment to another base64url character. */
function changeOnePayloadByte(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const at = Math.floor(payload.length / 2);
  const replacement = payload[at] === 'A' ? 'B' : 'A';
  return `${header}.${payload.slice(0, at)}${replacement}${payload.slice(at + 1)}.${signature}`;
}

/** Sets an unused low bit of the last signature character: decodes to the same bytes. */
function withStrayBits(token: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(token.at(-1)!);
  expect(token.length - token.lastIndexOf('.') - 1).toBe(342); // 256 bytes: 4 unused bits in the last character
  return token.slice(0, -1) + alphabet[last | 1];
}

describe.each(GCP_VECTORS)('real Google-signed token $name', (vector) => {
  it('verifies with the clock inside [iat, exp] and its real aud, yielding the exact identity', async () => {
    const attributes: Record<string, string> = {
      projectNumber: vector.projectNumber,
      instanceName: vector.instanceName,
      instanceCreationTimestamp: vector.created,
      sub: vector.sub,
      email: vector.email,
    };
    if (vector.licenseIds !== undefined) attributes['licenseIds'] = vector.licenseIds;
    expect(await verify(vector)).toEqual({
      ok: true,
      identity: {
        provider: 'gcp',
        account: vector.projectId,
        region: vector.region,
        zone: vector.zone,
        instanceId: vector.instanceId,
        issuedAt: new Date(vector.iat * 1000),
        attributes,
        addresses: { ips: [], dnsNames: [`${vector.instanceName}.${vector.zone}.c.${vector.projectId}.internal`] },
        defaultNodeName: vector.instanceName,
      },
    });
  });

  it('verifies at iat and just before exp + skew', async () => {
    expect(reasonOf(await verify(vector, { now: new Date(vector.iat * 1000) }))).toBe('ok');
    expect(reasonOf(await verify(vector, { now: new Date((vector.exp + 60) * 1000 - 1) }))).toBe('ok');
    expect(reasonOf(await verify(vector, { now: new Date((vector.exp + 60) * 1000) }))).toBe('stale_document');
  });

  it('verifies through a remote key source serving Google\'s set', async () => {
    const server = jwksServerWith(vector.jwks);
    const keys = createJwksKeySource({ uri: 'https://www.googleapis.com/oauth2/v3/certs', fetch: server.fetch, clock: { now: () => insideValidity(vector) } });
    expect(reasonOf(await verify(vector, { keys }))).toBe('ok');
    expect(server.calls).toHaveLength(1);
  });

  it.each([
    ['an hour past exp', (v: GcpVector) => ({ now: new Date((v.exp + 3600) * 1000) }), 'stale_document'],
    ['today (real time, long expired)', () => ({ now: new Date() }), 'stale_document'],
    ['before iat − skew', (v: GcpVector) => ({ now: new Date((v.iat - 61) * 1000) }), 'stale_document'],
    ['the wrong audience', () => ({ aud: 'https://join.example.com' }), 'invalid_claims'],
    ['the audience with a trailing slash', (v: GcpVector) => ({ aud: `${v.aud}/` }), 'invalid_claims'],
    ['one changed payload byte', (v: GcpVector) => ({ token: changeOnePayloadByte(v.token) }), 'invalid_signature'],
    ['a signature cut to 192 bytes', (v: GcpVector) => ({ token: v.token.slice(0, v.token.lastIndexOf('.') + 1 + 256) }), 'invalid_signature'],
    ['the same signature spelt with stray trailing bits (malleability)', (v: GcpVector) => ({ token: withStrayBits(v.token) }), 'malformed_document'],
  ])('is refused at %s', async (_, change, reason) => {
    expect(reasonOf(await verify(vector, change(vector)))).toBe(reason);
  });

  it('is refused when verified with another vector\'s key carrying this kid (wrong key, same kid forged)', async () => {
    const other = GCP_VECTORS.find((candidate) => candidate.kid !== vector.kid)!;
    const forged = createStaticKeySource({ keys: [{ ...other.jwks.keys[0], kid: vector.kid }] });
    const result = await verify(vector, { keys: forged });
    expect(result).toMatchObject({ ok: false, error: { reason: 'invalid_signature' } });
  });

  it('is refused when its kid is unknown (another vector\'s key set), never trying other keys', async () => {
    const other = GCP_VECTORS.find((candidate) => candidate.kid !== vector.kid)!;
    const result = await verify(vector, { keys: createStaticKeySource(other.jwks) });
    expect(result).toMatchObject({ ok: false, error: { reason: 'unknown_signer', detail: `no key with kid "${vector.kid}" in the key set` } });
  });
});
