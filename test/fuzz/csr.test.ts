/**
 * The CSR approver's parser of untrusted bytes (src/approval/csr.ts) and the decisions over what it
 * reads: any CSR a node, a token thief or anyone with CSR create rights can submit.
 *
 * - arbitrary and BER-shaped bytes, bare and in PEM armour: the parser never throws;
 * - mutations of real kubelet CSRs (openssl RSA client, P-256 serving with SANs, Ed25519): the
 *   parser, the self-signature check and the decisions never throw, and an approval is only ever
 *   given to a request that an independent reading (@peculiar/x509, test-only) confirms: its
 *   signature verifies, its subject is exactly O=system:nodes and the expected CN, and every SAN
 *   is one attested for the instance (none for a client certificate).
 * `npm test` runs FUZZ_RUNS (1,000) inputs per property; `npm run fuzz` 100,000 (test/fuzz/settings.ts).
 */
import 'reflect-metadata';
import { Pkcs10CertificateRequest, type SubjectAlternativeNameExtension } from '@peculiar/x509';
import fc from 'fast-check';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCertificateRequest, parseCertificateRequestPem } from '../../src/approval/csr.js';
import { decideCsr, type CsrFacts } from '../../src/approval/decide.js';
import { verifyRequestSignature } from '../../src/approval/signature.js';
import type { JoinRow } from '../../src/audit/audit.js';
import { parseJoinPolicy } from '../../src/policy/parse.js';
import { berish, mutationsOf } from '../attest/fuzz-properties.js';
import { requestDer } from '../approval/requests.js';
import { run } from '../support/run.js';
import { fuzzRuns } from './settings.js';

const NODE = 'ip-10-0-1-23.ec2.internal';
const ATTESTED = new Set([NODE, '10.0.1.23']);
const ROW: JoinRow = {
  key: 'aws/111122223333/i-0abc',
  provider: 'aws',
  account: '111122223333',
  instanceId: 'i-0abc',
  nodeName: NODE,
  pool: 'workers',
  tokenId: 'abc123',
  mintedAt: '2026-11-30T12:00:00.000Z',
  expiresAt: '2026-11-30T12:10:00.000Z',
  addresses: { ips: ['10.0.1.23'], dnsNames: [NODE] },
  joins: 1,
};
const policy = parseJoinPolicy('pools: [{name: workers, approval: broker}]');
if (!policy.ok) throw new Error(policy.errors.join());
const POOL = policy.policy.pools[0]!;

const toPem = (der: Uint8Array) => `-----BEGIN CERTIFICATE REQUEST-----\n${Buffer.from(der).toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
const derOf = (pem: string) => new Uint8Array(Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64'));

let seeds: Uint8Array[] = [];
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kjb-fuzz-csr-'));
  const key = join(dir, 'key.pem');
  await run('openssl', ['genrsa', '-out', key, '2048']);
  await run('openssl', ['req', '-new', '-key', key, '-subj', `/O=system:nodes/CN=system:node:${NODE}`, '-out', join(dir, 'client.csr')]);
  const ec = join(dir, 'ec.pem');
  await run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', ec]);
  await run('openssl', ['req', '-new', '-key', ec, '-subj', `/O=system:nodes/CN=system:node:${NODE}`, '-addext', `subjectAltName=DNS:${NODE},IP:10.0.1.23`, '-out', join(dir, 'serving.csr')]);
  seeds = [
    derOf(readFileSync(join(dir, 'client.csr'), 'utf8')),
    derOf(readFileSync(join(dir, 'serving.csr'), 'utf8')),
    await requestDer({ subject: `O=system:nodes, CN=system:node:${NODE}`, key: 'ed25519', sans: [{ type: 'dns', value: NODE }] }),
  ];
});

/** What the approver would decide for these bytes, as a client CSR of the row's token and as a serving CSR of its node. */
async function decisions(bytes: Uint8Array) {
  const parsed = parseCertificateRequest(bytes);
  const request: CsrFacts['request'] = parsed.ok ? { ok: true, request: parsed.request, signature: await verifyRequestSignature(parsed.request) } : { ok: false, detail: parsed.detail };
  const base = { name: 'fuzzed', createdAt: new Date('2026-11-30T12:00:05Z'), request };
  const client = decideCsr(
    { ...base, signerName: 'kubernetes.io/kube-apiserver-client-kubelet', username: 'system:bootstrap:abc123', groups: ['system:bootstrappers', 'system:bootstrappers:kube-join-broker:workers'], usages: ['digital signature', 'client auth'] },
    { tokenJoin: ROW },
  );
  const serving = decideCsr(
    { ...base, signerName: 'kubernetes.io/kubelet-serving', username: `system:node:${NODE}`, groups: ['system:nodes'], usages: ['digital signature', 'server auth'] },
    { nodeJoin: ROW, pool: POOL },
  );
  return { client, serving };
}

/** The independent reading an approval must survive. */
async function confirm(bytes: Uint8Array, kind: 'client' | 'serving'): Promise<void> {
  const request = new Pkcs10CertificateRequest(bytes.slice() as Uint8Array<ArrayBuffer>);
  expect(await request.verify()).toBe(true);
  expect(request.subjectName.getField('CN')).toEqual([`system:node:${NODE}`]);
  expect(request.subjectName.getField('O')).toEqual(['system:nodes']);
  expect(request.subjectName.toJSON().flatMap((rdn) => Object.keys(rdn)).sort()).toEqual(['CN', 'O']);
  const san = request.getExtension('2.5.29.17') as SubjectAlternativeNameExtension | null;
  const names = (san?.names.toJSON() ?? []).map((n) => n.value);
  if (kind === 'client') expect(names).toEqual([]);
  else {
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(ATTESTED.has(name.toLowerCase())).toBe(true);
  }
}

describe('fuzz: the CSR parser', () => {
  it(`arbitrary and BER-shaped bytes, bare and in PEM armour, never make it throw (${fuzzRuns(0.3)} runs)`, () => {
    fc.assert(
      fc.property(berish(), fc.boolean(), (bytes, armoured) => {
        const result = armoured ? parseCertificateRequestPem(toPem(bytes)) : parseCertificateRequest(bytes);
        return typeof result.ok === 'boolean';
      }),
      { numRuns: fuzzRuns(0.3) },
    );
  });

  it(`mutated real kubelet CSRs: nothing throws, and every approval survives an independent reading (${fuzzRuns(0.7)} runs)`, async () => {
    let approvals = 0;
    const inputs = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...seeds).chain(mutationsOf) },
      { weight: 1, arbitrary: fc.constantFrom(...seeds).chain((seed) => fc.nat({ max: seed.length - 1 }).map((cut) => seed.subarray(0, cut))) },
      { weight: 1, arbitrary: fc.constantFrom(...seeds) },
    );
    await fc.assert(
      fc.asyncProperty(inputs, async (bytes) => {
        const { client, serving } = await decisions(bytes);
        if (client.kind === 'approve') await confirm(bytes, 'client'), approvals++;
        if (serving.kind === 'approve') await confirm(bytes, 'serving'), approvals++;
      }),
      { numRuns: fuzzRuns(0.7) },
    );
    // The unmutated seeds are among the inputs: the property reached approvals, not only refusals.
    expect(approvals).toBeGreaterThan(0);
  });
});
