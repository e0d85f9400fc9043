/** Readers for the real Azure vectors in test/fixtures/azure (copied from ../shared/vectors/azure). */
import { readFileSync } from 'node:fs';

export const AZURE_FIXTURES = new URL('../../fixtures/azure/', import.meta.url);

export const fixtureText = (name: string): string => readFileSync(new URL(name, AZURE_FIXTURES), 'utf8');
export const fixtureBytes = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, AZURE_FIXTURES)));

/** The signature (base64 DER PKCS7) of a vector, whitespace removed. */
export const signatureOf = (stem: string): string => fixtureText(`${stem}.attested-signature.b64`).replace(/\s+/g, '');
/** The vector as IMDS serves it: `{"encoding":"pkcs7","signature":"…"}`. */
export const bodyOf = (stem: string): string => JSON.stringify({ encoding: 'pkcs7', signature: signatureOf(stem) });
export const derOf = (stem: string): Uint8Array => new Uint8Array(Buffer.from(signatureOf(stem), 'base64'));

export interface AzureVector {
  readonly stem: string;
  readonly subscriptionId: string;
  readonly vmId: string;
  readonly nonce: string;
  readonly sku: string;
  readonly createdOn: string;
  readonly expiresOn: string;
  /** When the vectors README says each verifies (coder's test clock). */
  readonly readmePin: string;
  /** What full verification says at `readmePin` (this verifier enforces timeStamp.expiresOn; coder's did not). */
  readonly atReadmePin: 'verified' | 'stale_document';
  /** Inside both the signer certificate's validity and the document's own timeStamp window. */
  readonly pin: string;
  readonly signerPath: readonly string[];
}

/**
 * Expected values copied by hand from test/fixtures/azure/SOURCE-README.md (vmIds, verify-at
 * times) and from each `*.attested-content.json` (extracted from the signed content with openssl).
 * The 2026 vector is ours (test/fixtures/azure/README.md): the first signed under the Microsoft
 * TLS G2 hierarchy that Azure uses today.
 */
export const AZURE_VECTORS: readonly AzureVector[] = [
  {
    stem: 'coder-2022-southcentralus',
    subscriptionId: '5f130ffc-0a3e-4795-b691-4f56a12a5547',
    vmId: 'bd8e7443-24a0-41f3-b949-8baf4fd1c573',
    nonce: '20220419-072721',
    sku: '20_04-lts-gen2',
    createdOn: '2022-04-19T01:27:21.000Z',
    expiresOn: '2022-04-19T07:27:21.000Z',
    readmePin: '2023-02-01T00:00:00Z',
    atReadmePin: 'stale_document',
    pin: '2022-04-19T01:28:00Z',
    signerPath: ['signer', 'Microsoft RSA TLS CA 01', 'Baltimore CyberTrust Root'],
  },
  {
    stem: 'coder-2023-usgovvirginia',
    subscriptionId: '0afbfffa-5df9-4a3b-987e-fe7577624272',
    vmId: '990878d4-068a-4ac4-9ee9-1231d2218ef2',
    nonce: '20230308-230933',
    sku: '18.04-LTS',
    createdOn: '2023-03-08T17:09:33.000Z',
    expiresOn: '2023-03-08T23:09:33.000Z',
    readmePin: '2023-04-01T00:00:00Z',
    atReadmePin: 'stale_document',
    pin: '2023-03-08T17:10:00Z',
    signerPath: ['signer', 'Microsoft Azure TLS Issuing CA 05', 'DigiCert Global Root G2'],
  },
  {
    stem: 'coder-2024-eastus',
    subscriptionId: '05e8b285-4ce1-46a3-b4c9-f51ba67d6acc',
    vmId: '960a4b4a-dab2-44ef-9b73-7753043b4f16',
    nonce: '20240422-233245',
    sku: '20_04-lts-gen2',
    createdOn: '2024-04-22T17:32:45.000Z',
    expiresOn: '2024-04-22T23:32:45.000Z',
    readmePin: '2024-04-22T17:32:44Z',
    atReadmePin: 'verified',
    pin: '2024-04-22T17:33:00Z',
    signerPath: ['signer', 'Microsoft Azure RSA TLS Issuing CA 08', 'DigiCert Global Root G2'],
  },
  {
    stem: 'coder-2026-eastus',
    subscriptionId: '05e8b285-4ce1-46a3-b4c9-f51ba67d6acc',
    vmId: 'dc18de58-292f-4794-9a5d-a4192bad0039',
    nonce: '20260626-005645',
    sku: '20_04-lts-gen2',
    createdOn: '2026-06-25T18:56:45.000Z',
    expiresOn: '2026-06-26T00:56:45.000Z',
    // coder's test clock, 19 h before createdOn: inside the signer's validity (from 2026-05-15)
    // and before expiresOn; this verifier leaves createdOn to the pipeline's freshness check.
    readmePin: '2026-06-25T00:00:00Z',
    atReadmePin: 'verified',
    pin: '2026-06-25T18:57:00Z',
    signerPath: ['signer', 'Microsoft TLS G2 RSA CA OCSP 02', 'Microsoft TLS RSA Root G2', 'DigiCert Global Root G2'],
  },
];
