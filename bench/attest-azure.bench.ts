/**
 * Cost of verifying an Azure attested document in Node: µs per operation, 1000 iterations after
 * a warm-up, for the real coder-2024-eastus vector with the clock pinned inside its validity
 * (it chains through a historic CA, so the store includes the historic table, as the CLI's does).
 * Run: `npx tsx bench/attest-azure.bench.ts`. `benchAttestAzure` is exported for a runner.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AZURE_HISTORIC_CERTIFICATES } from '../src/attest/azure/historic-certificates.generated.js';
import { createAzureTrustStore, parseAzureBody, parseX509Certificate, validateSignerChain, verifyAzureAttestedDocument } from '../src/attest/azure/index.js';
import { parseSignedData, verifySignedData } from '../src/attest/cms/index.js';

export interface BenchResult {
  readonly name: string;
  readonly microsPerOp: number;
}

async function measure(name: string, iterations: number, op: () => unknown): Promise<BenchResult> {
  for (let i = 0; i < Math.min(200, iterations); i++) await op();
  const started = performance.now();
  for (let i = 0; i < iterations; i++) await op();
  return { name, microsPerOp: ((performance.now() - started) * 1000) / iterations };
}

export async function benchAttestAzure(iterations = 1000): Promise<BenchResult[]> {
  const signature = readFileSync(new URL('../test/fixtures/azure/coder-2024-eastus.attested-signature.b64', import.meta.url), 'ascii').replace(/\s+/g, '');
  const body = JSON.stringify({ encoding: 'pkcs7', signature });
  const now = new Date('2024-04-22T17:33:00Z');
  const trust = createAzureTrustStore({ historic: AZURE_HISTORIC_CERTIFICATES });
  const check = await verifyAzureAttestedDocument(body, { now, trust });
  if (!check.ok) throw new Error(`vector does not verify: ${check.error.detail}`);

  const parsedBody = parseAzureBody(body);
  if (!parsedBody.ok) throw new Error('unexpected body');
  const parsed = parseSignedData(parsedBody.pkcs7);
  if (!parsed.ok) throw new Error(parsed.error.detail);
  const leaf = parseX509Certificate(parsed.value.certificates[0]!);
  if (!leaf.ok) throw new Error(leaf.detail);

  return [
    await measure('verify attested document, warm trust store (the per-request cost)', iterations, () => verifyAzureAttestedDocument(body, { now, trust })),
    await measure('  body: JSON + base64 decode', iterations, () => parseAzureBody(body)),
    await measure('  parseSignedData (guard + asn1-cms + TLV reader)', iterations, () => parseSignedData(parsedBody.pkcs7)),
    await measure('  verifySignedData (embedded signer: certificate parse + digest + RSA)', iterations, () => verifySignedData(parsed.value, { signers: { kind: 'embedded' }, keyCache: trust.keyCache })),
    await measure('  parseX509Certificate (signer)', iterations, () => parseX509Certificate(parsed.value.certificates[0]!)),
    await measure('  validateSignerChain, links remembered (SHA-256 of the signer + checks)', iterations, () => validateSignerChain(leaf.certificate, { trust, now })),
    await measure('verify attested document, cold trust store each time (no caching)', Math.min(iterations, 200), () => verifyAzureAttestedDocument(body, { now, trust: createAzureTrustStore({ historic: AZURE_HISTORIC_CERTIFICATES }) })),
  ];
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const results = await benchAttestAzure();
  console.log(`Node ${process.version}, 1000 iterations after warm-up`);
  for (const r of results) console.log(`${r.microsPerOp.toFixed(1).padStart(9)} µs  ${r.name}`);
}
