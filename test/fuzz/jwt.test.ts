/**
 * JWTs whose signature is valid but whose header and payload are hostile: the code behind the
 * signature check (header rules, key choice, registered claims, the identity claim, attributes,
 * node names, Compute Engine claims) only runs on signed tokens, which byte mutations of a real
 * token never reach. Tokens are signed here, by hand over the exact header and payload text, by
 * the issuer's trusted keys or by an attacker's key presenting a trusted `kid`.
 *
 * Oracle (OIDC): an independent statement of the rules in src/attest/oidc (jwt.ts, claims.ts,
 * identity-claim.ts), compared both ways with the verifier's verdict.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseComputeEngineClaims, verifyGcpIdentityToken } from '../../src/attest/gcp/index.js';
import { createStaticKeySource, type KeySource } from '../../src/attest/jwks/index.js';
import { MAX_KID_LENGTH } from '../../src/attest/jwks/jwk-set.js';
import { MAX_JWT_LENGTH, verifyOidcToken, type IssuerConfig } from '../../src/attest/oidc/index.js';
import { GCP_VECTORS, insideValidity } from '../attest/gcp/vectors.js';
import { generateTestKey, jwksOf, seconds, type TestKey } from '../attest/oidc/tokens.js';
import { fuzzRuns } from './settings.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const NOW_S = seconds(NOW);
const ISSUER = 'https://ci.example.com';

const CONFIGS = {
  sub: { issuer: ISSUER, jwksUri: 'https://unused.example/jwks', algorithms: ['ES256', 'EdDSA'], audience: 'broker', identityClaim: 'sub' },
  nested: { issuer: ISSUER, jwksUri: 'https://unused.example/jwks', algorithms: ['ES256'], audience: ['broker', 'other'], identityClaim: 'machine.id', maxTokenAgeSeconds: 600, clockSkewSeconds: 0 },
} as const satisfies Record<string, IssuerConfig>;
type ConfigName = keyof typeof CONFIGS;

type Signer = 'es' | 'ed' | 'attacker';
let signers: Record<Signer, TestKey>;
let keys: KeySource;

beforeAll(async () => {
  const [es, ed, attacker] = await Promise.all([generateTestKey('ES256', 'es-1'), generateTestKey('EdDSA', 'ed-1'), generateTestKey('ES256', 'es-1')]);
  signers = { es, ed, attacker };
  keys = createStaticKeySource(jwksOf(es, ed));
});

const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

const SIGN_PARAMS = {
  ES256: { name: 'ECDSA', hash: 'SHA-256' },
  EdDSA: { name: 'Ed25519' },
  RS256: { name: 'RSASSA-PKCS1-v1_5' },
} as const;

/** Signs the exact header and payload text (no JOSE library in the way of odd headers). */
async function signCompact(alg: keyof typeof SIGN_PARAMS, privateKey: CryptoKey, headerText: string, payloadText: string): Promise<string> {
  const input = `${b64url(headerText)}.${b64url(payloadText)}`;
  const signature = await crypto.subtle.sign(SIGN_PARAMS[alg], privateKey, new TextEncoder().encode(input));
  return `${input}.${Buffer.from(signature).toString('base64url')}`;
}

/** Members as raw JSON text, so duplicates, `__proto__`, `1e400` and order are under control. */
type Members = readonly (readonly [string, string])[];
const objectText = (members: Members) => `{${members.map(([name, raw]) => `${JSON.stringify(name)}:${raw}`).join(',')}}`;
const json = (value: unknown) => JSON.stringify(value);

const numericDate = fc.oneof(
  fc.integer({ min: NOW_S - 4000, max: NOW_S + 4000 }).map(String),
  fc.constantFrom(String(NOW_S), String(NOW_S - 30), String(NOW_S + 30), String(NOW_S + 3600), '0', '-1', '1e400', '-1e400', '1.5e9', '"1772366400"', 'null', 'true', '[]', '{}', String(2 ** 53), '8640000000000'),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(json),
);
const identityValue = fc.oneof(
  fc.constantFrom(json('node-1'), json(''), json('a'.repeat(256)), json('a'.repeat(257)), json('tab\there'), json('\u0085'), '12345', String(2 ** 53), '-7', '1.5', 'null', '{}', '["x"]', json('__proto__')),
  fc.string({ maxLength: 40 }).map(json),
);

/** Present one time in `1 + absentWeight` (fc.option's `freq` weighs the other way). */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>, absentWeight: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: absentWeight, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });

/** Members of a payload: the registered claims right or wrong, the identity claim, extras. */
const payloadMembers: fc.Arbitrary<Members> = fc
  .record({
    iss: fc.option(fc.oneof({ weight: 6, arbitrary: fc.constant(json(ISSUER)) }, { weight: 1, arbitrary: fc.constantFrom(json(`${ISSUER}/`), json('https://CI.example.com'), json([ISSUER]), '7', 'null') }), { nil: undefined, freq: 12 }),
    aud: fc.option(
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(json('broker'), json(['broker']), json(['other', 'broker'])) },
        { weight: 1, arbitrary: fc.constantFrom(json([]), json('Broker'), json(Array(33).fill('broker')), json(Array(32).fill('broker')), json(['broker', 7]), '{"0":"broker"}', json('other')) },
      ),
      { nil: undefined, freq: 12 },
    ),
    exp: fc.option(fc.oneof({ weight: 6, arbitrary: fc.constant(String(NOW_S + 600)) }, { weight: 1, arbitrary: numericDate }), { nil: undefined, freq: 12 }),
    iat: fc.option(fc.oneof({ weight: 6, arbitrary: fc.constant(String(NOW_S - 60)) }, { weight: 1, arbitrary: numericDate }), { nil: undefined, freq: 12 }),
    nbf: sometimes(numericDate, 3),
    sub: fc.option(identityValue, { nil: undefined, freq: 8 }),
    machine: fc.option(fc.oneof(identityValue.map((id) => `{"id":${id}}`), fc.constantFrom('[]', 'null', '{"__proto__":{"id":"x"}}', '"id"')), { nil: undefined, freq: 8 }),
    extras: fc.array(fc.tuple(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'email', 'x'.repeat(65), ''), fc.string({ maxLength: 8 })), fc.jsonValue({ maxDepth: 2 }).map((v) => json(v) ?? 'null')), { maxLength: 4 }),
    duplicate: sometimes(fc.tuple(fc.constantFrom('iss', 'aud', 'exp', 'iat', 'sub'), fc.constantFrom(json(ISSUER), json('broker'), '0', json('node-2'))), 5),
    pad: sometimes(fc.integer({ min: 0, max: 13_000 }), 19),
  })
  .map((p) => {
    const members: (readonly [string, string])[] = [];
    for (const name of ['iss', 'aud', 'exp', 'iat', 'nbf', 'sub', 'machine'] as const) if (p[name] !== undefined) members.push([name, p[name]]);
    members.push(...p.extras);
    if (p.duplicate) members.push(p.duplicate);
    if (p.pad !== undefined) members.push(['pad', json('x'.repeat(p.pad))]);
    return members;
  });

const headerMembers = (signer: Signer): fc.Arbitrary<Members> =>
  fc
    .record({
      alg: fc.oneof({ weight: 20, arbitrary: fc.constant(json(signers[signer].alg)) }, { weight: 1, arbitrary: fc.constantFrom(json('none'), json('HS256'), json('RS256'), json('ES384'), json('es256'), json(''), '7', 'null') }),
      kid: fc.option(
        fc.oneof({ weight: 15, arbitrary: fc.constant(json(signers[signer].kid)) }, { weight: 1, arbitrary: fc.constantFrom(json('ed-1'), json('es-1'), json('es-2'), json(''), json('k'.repeat(MAX_KID_LENGTH + 1)), '1', '["es-1"]') }),
        { nil: undefined, freq: 10 },
      ),
      extra: fc.array(
        fc.oneof(
          fc.constantFrom<readonly [string, string]>(['typ', json('JWT')], ['crit', json(['exp'])], ['crit', json([])], ['b64', 'false'], ['jku', json('https://attacker.example/jwks')], ['x5u', json('https://attacker.example/cert')], ['cty', json('JWT')], ['zip', json('DEF')]),
          fc.constant(['jwk', '"placeholder"'] as const),
          fc.tuple(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }).map((v) => json(v) ?? 'null')),
        ),
        { maxLength: 2 },
      ),
    })
    .map(({ alg, kid, extra }) => {
      // An embedded `jwk` carries the attacker's own public key (CVE-2018-0114 style).
      const withKey = extra.map(([name, raw]) => (name === 'jwk' ? ([name, json(signers.attacker.jwk)] as const) : ([name, raw] as const)));
      return [['alg', alg] as const, ...(kid === undefined ? [] : [['kid', kid] as const]), ...withKey];
    });

const tokenCases = fc
  .record({ signer: fc.constantFrom<Signer>('es', 'es', 'ed', 'ed', 'attacker'), config: fc.constantFrom<ConfigName>('sub', 'nested') })
  .chain(({ signer, config }) => fc.record({ signer: fc.constant(signer), config: fc.constant(config), header: headerMembers(signer), payload: payloadMembers }));

/** The rules, restated: what a verifier may accept. JSON.parse keeps the last of duplicate members, as the verifier's parser does. */
function expectedIdentity(token: string, signer: Signer, configName: ConfigName, headerText: string, payloadText: string): string | undefined {
  const config: IssuerConfig = CONFIGS[configName];
  if (token.length > MAX_JWT_LENGTH) return undefined;
  const header = JSON.parse(headerText) as Record<string, unknown>;
  const { alg, kid } = header;
  if (typeof alg !== 'string' || alg === '' || Object.hasOwn(header, 'crit')) return undefined;
  if (kid !== undefined && (typeof kid !== 'string' || kid === '' || kid.length > MAX_KID_LENGTH)) return undefined;
  if (!(config.algorithms as readonly string[]).includes(alg)) return undefined;
  // Two keys in the set: a token must name one; the named key must fit `alg` and have made the signature.
  const named = [signers.es, signers.ed].find((key) => key.kid === kid);
  if (named === undefined || named.alg !== alg || signer === 'attacker' || signers[signer] !== named) return undefined;

  const claims = JSON.parse(payloadText) as Record<string, unknown>;
  const { iss, aud, exp, iat, nbf } = claims;
  if (iss !== config.issuer) return undefined;
  const audiences = typeof aud === 'string' ? [aud] : aud;
  const wanted = typeof config.audience === 'string' ? [config.audience] : config.audience;
  if (!Array.isArray(audiences) || audiences.length === 0 || audiences.length > 32 || !audiences.every((a) => typeof a === 'string')) return undefined;
  if (!audiences.some((a) => wanted.includes(a))) return undefined;
  const isNumericDate = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  if (!isNumericDate(exp) || !isNumericDate(iat) || (nbf !== undefined && !isNumericDate(nbf))) return undefined;
  const skew = (config.clockSkewSeconds ?? 60) * 1000;
  const nowMs = NOW.getTime();
  if ((iat as number) < 0 || (iat as number) * 1000 > 8.64e15) return undefined;
  if (nowMs >= (exp as number) * 1000 + skew || nowMs < (iat as number) * 1000 - skew) return undefined;
  if (typeof nbf === 'number' && nowMs < nbf * 1000 - skew) return undefined;
  if (config.maxTokenAgeSeconds !== undefined && nowMs > (iat as number) * 1000 + config.maxTokenAgeSeconds * 1000 + skew) return undefined;

  let value: unknown = claims;
  for (const segment of config.identityClaim.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) return undefined;
  for (const c of value) {
    const code = c.codePointAt(0)!;
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return undefined;
  }
  return value;
}

describe('JWTs with valid signatures and hostile contents', () => {
  it(`OIDC: the verifier accepts exactly what the rules allow, and never throws (${fuzzRuns()} runs)`, async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(tokenCases, async ({ signer, config, header, payload }) => {
        const key = signers[signer];
        const headerText = objectText(header);
        const payloadText = objectText(payload);
        const token = await signCompact(key.alg as 'ES256' | 'EdDSA', key.privateKey, headerText, payloadText);
        const result = await verifyOidcToken(token, CONFIGS[config], { keys, now: NOW });
        const expected = expectedIdentity(token, signer, config, headerText, payloadText);
        expect(result.ok ? result.identity.instanceId : undefined).toBe(expected);
        if (result.ok) {
          accepted++;
          expect(result.identity).toMatchObject({ provider: 'oidc', account: ISSUER });
          expect(result.identity.defaultNodeName).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
        }
      }),
      { numRuns: fuzzRuns() },
    );
    expect(accepted).toBeGreaterThan(0);
  });
});

// ---- Compute Engine claims ----

const REAL_CLAIMS = GCP_VECTORS.map((vector) => JSON.parse(Buffer.from(vector.token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>);
const COMPUTE_FIELDS = ['project_id', 'project_number', 'zone', 'instance_id', 'instance_name', 'instance_creation_timestamp', 'license_id'];
const oddValues = fc.oneof(
  fc.jsonValue({ maxDepth: 1 }),
  fc.constantFrom('', '0', '01', '18446744073709551615', '18446744073709551616', 'A-project', 'proj-', 'us-central1', 'us-central1-', '-a', 'a'.repeat(64), 'x.y', 'us-central1-a\n', 2 ** 53, -1, 1.5),
  fc.array(fc.constantFrom('1', '01', 'x', 2), { maxLength: 34 }),
);

/** A real token's claims with a few Compute Engine fields (or the containers) replaced, removed or nested wrongly. */
const perturbedClaims = fc
  .record({
    base: fc.constantFrom(...REAL_CLAIMS),
    changes: fc.array(fc.tuple(fc.constantFrom(...COMPUTE_FIELDS), fc.option(oddValues, { nil: undefined, freq: 4 })), { maxLength: 3 }),
    container: fc.constantFrom('keep', 'keep', 'keep', 'keep', 'no-google', 'google-array', 'compute-null', 'proto'),
  })
  .map(({ base, changes, container }) => {
    const google = base['google'] as { compute_engine: Record<string, unknown> };
    const compute: Record<string, unknown> = { ...google.compute_engine };
    for (const [field, value] of changes) {
      if (value === undefined) delete compute[field];
      else compute[field] = value;
    }
    const claims: Record<string, unknown> = { ...base };
    if (container === 'no-google') delete claims['google'];
    else if (container === 'google-array') claims['google'] = [{ compute_engine: compute }];
    else if (container === 'compute-null') claims['google'] = { compute_engine: null };
    else if (container === 'proto') claims['google'] = JSON.parse(`{"__proto__":{"compute_engine":${JSON.stringify(compute)}}}`);
    else claims['google'] = { ...google, compute_engine: compute };
    return claims;
  });

describe('Compute Engine claims under fuzzing', () => {
  it(`parseComputeEngineClaims never throws, and what it accepts makes a valid DNS name and a 64-bit ID (${fuzzRuns()} runs)`, () => {
    fc.assert(
      fc.property(fc.oneof({ weight: 4, arbitrary: perturbedClaims }, { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 })) }), (claims) => {
        const parsed = parseComputeEngineClaims(claims);
        if (!parsed.ok) return;
        const vm = parsed.value;
        expect(BigInt(vm.instanceId) <= 0xffffffffffffffffn).toBe(true);
        expect(vm.zone.startsWith(`${vm.region}-`)).toBe(true);
        const dnsName = `${vm.instanceName}.${vm.zone}.c.${vm.projectId}.internal`;
        expect(dnsName.length).toBeLessThanOrEqual(253);
        for (const label of dnsName.split('.')) expect(label).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it(`GCP: signed tokens carrying perturbed Compute Engine claims never throw, and what verifies is well formed (${fuzzRuns(0.05)} runs, RS256 signing is slow)`, async () => {
    const { privateKey, jwk } = await generateTestKey('RS256', 'google-test');
    const googleKeys = createStaticKeySource({ keys: [jwk] });
    const vector = GCP_VECTORS[0]!;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(perturbedClaims, async (claims) => {
        const payload = JSON.stringify({ ...claims, aud: vector.aud, iat: vector.iat, exp: vector.exp });
        const token = await signCompact('RS256', privateKey, JSON.stringify({ alg: 'RS256', kid: 'google-test', typ: 'JWT' }), payload);
        const result = await verifyGcpIdentityToken(token, { audience: vector.aud, keys: googleKeys, now: insideValidity(vector) });
        const parsed = parseComputeEngineClaims(claims);
        // Signed by the trusted key, in its validity window, for this audience: the claims decide.
        const issOk = claims['iss'] === 'https://accounts.google.com' || claims['iss'] === 'accounts.google.com';
        expect(result.ok).toBe(issOk && parsed.ok);
        if (result.ok && parsed.ok) {
          accepted++;
          expect(result.identity.instanceId).toBe(parsed.value.instanceId);
          expect(result.identity.account).toBe(parsed.value.projectId);
        }
      }),
      { numRuns: fuzzRuns(0.05) },
    );
    expect(accepted).toBeGreaterThan(0);
  });
});
