/**
 * What the bench Worker (bench/cpu/worker.ts) joins with, shared by bench/cpu.ts, bench/cpu/compare.ts
 * and bench/cpu/profile.ts: the real `teleport-2021-us-west-2` rsa2048 PKCS7 and an ES256 OIDC
 * token made here, a policy admitting both, and the clock pinned a minute after the document's
 * pendingTime (the Worker's `BENCH_NOW`).
 */
import { readFileSync } from 'node:fs';
import { generateTestKey, jwksOf, signToken } from '../../test/attest/oidc/tokens.js';
import { opensslCa } from '../../test/support/ca.js';
import { ROOT } from '../lib/build.js';

const AWS_VECTOR = 'teleport-2021-us-west-2';
const OIDC_ISSUER = 'https://ci.bench.example';

export interface BenchJoinInputs {
  readonly awsBody: string;
  readonly oidcBody: string;
  /** The bench Worker's bindings: the policy, the pinned clock, the cluster CA. */
  readonly bindings: { readonly JOIN_POLICY: string; readonly BENCH_NOW: string; readonly CA_PEM: string };
}

export async function benchJoinInputs(): Promise<BenchJoinInputs> {
  const document = JSON.parse(readFileSync(`${ROOT}test/fixtures/aws/${AWS_VECTOR}.document.json`, 'utf8')) as { accountId: string; pendingTime: string };
  const awsBody = readFileSync(`${ROOT}test/fixtures/aws/${AWS_VECTOR}.rsa2048`, 'utf8');
  const now = new Date(new Date(document.pendingTime).getTime() + 60_000);
  const seconds = Math.floor(now.getTime() / 1000);
  const key = await generateTestKey('ES256', 'bench-1');
  const oidcBody = await signToken(key, { iss: OIDC_ISSUER, aud: 'kube-join-broker', sub: 'runner-42', iat: seconds - 30, exp: seconds + 600 });
  const policy = JSON.stringify({
    pools: [{ name: 'workers' }],
    rules: [
      { pool: 'workers', provider: 'aws', accounts: [document.accountId] },
      { pool: 'workers', provider: 'oidc', accounts: [OIDC_ISSUER] },
    ],
    oidc: { issuers: [{ issuer: OIDC_ISSUER, jwks: jwksOf(key), algorithms: ['ES256'], audience: 'kube-join-broker', identityClaim: 'sub' }] },
  });
  return { awsBody, oidcBody, bindings: { JOIN_POLICY: policy, BENCH_NOW: now.toISOString(), CA_PEM: (await opensslCa('bench-ca')).pem } };
}
