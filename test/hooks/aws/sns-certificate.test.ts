import { describe, expect, it } from 'vitest';
import { parseSnsSigningCertificate } from '../../../src/hooks/aws/index.js';
import { generatedSnsSigner } from './signer.js';
import { certificatePem, CERTIFICATE_FILES, CERTIFICATE_VALIDITY, reasonOf, unwrap } from './vectors.js';

describe.each(CERTIFICATE_FILES)('real SNS signing certificate %s', (file) => {
  it('parses to its exact validity period, SNS name and a 2048-bit RSA key', async () => {
    const certificate = unwrap(parseSnsSigningCertificate(certificatePem(file)));
    expect(certificate.notBefore.toISOString()).toBe(CERTIFICATE_VALIDITY[file]!.notBefore);
    expect(certificate.notAfter.toISOString()).toBe(CERTIFICATE_VALIDITY[file]!.notAfter);
    expect(certificate.names).toEqual(['sns.amazonaws.com', 'sns.amazonaws.com']); // subject CN and DNS SAN
    const key = await certificate.verifyKey('SHA-256');
    expect(key.algorithm).toMatchObject({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048 });
    expect(await certificate.verifyKey('SHA-256')).toBe(key); // imported once
  });

  it('parses with CRLF line ends and surrounding whitespace', () => {
    expect(reasonOf(parseSnsSigningCertificate(`\n${certificatePem(file).replace(/\n/g, '\r\n')}\n\n`))).toBe('ok');
  });
});

describe('what is not an SNS signing certificate', () => {
  const pem = certificatePem(CERTIFICATE_FILES[0]!);
  const body = pem.split('\n').slice(1, -2).join('\n');

  it.each([
    ['an empty body', ''],
    ['HTML', '<html><body>Not Found</body></html>'],
    ['a public key, not a certificate', '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n'],
    ['text after the certificate', `${pem}trailing text\n`],
    ['text before the certificate', `leading text\n${pem}`],
    ['a body that is not base64', '-----BEGIN CERTIFICATE-----\nnot*base64!\n-----END CERTIFICATE-----\n'],
    ['base64 with bad padding', '-----BEGIN CERTIFICATE-----\nMIIB=\n-----END CERTIFICATE-----\n'],
    ['base64 of garbage', '-----BEGIN CERTIFICATE-----\nAAAAAAAAAAAA\n-----END CERTIFICATE-----\n'],
    ['a truncated certificate', `-----BEGIN CERTIFICATE-----\n${body.slice(0, 400).replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`],
    ['a huge PEM', `${pem}${'\n'.repeat(20_000)}`],
  ])('%s is invalid_certificate', (_, text) => {
    expect(reasonOf(parseSnsSigningCertificate(text))).toBe('invalid_certificate');
  });

  it('a chain: the first certificate is the signing one', () => {
    const second = certificatePem(CERTIFICATE_FILES[1]!);
    const certificate = unwrap(parseSnsSigningCertificate(`${pem}${second}`));
    expect(certificate.notBefore.toISOString()).toBe(CERTIFICATE_VALIDITY[CERTIFICATE_FILES[0]!]!.notBefore);
  });

  it.each([
    ['sns.amazonaws.com', 'ok'],
    ['sns.amazonaws.com.cn', 'ok'],
    ['sns-signing.ap-east-1.amazonaws.com', 'ok'],
    ['sns-us-gov-west-1.amazonaws.com', 'ok'],
    ['sns-cn-north-1.amazonaws.com.cn', 'ok'],
    ['example.com', 'invalid_certificate'],
    ['s3.amazonaws.com', 'invalid_certificate'],
    ['sns.amazonaws.com.evil.com', 'invalid_certificate'],
    ['evil-sns.amazonaws.com', 'invalid_certificate'],
    ['SNS.AMAZONAWS.COM', 'invalid_certificate'],
  ])('a generated RSA certificate for %s is %s', async (name, reason) => {
    const signer = await generatedSnsSigner({ name });
    expect(reasonOf(parseSnsSigningCertificate(signer.pem))).toBe(reason);
  });

  it('an ECDSA certificate for sns.amazonaws.com is invalid_certificate (SNS signs with RSA)', async () => {
    const signer = await generatedSnsSigner({ algorithm: 'ECDSA' });
    expect(parseSnsSigningCertificate(signer.pem)).toEqual({ ok: false, error: { reason: 'invalid_certificate', detail: 'certificate key is 1.2.840.10045.2.1, not RSA' } });
  });
});
