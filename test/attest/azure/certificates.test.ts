/**
 * The shipped Azure CA table: generated from the fixtures, every intermediate chaining to a
 * shipped root with the verifier's own chain code, and its expiry stated.
 *
 * Expiry. Unlike AWS's keys, these certificates' validity is enforced (RFC 5280 path
 * validation). As of 2026-11-30 every shipped intermediate has expired — the last four on
 * 2026-08-25 — and Baltimore CyberTrust Root on 2025-05-12: the shipped table verifies the
 * captured vectors at their own dates, but no document Azure signs today. Azure moved to the
 * "Microsoft TLS G2 RSA CA OCSP 02…16" issuers under "Microsoft TLS RSA Root G2" (cross-signed by
 * DigiCert Global Root G2) in 2025–2026; operators add those with `azure.extraIntermediates`
 * (README, "Azure"). The test below pins these facts, so a table refresh shows up as a diff.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OUTPUT_FILE, renderAzureCertificatesModule } from '../../../scripts/gen-azure-certs.js';
import {
  AZURE_INTERMEDIATE_CERTIFICATES,
  AZURE_ROOT_CERTIFICATES,
  createAzureTrustStore,
} from '../../../src/attest/azure/index.js';

const FIXTURE_CERTS = new URL('../../fixtures/azure/certs/', import.meta.url).pathname;
const store = createAzureTrustStore();
const entries = store.entries();

describe('Azure CA table', () => {
  it('the committed file is what scripts/gen-azure-certs.ts generates', () => {
    expect(readFileSync(OUTPUT_FILE, 'utf8')).toBe(renderAzureCertificatesModule(FIXTURE_CERTS));
  });

  it('ships two roots and the ten Microsoft issuing CAs, each decodable', () => {
    expect(AZURE_ROOT_CERTIFICATES.map((c) => c.name)).toEqual(['Baltimore CyberTrust Root', 'DigiCert Global Root G2']);
    expect(AZURE_INTERMEDIATE_CERTIFICATES.map((c) => c.name)).toEqual([
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
    ]);
    expect(entries).toHaveLength(12);
    for (const ca of entries) {
      expect(ca.certificate.basicConstraints?.ca).toBe(true);
      expect(ca.certificate.notAfter.toISOString().replace('.000Z', 'Z')).toBe(
        [...AZURE_ROOT_CERTIFICATES, ...AZURE_INTERMEDIATE_CERTIFICATES].find((c) => c.name === ca.name)?.notAfter,
      );
    }
  });

  const HASHES: Record<string, string> = { '1.2.840.113549.1.1.11': 'SHA-256', '1.2.840.113549.1.1.12': 'SHA-384' };

  it.each(entries.filter((ca) => ca.role === 'intermediate').map((ca) => [ca.name, ca] as const))('%s is issued by exactly one shipped root, whose key verifies its signature', async (_, ca) => {
    const issuers = store.issuersOf(ca.certificate.issuer);
    expect(issuers.map((p) => p.role)).toEqual(['root']);
    const hash = HASHES[ca.certificate.signatureAlgorithm];
    expect(hash).toBeDefined();
    const key = await crypto.subtle.importKey('spki', issuers[0]!.certificate.spki as Uint8Array<ArrayBuffer>, { name: 'RSASSA-PKCS1-v1_5', hash: hash! }, false, ['verify']);
    expect(await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, ca.certificate.signature as Uint8Array<ArrayBuffer>, ca.certificate.tbs as Uint8Array<ArrayBuffer>)).toBe(true);
    expect(ca.certificate.basicConstraints?.pathLength).toBe(0);
  });

  it('states what has expired as of 2026-11-30: every intermediate, and Baltimore CyberTrust Root', () => {
    const at = new Date('2026-11-30T00:00:00Z');
    const expired = entries.filter((ca) => ca.certificate.notAfter.getTime() < at.getTime()).map((ca) => ca.name).sort();
    expect(expired).toEqual([...AZURE_INTERMEDIATE_CERTIFICATES.map((c) => c.name), 'Baltimore CyberTrust Root'].sort());
  });
});
