/**
 * The four real Microsoft-signed attested documents verify with the clock pinned inside their
 * signer certificate's validity and their own timeStamp window, prove exactly the VM their
 * content states, and fail without the pin, with a wrong nonce, or with one byte changed.
 * The 2026 one is signed under the Microsoft TLS G2 hierarchy Azure uses today (signer →
 * Microsoft TLS G2 RSA CA OCSP 02 → Microsoft TLS RSA Root G2, cross-signed → DigiCert Global
 * Root G2), so it shows the shipped G2 certificates are the ones Azure's chain needs.
 *
 * About the pins: the READMEs give coder's test clocks (2023-02-01, 2023-04-01,
 * 2024-04-22T17:32:44Z, 2026-06-25). At those times every signer chain verifies (asserted below),
 * but the first two documents had already passed their `timeStamp.expiresOn` (6 h after
 * creation), which this verifier enforces and coder's did not; so full verification is pinned one
 * minute or less after each `createdOn`, and at the README clocks those two are `stale_document`.
 *
 * The 2022–2024 documents chain through expired CAs that only the historic table holds, so these
 * tests build the store the CLI builds (`historic: AZURE_HISTORIC_CERTIFICATES`); the Worker's
 * store, without it, verifies only the 2026 one (asserted under "trust").
 */
import { describe, expect, it } from 'vitest';
import { checkFreshness } from '../../../src/attest/freshness.js';
import {
  createAzureTrustStore,
  parseX509Certificate,
  validateSignerChain,
  verifyAzureAttestedDocument,
  type AzureAttestResult,
} from '../../../src/attest/azure/index.js';
import { AZURE_HISTORIC_CERTIFICATES } from '../../../src/attest/azure/historic-certificates.generated.js';
import { parseSignedData } from '../../../src/attest/cms/index.js';
import { AZURE_VECTORS, bodyOf, derOf, fixtureBytes, fixtureText } from './fixtures.js';

const trust = createAzureTrustStore({ historic: AZURE_HISTORIC_CERTIFICATES });
const verify = (body: string | Uint8Array, now: string | Date, expectedNonce?: string): Promise<AzureAttestResult> =>
  verifyAzureAttestedDocument(body, { now: new Date(now), trust, ...(expectedNonce === undefined ? {} : { expectedNonce }) });

const reasonOf = (result: AzureAttestResult) => (result.ok ? 'verified' : result.error.reason);
/** The certificates of a fixture PEM bundle, one PEM string each (the form policy extras take). */
const readPems = (file: string): string[] => fixtureText(`certs/${file}`).match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];

describe.each(AZURE_VECTORS)('real vector $stem', (vector) => {
  it('verifies at its pin and proves the subscription and VM its content states', async () => {
    const result = await verify(bodyOf(vector.stem), vector.pin, vector.nonce);
    expect(result.ok, JSON.stringify(result)).toBe(true);
    if (!result.ok) return;
    expect(result.identity).toEqual({
      provider: 'azure',
      account: vector.subscriptionId,
      instanceId: vector.vmId,
      issuedAt: new Date(vector.createdOn),
      attributes: { sku: vector.sku },
      addresses: { ips: [], dnsNames: [] },
      defaultNodeName: `azure-${vector.vmId}`,
    });
    expect(result.identity.region).toBeUndefined();
    expect(result.nonce).toBe(vector.nonce);
    expect(result.signerPath).toEqual(vector.signerPath);
    expect(result.content.expiresOn.toISOString()).toBe(vector.expiresOn);
    // The pipeline holds createdOn to the pool's freshness window: fresh at the pin.
    expect(checkFreshness(result.identity.issuedAt, new Date(vector.pin), { maxAgeSeconds: 600 }).ok).toBe(true);
  });

  it('has a signer chain that verifies at the README clock', async () => {
    const signed = parseSignedData(derOf(vector.stem));
    const leaf = signed.ok ? parseX509Certificate(signed.value.certificates[0] as Uint8Array) : undefined;
    expect(leaf?.ok).toBe(true);
    if (leaf?.ok !== true) return;
    expect(await validateSignerChain(leaf.certificate, { trust, now: new Date(vector.readmePin) })).toEqual({ ok: true, path: vector.signerPath });
  });

  it.each([
    ['today (2026-11-30), after the signer certificate expired', '2026-11-30T00:00:00Z'],
    ['the real clock', new Date()],
  ])('fails without the pin: %s', async (_, now) => {
    const result = await verify(bodyOf(vector.stem), now);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.reason).toBe('invalid_signature');
    expect(result.error.detail).toMatch(/^signer chain: the signer certificate expired at /);
  });

  it('fails with a wrong nonce (invalid_nonce), and without an expected nonce returns the signed one', async () => {
    expect(reasonOf(await verify(bodyOf(vector.stem), vector.pin, `${vector.nonce}0`))).toBe('invalid_nonce');
    expect(reasonOf(await verify(bodyOf(vector.stem), vector.pin, '12345678901234567890123456789012'))).toBe('invalid_nonce');
    const result = await verify(bodyOf(vector.stem), vector.pin);
    expect(result.ok && result.nonce).toBe(vector.nonce);
  });

  it('fails when one byte of the signed content changes (invalid_signature)', async () => {
    const der = derOf(vector.stem);
    const content = fixtureBytes(`${vector.stem}.attested-content.json`);
    const at = Buffer.from(der).indexOf(Buffer.from(content));
    expect(at).toBeGreaterThan(0);
    const vmIdAt = at + Buffer.from(content).indexOf(Buffer.from(vector.vmId));
    for (const offset of [at, vmIdAt, at + content.length - 1]) {
      const changed = der.slice();
      changed[offset] = (changed[offset] as number) ^ 0x01;
      const result = await verify(JSON.stringify({ encoding: 'pkcs7', signature: Buffer.from(changed).toString('base64') }), vector.pin);
      expect(result.ok ? 'verified' : result.error).toMatchObject({ reason: 'invalid_signature' });
    }
  });

  it('is stale one millisecond after timeStamp.expiresOn, and not at it', async () => {
    expect(reasonOf(await verify(bodyOf(vector.stem), vector.expiresOn))).toBe('verified');
    expect(reasonOf(await verify(bodyOf(vector.stem), new Date(Date.parse(vector.expiresOn) + 1)))).toBe('stale_document');
  });
});

describe('the README clocks', () => {
  it.each(AZURE_VECTORS.map((v) => [v.stem, v.readmePin, v.atReadmePin] as const))(
    '%s at %s is %s',
    async (stem, at, expected) => {
      expect(reasonOf(await verify(bodyOf(stem), at))).toBe(expected);
    },
  );
});

describe('trust', () => {
  it('a store without the shipped certificates trusts none of the real vectors (unknown_signer)', async () => {
    const empty = createAzureTrustStore({ includeAzureCertificates: false });
    for (const vector of AZURE_VECTORS) {
      const result = await verifyAzureAttestedDocument(bodyOf(vector.stem), { now: new Date(vector.pin), trust: empty });
      expect(result.ok ? 'verified' : result.error.reason).toBe('unknown_signer');
    }
  });

  it.each(AZURE_VECTORS.map((v) => [v.stem, v.stem === 'coder-2026-eastus' ? 'verified' : 'unknown_signer', v] as const))(
    'the Worker\'s store (current table only) at the pin: %s is %s',
    async (_, expected, vector) => {
      const worker = createAzureTrustStore();
      expect(reasonOf(await verifyAzureAttestedDocument(bodyOf(vector.stem), { now: new Date(vector.pin), trust: worker }))).toBe(expected);
    },
  );

  it('the table before the G2 certificates (DigiCert Global Root G2 and the earlier intermediates) does not verify the 2026 document (unknown_signer)', async () => {
    const vector = AZURE_VECTORS.find((v) => v.stem === 'coder-2026-eastus')!;
    const before = createAzureTrustStore({
      includeAzureCertificates: false,
      extraRoots: readPems('digicert-global-root-g2.pem'),
      extraIntermediates: readPems('azure-intermediates-coder.pem'),
    });
    const result = await verifyAzureAttestedDocument(bodyOf(vector.stem), { now: new Date(vector.pin), trust: before });
    expect(result.ok ? 'verified' : result.error).toEqual({
      reason: 'unknown_signer',
      detail: 'signer chain: no trusted CA is named as the issuer of the signer certificate (or of an intermediate on its path)',
    });
  });

  it('remembers verified links, so a warm verification checks only the document signature', async () => {
    const fresh = createAzureTrustStore({ historic: AZURE_HISTORIC_CERTIFICATES });
    const vector = AZURE_VECTORS[2]!;
    expect((await verifyAzureAttestedDocument(bodyOf(vector.stem), { now: new Date(vector.pin), trust: fresh })).ok).toBe(true);
    expect(fresh.verifiedLinks.size).toBe(1);
    expect(fresh.verifiedSigners.size).toBe(1);
    expect((await verifyAzureAttestedDocument(bodyOf(vector.stem), { now: new Date(vector.pin), trust: fresh })).ok).toBe(true);
    expect([fresh.verifiedLinks.size, fresh.verifiedSigners.size]).toEqual([1, 1]);
    // The G2 path has two links between store certificates: OCSP 02 → Root G2 (cross) → DigiCert.
    const g2 = AZURE_VECTORS.find((v) => v.stem === 'coder-2026-eastus')!;
    expect((await verifyAzureAttestedDocument(bodyOf(g2.stem), { now: new Date(g2.pin), trust: fresh })).ok).toBe(true);
    expect([fresh.verifiedLinks.size, fresh.verifiedSigners.size]).toEqual([3, 2]);
  });
});
