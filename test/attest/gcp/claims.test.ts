import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyGcpIdentityToken } from '../../../src/attest/gcp/index.js';
import type { AttestResult } from '../../../src/attest/identity.js';
import { createStaticKeySource, type KeySource } from '../../../src/attest/jwks/index.js';
import { generateTestKey, handBuilt, jwksOf, publicKeyPem, seconds, signToken, type TestKey } from '../oidc/tokens.js';

const AUDIENCE = 'https://join.example.com';
const NOW = new Date('2026-03-01T12:00:00Z');
const T = seconds(NOW);

let google: TestKey;
let ec: TestKey;
let pss: TestKey;
let keys: KeySource;

beforeAll(async () => {
  [google, ec, pss] = await Promise.all([generateTestKey('RS256', 'google-1'), generateTestKey('ES256', 'google-ec'), generateTestKey('PS256', 'google-pss', { pinAlg: false })]);
  keys = createStaticKeySource(jwksOf(google, ec, pss));
});

const computeEngine = (extra: Record<string, unknown> = {}) => ({
  instance_creation_timestamp: T - 600,
  instance_id: '8418160715288427941',
  instance_name: 'worker-7',
  project_id: 'acme-prod',
  project_number: 741176294612,
  zone: 'us-central1-a',
  ...extra,
});
const claims = (extra: Record<string, unknown> = {}, vm: Record<string, unknown> = {}) => ({
  iss: 'https://accounts.google.com',
  aud: AUDIENCE,
  azp: '106448564376038902066',
  sub: '106448564376038902066',
  email: 'node@acme-prod.iam.gserviceaccount.com',
  email_verified: true,
  iat: T - 5,
  exp: T - 5 + 3600,
  google: { compute_engine: computeEngine(vm) },
  ...extra,
});
const verify = (jwt: string, options: { now?: Date; clockSkewSeconds?: number } = {}) =>
  verifyGcpIdentityToken(jwt, { audience: AUDIENCE, keys, now: options.now ?? NOW, ...(options.clockSkewSeconds === undefined ? {} : { clockSkewSeconds: options.clockSkewSeconds }) });
const reasonOf = (result: AttestResult) => (result.ok ? 'ok' : result.error.reason);

describe('verifyGcpIdentityToken with test-signed tokens', () => {
  it('accepts the scheme-less issuer Google also documents', async () => {
    expect(reasonOf(await verify(await signToken(google, claims({ iss: 'accounts.google.com' }))))).toBe('ok');
  });

  it.each([
    ['us-central1-a', 'us-central1'],
    ['northamerica-northeast1-c', 'northamerica-northeast1'],
    ['europe-west12-b', 'europe-west12'],
    ['me-central2-a', 'me-central2'],
  ])('derives the region of zone %s', async (zone, region) => {
    const result = await verify(await signToken(google, claims({}, { zone })));
    expect(result.ok && [result.identity.zone, result.identity.region, result.identity.addresses.dnsNames]).toEqual([
      zone,
      region,
      [`worker-7.${zone}.c.acme-prod.internal`],
    ]);
  });

  it.each([
    ['unverified', { email_verified: false }],
    ['verified only as a string', { email_verified: 'true' }],
    ['absent', { email: undefined }],
  ])('omits the email attribute when it is %s', async (_, change) => {
    const result = await verify(await signToken(google, claims(change)));
    expect(result.ok && result.identity.attributes).toEqual({
      projectNumber: '741176294612',
      instanceName: 'worker-7',
      instanceCreationTimestamp: String(T - 600),
      sub: '106448564376038902066',
    });
  });

  const refusals: [string, () => Promise<string>, string, RegExp][] = [
    ['a format=standard token (no google claims)', () => signToken(google, claims({ google: undefined })), 'invalid_claims', /no google\.compute_engine claims: request it .* format=full/],
    ['google without compute_engine', () => signToken(google, claims({ google: { other: {} } })), 'invalid_claims', /format=full/],
    ['the issuer with a trailing slash', () => signToken(google, claims({ iss: 'https://accounts.google.com/' })), 'invalid_claims', /is not the expected issuer/],
    ['the issuer over http', () => signToken(google, claims({ iss: 'http://accounts.google.com' })), 'invalid_claims', /is not the expected issuer/],
    ['a look-alike issuer', () => signToken(google, claims({ iss: 'https://accounts.google.com.evil.example' })), 'invalid_claims', /is not the expected issuer/],
    ['another audience', () => signToken(google, claims({ aud: 'https://join.example.com.evil' })), 'invalid_claims', /expected audience/],
    ['an ES256 token', () => signToken(ec, claims()), 'invalid_signature', /alg "ES256" is not allowed for this issuer \(allowed: RS256\)/],
    ['a PS256 token from an RSA key in the set', () => signToken(pss, claims()), 'invalid_signature', /alg "PS256" is not allowed/],
    ['an HS256 token keyed with the public key (alg confusion)', async () => new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: 'google-1' }).sign(new TextEncoder().encode(await publicKeyPem(google))), 'invalid_signature', /alg "HS256" is not allowed/],
    ['alg none', async () => handBuilt({ alg: 'none', kid: 'google-1' }, claims()), 'invalid_signature', /alg "none" is not allowed/],
    ['an unknown kid', () => signToken(google, claims(), { kid: 'rotated-away' }), 'unknown_signer', /no key with kid "rotated-away"/],
    ['a crit header', () => signToken(google, claims(), { crit: ['urn:x'], 'urn:x': 1 }), 'unsupported_document', /crit/],
    ['an expired token', () => signToken(google, claims({ iat: T - 7200, exp: T - 3600 })), 'stale_document', /expired/],
    ['an uppercase instance name', () => signToken(google, claims({}, { instance_name: 'Worker-7' })), 'invalid_claims', /instance_name is not a DNS label: "Worker-7"/],
    ['an instance name with an underscore', () => signToken(google, claims({}, { instance_name: 'worker_7' })), 'invalid_claims', /instance_name/],
    ['an instance name of 64 characters', () => signToken(google, claims({}, { instance_name: 'w'.repeat(64) })), 'invalid_claims', /instance_name/],
    ['an instance name that starts with a digit', () => signToken(google, claims({}, { instance_name: '7worker' })), 'invalid_claims', /instance_name/],
    ['an instance name that carries a DNS suffix', () => signToken(google, claims({}, { instance_name: 'a.evil.example' })), 'invalid_claims', /instance_name/],
    ['a domain-scoped project ID', () => signToken(google, claims({}, { project_id: 'example.com:acme-prod' })), 'invalid_claims', /project_id is not a Google Cloud project ID/],
    ['an uppercase project ID', () => signToken(google, claims({}, { project_id: 'Acme-prod' })), 'invalid_claims', /project_id/],
    ['a five-character project ID', () => signToken(google, claims({}, { project_id: 'acmep' })), 'invalid_claims', /project_id/],
    ['a project ID ending in a hyphen', () => signToken(google, claims({}, { project_id: 'acme-prod-' })), 'invalid_claims', /project_id/],
    ['a missing project number', () => signToken(google, claims({}, { project_number: undefined })), 'invalid_claims', /project_number/],
    ['a project number past 2^53', () => signToken(google, claims({}, { project_number: 2 ** 53 + 2 })), 'invalid_claims', /project_number/],
    ['an instance ID sent as a number', () => signToken(google, claims({}, { instance_id: 8418160715 })), 'invalid_claims', /instance_id is not a 64-bit decimal ID/],
    ['an instance ID above 2^64 − 1', () => signToken(google, claims({}, { instance_id: '18446744073709551616' })), 'invalid_claims', /instance_id/],
    ['a zone without its letter', () => signToken(google, claims({}, { zone: 'us-central1' })), 'invalid_claims', /zone is not a zone name: "us-central1"/],
    ['a zone path', () => signToken(google, claims({}, { zone: 'projects/1/zones/us-central1-a' })), 'invalid_claims', /zone/],
    ['a creation timestamp that is a string', () => signToken(google, claims({}, { instance_creation_timestamp: '1715962701' })), 'invalid_claims', /instance_creation_timestamp/],
    ['license IDs that are not a list', () => signToken(google, claims({}, { license_id: '5731035067256925298' })), 'invalid_claims', /license_id/],
  ];
  it.each(refusals)('refuses %s', async (_, build, reason, detail) => {
    const result = await verify(await build());
    expect(reasonOf(result)).toBe(reason);
    expect(!result.ok && result.error.detail).toMatch(detail);
  });

  it('joins license IDs into one attribute', async () => {
    const result = await verify(await signToken(google, claims({}, { license_id: ['1', '22'] })));
    expect(result.ok && result.identity.attributes['licenseIds']).toBe('1,22');
  });

  it.each([
    [0, new Date((T - 5 + 3600) * 1000 - 1), 'ok'],
    [0, new Date((T - 5 + 3600) * 1000), 'stale_document'],
    [120, new Date((T - 5 + 3600 + 120) * 1000 - 1), 'ok'],
    [120, new Date((T - 5 + 3600 + 120) * 1000), 'stale_document'],
  ])('with clockSkewSeconds %i, at %s: %s', async (clockSkewSeconds, now, expected) => {
    expect(reasonOf(await verify(await signToken(google, claims()), { now, clockSkewSeconds }))).toBe(expected);
  });

  it.each([
    ['an empty audience', { audience: '' }],
    ['a negative skew', { clockSkewSeconds: -1 }],
    ['a skew over 300 s', { clockSkewSeconds: 301 }],
  ])('throws RangeError for %s (a configuration error, not a token error)', async (_, change) => {
    await expect(verifyGcpIdentityToken('x', { audience: AUDIENCE, keys, now: NOW, ...change })).rejects.toThrow(RangeError);
  });
});
