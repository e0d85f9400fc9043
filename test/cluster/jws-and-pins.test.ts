/**
 * The pure pieces the join flow's trust rests on: detached JWS over cluster-info (upstream
 * vectors of staging/src/k8s.io/cluster-bootstrap/token/jws/jws_test.go), the CA pin (the upstream
 * vector of cmd/kubeadm/app/util/pubkeypin/pubkeypin_test.go, whose certificate is committed as
 * test/fixtures/kubernetes/pubkeypin-test-cert.pem, for both the emulator's and the Worker's pin
 * function; and openssl on the emulator's CA), and bootstrap-token Secret helpers.
 */
import type { V1Secret } from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { computeDetachedSignature, detachedTokenIsValid } from '../../dev/cluster/bootstrap/jws.js';
import { generateBootstrapToken, isExpired, parseRfc3339, signingToken, tokenGroups } from '../../dev/cluster/bootstrap/token.js';
import { ClusterCA } from '../../dev/cluster/pki/ca.js';
import { parsePin, pinForCertificate } from '../../dev/cluster/pki/pubkeypin.js';
import { caCertHash, parseClusterInfo, pemCertificatesToDer } from '../../src/cluster/cluster-ca.js';
import { clusterInfoKubeconfig } from '../../dev/cluster/kubeconfig.js';
import { fixture } from './helpers.js';

const CONTENT = 'Hello from the other side. I must have called a thousand times.';

describe('detached JWS (jws_test.go vectors)', () => {
  it.each([
    ['content', CONTENT, 'my voice is my passcode', 'eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..VShe2taLd-YTrmWuRkcL_8QTNDHYxQIEBsAYYiIj1_8'],
    ['empty content', '', 'my voice is my passcode', 'eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..7Ui1ALizW4jXphVUB7xUqC9vLYLL9RZeOFfVLoB7Tgk'],
    ['empty secret', CONTENT, '', 'eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..UfkqvDGiIFxrMnFseDj9LYJOLNrvjW8aHhF71mvvAs8'],
  ])('%s', (_name, content, secret, expected) => {
    expect(computeDetachedSignature(content, 'joshua', secret)).toBe(expected);
    expect(detachedTokenIsValid(expected, content, 'joshua', secret)).toBe(true);
  });

  it('is keyed by the token secret only, not id.secret', () => {
    const sig = computeDetachedSignature(CONTENT, 'abcdef', '0123456789abcdef');
    expect(detachedTokenIsValid(sig, CONTENT, 'abcdef', 'abcdef.0123456789abcdef')).toBe(false);
    expect(detachedTokenIsValid(sig, `${CONTENT}\n`, 'abcdef', '0123456789abcdef')).toBe(false);
  });
});

describe('CA pin', () => {
  // pubkeypin_test.go: Hash(testCertPEM) == expectedHash (SEMANTICS §3.5).
  const UPSTREAM_PIN = 'sha256:345959acb2c3b2feb87d281961c893f62a314207ef02599f1cc4a5fb255480b3';
  const upstreamCert = fixture('pubkeypin-test-cert.pem');

  it('reproduces the upstream vector in the emulator (pinForCertificate)', () => {
    expect(pinForCertificate(upstreamCert)).toBe(UPSTREAM_PIN);
  });

  it('reproduces the upstream vector in the Worker (caCertHash, and parseClusterInfo on a cluster-info carrying that CA)', async () => {
    const ders = pemCertificatesToDer(upstreamCert);
    expect(ders).toHaveLength(1);
    expect(await caCertHash(ders[0]!)).toBe(UPSTREAM_PIN);
    const ca = await parseClusterInfo({ data: { kubeconfig: clusterInfoKubeconfig('https://10.138.0.2:6443', upstreamCert) } });
    expect(ca.caCertHashes).toEqual([UPSTREAM_PIN]);
  });

  it('equals openssl x509 -pubkey | openssl pkey -pubin -outform der | openssl dgst -sha256 on the emulator CA', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kjb-pin-'));
    try {
      const ca = await ClusterCA.loadOrCreate(dir, new Date());
      const { stdout } = await promisify(execFile)('bash', [
        '-euo',
        'pipefail',
        '-c',
        `openssl x509 -pubkey -noout -in ${join(dir, 'ca.crt')} | openssl pkey -pubin -outform der | openssl dgst -sha256 -hex`,
      ]);
      expect(pinForCertificate(ca.certPem)).toBe(`sha256:${stdout.trim().split(' ').pop()}`);
      // A restart with the same state dir keeps the CA (and so the pin).
      expect(pinForCertificate((await ClusterCA.loadOrCreate(dir, new Date())).certPem)).toBe(pinForCertificate(ca.certPem));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['sha256:345959ACB2C3B2FEB87D281961C893F62A314207EF02599F1CC4A5FB255480B3', true],
    ['SHA256:345959acb2c3b2feb87d281961c893f62a314207ef02599f1cc4a5fb255480b3', true],
    ['345959acb2c3b2feb87d281961c893f62a314207ef02599f1cc4a5fb255480b3', false],
    ['md5:345959acb2c3b2feb87d281961c893f6', false],
    ['sha256:345959acb2c3b2feb87d281961c893f62a314207ef02599f1cc4a5fb255480', false],
    ['sha256:aa:bb', false],
  ])('parsePin(%s) ok=%s', (pin, ok) => {
    const r = parsePin(pin);
    expect(r.ok).toBe(ok);
    if (r.ok) expect(r.pin).toBe('sha256:345959acb2c3b2feb87d281961c893f62a314207ef02599f1cc4a5fb255480b3');
  });
});

const secret = (data: Record<string, string>, name = 'bootstrap-token-abcdef'): V1Secret => ({
  metadata: { name, namespace: 'kube-system' },
  type: 'bootstrap.kubernetes.io/token',
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
});

describe('bootstrap-token Secret helpers', () => {
  const now = new Date('2025-01-01T00:00:00Z');
  it.each([
    [{}, false],
    [{ expiration: '2025-01-01T00:00:01Z' }, false],
    [{ expiration: '2025-01-01T00:00:00Z' }, true],
    [{ expiration: '2024-12-31T23:59:59Z' }, true],
    [{ expiration: '2025-01-01T01:00:00+01:00' }, true],
    [{ expiration: 'not-a-date' }, true],
    [{ expiration: '2025-02-30T00:00:00Z' }, true],
  ])('expiration %j ⇒ expired=%s', (data, expired) => {
    expect(isExpired(secret(data), now)).toBe(expired);
  });

  it('parses RFC 3339 like time.Parse', () => {
    expect(parseRfc3339('2017-03-10T03:22:11Z')?.toISOString()).toBe('2017-03-10T03:22:11.000Z');
    expect(parseRfc3339('2017-03-10 03:22:11Z')).toBeUndefined();
  });

  it('groups are sorted, de-duplicated, and one invalid group rejects all', () => {
    expect(tokenGroups(secret({ 'auth-extra-groups': 'system:bootstrappers:z,system:bootstrappers:a,system:bootstrappers:a' }))).toEqual({
      ok: true,
      groups: ['system:bootstrappers', 'system:bootstrappers:a', 'system:bootstrappers:z'],
    });
    expect(tokenGroups(secret({ 'auth-extra-groups': 'system:bootstrappers:a,system:masters' })).ok).toBe(false);
  });

  it('signing needs a matching id, a secret, signing usage and no expiry — but not authentication usage', () => {
    const base = { 'token-id': 'abcdef', 'token-secret': '0123456789abcdef', 'usage-bootstrap-signing': 'true' };
    expect(signingToken(secret(base), now)).toEqual({ id: 'abcdef', secret: '0123456789abcdef' });
    expect(signingToken(secret({ ...base, 'token-id': 'zzzzzz' }), now)).toBeUndefined();
    expect(signingToken(secret(base, 'bootstrap-token-ABCDEF'), now)).toBeUndefined();
    expect(signingToken(secret({ ...base, 'usage-bootstrap-signing': 'True' }), now)).toBeUndefined();
    expect(signingToken(secret({ ...base, expiration: '2024-01-01T00:00:00Z' }), now)).toBeUndefined();
  });

  it('generates tokens of the bootstrap-token pattern', () => {
    for (let i = 0; i < 50; i++) expect(generateBootstrapToken().token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
  });
});
