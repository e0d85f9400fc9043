/**
 * The shipped Azure CA tables: generated from the fixtures, each certificate the one Microsoft
 * publishes, every intermediate chaining to a shipped root with the verifier's own chain code,
 * and the expiry of what today's chains depend on watched.
 *
 * What is shipped (test/fixtures/azure/README.md has the sources):
 *  - CURRENT (certificates.generated.ts, the Worker's table): DigiCert Global Root G2, the
 *    issuers of the certificates Azure IMDS signs with today, "Microsoft TLS G2 RSA CA OCSP
 *    02…16", and "Microsoft TLS RSA Root G2" as cross-signed by DigiCert Global Root G2, their
 *    link to that root. They must chain at the pinned date (2026-11-30).
 *  - EARLIER (historic-certificates.generated.ts, for the CLI and tests only): the ten issuing CAs
 *    of 2020–2026, all expired by 2026-08-25, and Baltimore CyberTrust Root, the root two of them
 *    chain to (expired 2025-05-12). Validity is enforced, so they verify nothing Azure signs
 *    today; they stay for the 2022–2024 real vectors and for `kube-join-broker verify azure --at
 *    <time>` on old documents. They must chain at a date inside their validity, and fail at the
 *    pinned date as expired. test/worker/bundle-content.test.ts checks the Worker leaves them out.
 *
 * Expiry policy (as for AWS, test/attest/aws/certificates.test.ts), over the certificates
 * today's chain depends on (CURRENT and DigiCert Global Root G2):
 *  - at the pinned date none expires within a year — a deterministic check of the committed table;
 *  - at the real date the same check is a calendar alarm: it starts failing a year before the
 *    first expiry (today: Microsoft TLS G2 RSA CA OCSP 04, 2029-06-03T20:02:59Z; the others
 *    follow within the day, the cross-signed Root G2 on 2029-06-19), telling the operator to add
 *    Microsoft's successors from https://learn.microsoft.com/azure/security/fundamentals/azure-ca-details
 *    to test/fixtures/azure/certs and regenerate (README, "Azure").
 */
import { X509Certificate as NodeX509 } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HISTORIC_OUTPUT_FILE, OUTPUT_FILE, renderAzureCertificatesModule, renderAzureHistoricCertificatesModule } from '../../../scripts/gen-azure-certs.js';
import { AZURE_HISTORIC_CERTIFICATES } from '../../../src/attest/azure/historic-certificates.generated.js';
import {
  AZURE_INTERMEDIATE_CERTIFICATES,
  AZURE_ROOT_CERTIFICATES,
  createAzureTrustStore,
  validateIntermediateChain,
  type AzureStoreCa,
} from '../../../src/attest/azure/index.js';
import { run } from '../../support/run.js';

const FIXTURE_CERTS = new URL('../../fixtures/azure/certs/', import.meta.url).pathname;
const PINNED_DATE = new Date('2026-11-30T00:00:00Z');
const WARNING_DAYS = 365;
/** Both tables: what the CLI builds, and every shipped certificate. */
const store = createAzureTrustStore({ historic: AZURE_HISTORIC_CERTIFICATES });
const entries = store.entries();
/** The current table alone: what the Worker builds. */
const workerEntries = createAzureTrustStore().entries();
const entry = (name: string): AzureStoreCa => {
  const found = entries.find((ca) => ca.name === name);
  if (found === undefined) throw new Error(`not shipped: ${name}`);
  return found;
};

const G2_ISSUING = ['02', '04', '06', '08', '10', '12', '14', '16'].map((n) => `Microsoft TLS G2 RSA CA OCSP ${n}`);
const CROSS_SIGNED_ROOT = 'Microsoft TLS RSA Root G2';
const CURRENT = [...G2_ISSUING, CROSS_SIGNED_ROOT];
const EARLIER = [
  'Microsoft Azure RSA TLS Issuing CA 03',
  'Microsoft Azure RSA TLS Issuing CA 04',
  'Microsoft Azure RSA TLS Issuing CA 07',
  'Microsoft Azure RSA TLS Issuing CA 08',
  'Microsoft Azure TLS Issuing CA 01',
  'Microsoft Azure TLS Issuing CA 02',
  'Microsoft Azure TLS Issuing CA 05',
  'Microsoft Azure TLS Issuing CA 06',
  'Microsoft RSA TLS CA 01',
  'Microsoft RSA TLS CA 02',
];

/**
 * Serial number and SHA-1 thumbprint of each CURRENT certificate as Microsoft lists them in
 * "Azure Certificate Authority details" (articles/security/fundamentals/azure-CA-details.md,
 * ms.date 11/17/2025, read from the specialized806/azure-docs copy of MicrosoftDocs/azure-docs @
 * c6d549ae34387ff607afa9162ed09de66baf3fd0). Compared with node:crypto's own parser below, so the
 * fixture bytes are tied to Microsoft's list, not only to the source they were copied from.
 */
const MICROSOFT_PUBLISHED: Record<string, { serial: string; sha1: string }> = {
  'Microsoft TLS G2 RSA CA OCSP 02': { serial: '330000000c4964a16f44203b2200000000000c', sha1: 'F8A408B8FBEEA077B75738658641BE77154720EB' },
  'Microsoft TLS G2 RSA CA OCSP 04': { serial: '330000000b13e5667d4a9b558000000000000b', sha1: 'DA6D0400641B45AECC595D24E5037AA6BC09C358' },
  'Microsoft TLS G2 RSA CA OCSP 06': { serial: '330000000def69cd2d7223735600000000000d', sha1: '88283C78D08489718F78CD2B797333765164E911' },
  'Microsoft TLS G2 RSA CA OCSP 08': { serial: '3300000011f100a7eb05eba100000000000011', sha1: 'DDBD3DA5C09386CC36CFEC4680F17084BA7A5628' },
  'Microsoft TLS G2 RSA CA OCSP 10': { serial: '330000000f33206537ee42ae4f00000000000f', sha1: 'B663D8413CA35F3F22643CCBC2D3250700916B1A' },
  'Microsoft TLS G2 RSA CA OCSP 12': { serial: '33000000107d59860fd64d7243000000000010', sha1: 'D3089DF9F47490887045B91D3FDEF6ED87F02F52' },
  'Microsoft TLS G2 RSA CA OCSP 14': { serial: '33000000127e739347e75be1a1000000000012', sha1: '55D9B33BDC16DDB3B663F1771F96D4324C118073' },
  'Microsoft TLS G2 RSA CA OCSP 16': { serial: '330000000e42938f25dc51a99b00000000000e', sha1: '27E6663299D340DFE54571CECCEC01BE74495DC6' },
  'Microsoft TLS RSA Root G2': { serial: '0b0c6b2c466917b04773c647d4afc0c8', sha1: 'B5EE89E77326AB2BF1775BD99C19A28947FF8184' },
};

const iso = (date: Date) => date.toISOString().replace('.000Z', 'Z');

/** The certificates today's chains depend on that expire within `days` of `from`, soonest first. */
function expiringWithin(days: number, from: Date): string[] {
  const limit = from.getTime() + days * 86_400_000;
  return [...CURRENT, 'DigiCert Global Root G2']
    .map(entry)
    .filter((ca) => ca.certificate.notAfter.getTime() <= limit)
    .sort((a, b) => a.certificate.notAfter.getTime() - b.certificate.notAfter.getTime() || (a.name < b.name ? -1 : 1))
    .map((ca) => `${ca.name} expires ${iso(ca.certificate.notAfter)}`);
}

describe('Azure CA tables', () => {
  it.each([
    ['certificates.generated.ts', OUTPUT_FILE, renderAzureCertificatesModule],
    ['historic-certificates.generated.ts', HISTORIC_OUTPUT_FILE, renderAzureHistoricCertificatesModule],
  ] as const)('the committed %s is what scripts/gen-azure-certs.ts generates', (_, file, render) => {
    expect(readFileSync(file, 'utf8')).toBe(render(FIXTURE_CERTS));
  });

  it('ships two roots, the nine current Microsoft CAs and the ten earlier ones, each a decodable CA', () => {
    expect(AZURE_ROOT_CERTIFICATES.map((c) => c.name)).toEqual(['DigiCert Global Root G2']);
    expect(AZURE_INTERMEDIATE_CERTIFICATES.map((c) => c.name)).toEqual(CURRENT);
    expect(AZURE_HISTORIC_CERTIFICATES.roots.map((c) => c.name)).toEqual(['Baltimore CyberTrust Root']);
    expect(AZURE_HISTORIC_CERTIFICATES.intermediates.map((c) => c.name)).toEqual(EARLIER);
    expect(entries).toHaveLength(2 + 19);
    const tables = [...AZURE_ROOT_CERTIFICATES, ...AZURE_INTERMEDIATE_CERTIFICATES, ...AZURE_HISTORIC_CERTIFICATES.roots, ...AZURE_HISTORIC_CERTIFICATES.intermediates];
    for (const ca of entries) {
      expect(ca.certificate.basicConstraints?.ca).toBe(true);
      expect(iso(ca.certificate.notAfter)).toBe(tables.find((c) => c.name === ca.name)?.notAfter);
    }
  });

  it('the Worker\'s store (no historic option) holds the current table only', () => {
    expect(workerEntries.map((ca) => [ca.role, ca.name])).toEqual([['root', 'DigiCert Global Root G2'], ...CURRENT.map((name) => ['intermediate', name])]);
  });

  it.each(CURRENT)('%s has the serial number and SHA-1 thumbprint Microsoft publishes', (name) => {
    const parsed = new NodeX509(entry(name).certificate.der);
    expect({ serial: parsed.serialNumber.toLowerCase(), sha1: parsed.fingerprint.replaceAll(':', '') }).toEqual(MICROSOFT_PUBLISHED[name]);
    expect(parsed.subject).toBe(`C=US\nO=Microsoft Corporation\nCN=${name}`);
  });
});

describe('every shipped intermediate chains to a shipped root (validateIntermediateChain)', () => {
  it.each(G2_ISSUING)('%s → Microsoft TLS RSA Root G2 (cross-signed) → DigiCert Global Root G2, at 2026-11-30', async (name) => {
    const result = await validateIntermediateChain(entry(name), { trust: store, now: PINNED_DATE });
    expect(result).toEqual({ ok: true, path: [name, CROSS_SIGNED_ROOT, 'DigiCert Global Root G2'] });
    expect(entry(name).certificate.basicConstraints).toEqual({ ca: true, pathLength: 0 });
  });

  it('Microsoft TLS RSA Root G2 (cross-signed) → DigiCert Global Root G2, at 2026-11-30', async () => {
    expect(await validateIntermediateChain(entry(CROSS_SIGNED_ROOT), { trust: store, now: PINNED_DATE })).toEqual({
      ok: true,
      path: [CROSS_SIGNED_ROOT, 'DigiCert Global Root G2'],
    });
    expect(store.issuersOf(entry(CROSS_SIGNED_ROOT).certificate.issuer).map((ca) => ca.name)).toEqual(['DigiCert Global Root G2']);
  });

  it.each(EARLIER)('%s chains to its root inside its validity (2024-01-01), and is refused as expired at 2026-11-30', async (name) => {
    const root = name.startsWith('Microsoft RSA TLS CA') ? 'Baltimore CyberTrust Root' : 'DigiCert Global Root G2';
    expect(await validateIntermediateChain(entry(name), { trust: store, now: new Date('2024-01-01T00:00:00Z') })).toEqual({ ok: true, path: [name, root] });
    expect(await validateIntermediateChain(entry(name), { trust: store, now: PINNED_DATE })).toEqual({
      ok: false,
      kind: 'invalid',
      detail: `intermediate "${name}" expired at ${iso(entry(name).certificate.notAfter)}`,
    });
  });

  it('an intermediate whose issuer the store does not hold is untrusted, not an error', async () => {
    const alone = createAzureTrustStore({ includeAzureCertificates: false, extraIntermediates: [new NodeX509(entry(G2_ISSUING[0]!).certificate.der).toString()] });
    const [ca] = alone.entries();
    expect(await validateIntermediateChain(ca!, { trust: alone, now: PINNED_DATE })).toEqual({
      ok: false,
      kind: 'untrusted',
      detail: 'no trusted CA is named as the issuer of "Microsoft TLS G2 RSA CA OCSP 02" (or of an intermediate on its path)',
    });
  });
});

describe('OpenSSL agrees (an independent validator)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kjb-azure-certs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const pemOf = (ca: AzureStoreCa) => new NodeX509(ca.certificate.der).toString();

  it('openssl verify -attime 2026-11-30 -CAfile DigiCert Global Root G2 -untrusted Root G2 (cross) says OK for each G2 issuing CA', async () => {
    const rootFile = join(dir, 'root.pem');
    const crossFile = join(dir, 'cross.pem');
    writeFileSync(rootFile, pemOf(entry('DigiCert Global Root G2')));
    writeFileSync(crossFile, pemOf(entry(CROSS_SIGNED_ROOT)));
    const files = G2_ISSUING.map((name, i) => {
      const file = join(dir, `g2-${i}.pem`);
      writeFileSync(file, pemOf(entry(name)));
      return file;
    });
    const at = String(PINNED_DATE.getTime() / 1000);
    const result = await run('openssl', ['verify', '-attime', at, '-CAfile', rootFile, '-untrusted', crossFile, ...files]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(files.map((f) => `${f}: OK\n`).join(''));
    // And without the cross-signed Root G2 there is no path.
    const without = await run('openssl', ['verify', '-attime', at, '-CAfile', rootFile, files[0]!]);
    expect(without.code).not.toBe(0);
  });
});

describe('expiry of what today\'s chains depend on', () => {
  it(`at the pinned date (${PINNED_DATE.toISOString().slice(0, 10)}), none expires within ${WARNING_DAYS} days`, () => {
    expect(expiringWithin(WARNING_DAYS, PINNED_DATE)).toEqual([]);
    // The next expiries, for the record (and to prove the check can see them):
    expect(expiringWithin(3 * WARNING_DAYS, PINNED_DATE)).toEqual([
      'Microsoft TLS G2 RSA CA OCSP 04 expires 2029-06-03T20:02:59Z',
      'Microsoft TLS G2 RSA CA OCSP 02 expires 2029-06-03T20:03:00Z',
      'Microsoft TLS G2 RSA CA OCSP 06 expires 2029-06-03T20:03:01Z',
      'Microsoft TLS G2 RSA CA OCSP 16 expires 2029-06-03T20:03:02Z',
      'Microsoft TLS G2 RSA CA OCSP 10 expires 2029-06-03T20:03:03Z',
      'Microsoft TLS G2 RSA CA OCSP 12 expires 2029-06-03T23:03:39Z',
      'Microsoft TLS G2 RSA CA OCSP 08 expires 2029-06-03T23:03:40Z',
      'Microsoft TLS G2 RSA CA OCSP 14 expires 2029-06-03T23:03:41Z',
      'Microsoft TLS RSA Root G2 expires 2029-06-19T23:59:59Z',
    ]);
  });

  it('the earlier CAs and Baltimore CyberTrust Root have all expired at the pinned date (kept for old documents only, out of the Worker\'s store)', () => {
    const expired = entries.filter((ca) => ca.certificate.notAfter.getTime() < PINNED_DATE.getTime()).map((ca) => ca.name).sort();
    expect(expired).toEqual([...EARLIER, 'Baltimore CyberTrust Root'].sort());
    expect(workerEntries.filter((ca) => ca.certificate.notAfter.getTime() < PINNED_DATE.getTime())).toEqual([]);
  });

  it(`calendar alarm: at the real date, none expires within ${WARNING_DAYS} days (add Microsoft's successors and regenerate if this fails; README, "Azure")`, () => {
    expect(expiringWithin(WARNING_DAYS, new Date())).toEqual([]);
  });
});
