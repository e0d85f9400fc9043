/**
 * Cost of verifying an AWS identity document in Node: µs per operation, 1000 iterations after
 * a warm-up, for the real rsa2048 vector (teleport-2021-us-west-2) and the signature form.
 * Run: `npx tsx bench/attest-aws.bench.ts`. `benchAttestAws` is exported for bench/run.ts.
 * (Inside workerd the clock does not advance during CPU work; measure there from outside.)
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createAwsTrustStore, parseAwsJoinBody, verifyAwsIdentityDocument } from '../src/attest/aws/index.js';
import { parseSignedData, verifySignedData } from '../src/attest/cms/index.js';

const FIXTURES = new URL('../test/fixtures/aws/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, FIXTURES));

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

export async function benchAttestAws(iterations = 1000): Promise<BenchResult[]> {
  const rsa2048 = read('teleport-2021-us-west-2.rsa2048');
  const signatureBody = JSON.stringify({
    document: read('coder-2022-us-east-1.document.json').toString('utf8'),
    signature: read('coder-2022-us-east-1.signature').toString('utf8'),
  });
  const now = new Date('2021-09-03T21:25:44Z');
  const trust = createAwsTrustStore();
  const check = await verifyAwsIdentityDocument(rsa2048, trust, now);
  if (!check.ok) throw new Error(`vector does not verify: ${check.error.detail}`);

  const evidence = parseAwsJoinBody(rsa2048);
  if (!evidence.ok || evidence.evidence.kind !== 'pkcs7') throw new Error('unexpected body');
  const der = evidence.evidence.pkcs7;
  const parsed = parseSignedData(der);
  if (!parsed.ok) throw new Error(parsed.error.detail);
  const signers = trust.signersFor('us-west-2', 'rsa2048');

  return [
    await measure('verify rsa2048 PKCS7, warm trust store (the per-request cost)', iterations, () => verifyAwsIdentityDocument(rsa2048, trust, now)),
    await measure('verify signature form (RSA-1024, SHA-256)', iterations, () => verifyAwsIdentityDocument(signatureBody, trust, now)),
    await measure('  body: base64 decode', iterations, () => parseAwsJoinBody(rsa2048)),
    await measure('  parseSignedData (guard + asn1-cms + TLV reader)', iterations, () => parseSignedData(der)),
    await measure('  verifySignedData (digest + RSA, cached key)', iterations, () => verifySignedData(parsed.value, { signers: { kind: 'trusted', signers }, keyCache: trust.keyCache })),
    await measure('  verifySignedData (digest + RSA, key imported each time)', iterations, () => verifySignedData(parsed.value, { signers: { kind: 'trusted', signers } })),
    await measure('verify rsa2048 PKCS7, cold trust store each time (no caching)', Math.min(iterations, 300), () => verifyAwsIdentityDocument(rsa2048, createAwsTrustStore(), now)),
  ];
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const results = await benchAttestAws();
  console.log(`Node ${process.version}, 1000 iterations after warm-up`);
  for (const r of results) console.log(`${r.microsPerOp.toFixed(1).padStart(9)} µs  ${r.name}`);
}
