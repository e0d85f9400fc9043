/**
 * The CSR parser and the self-signature check (src/approval/csr.ts, signature.ts, ip.ts): real
 * requests from openssl (as the runbook and the csr join script make them) and from WebCrypto
 * keys of every accepted kind, then the shapes the approver must read strictly or refuse.
 */
import { Attribute } from '@peculiar/asn1-x509';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { Extension as AsnExtension, Extensions, GeneralName, SubjectAlternativeName } from '@peculiar/asn1-x509';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCertificateRequest, parseCertificateRequestPem, type CertificateRequest } from '../../src/approval/csr.js';
import { canonicalIpAddress, ipAddressText } from '../../src/approval/ip.js';
import { verifyRequestSignature } from '../../src/approval/signature.js';
import { run } from '../support/run.js';
import { requestDer, requestPem, resigned, toPem, type KeyKind } from './requests.js';

const NODE = 'system:node:ip-10-0-1-23.ec2.internal';
const SUBJECT = `O=system:nodes, CN=${NODE}`;

function parsed(pem: string): CertificateRequest {
  const result = parseCertificateRequestPem(pem);
  if (!result.ok) throw new Error(result.detail);
  return result.request;
}

async function openssl(args: string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'kjb-approval-'));
  const key = join(dir, 'key.pem');
  const keygen = args.includes('rsa') ? ['genrsa', '-out', key, '2048'] : ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key];
  expect((await run('openssl', keygen)).code).toBe(0);
  const out = join(dir, 'req.csr');
  const result = await run('openssl', ['req', '-new', '-key', key, '-out', out, ...args.filter((a) => a !== 'rsa')]);
  expect(result.code, result.stderr).toBe(0);
  return readFileSync(out, 'utf8');
}

describe('requests openssl makes (the runbook, the csr join script)', () => {
  it('an RSA kubelet client request: subject read, no SANs, signature verifies', async () => {
    const request = parsed(await openssl(['rsa', '-subj', `/O=system:nodes/CN=${NODE}`]));
    expect(request).toMatchObject({
      signatureAlgorithm: '1.2.840.113549.1.1.11',
      publicKeyAlgorithm: '1.2.840.113549.1.1.1',
      commonNames: [NODE],
      organizations: ['system:nodes'],
      otherSubjectAttributes: [],
      subjectAltNames: { dnsNames: [], ipAddresses: [], emailAddresses: [], uris: [], otherForms: 0 },
    });
    expect(await verifyRequestSignature(request)).toEqual({ ok: true });
  });

  it('a P-256 serving request with -addext subjectAltName: SANs in order, IPv6 canonical', async () => {
    const request = parsed(await openssl(['-subj', `/O=system:nodes/CN=${NODE}`, '-addext', 'subjectAltName=DNS:ip-10-0-1-23.ec2.internal,IP:10.0.1.23,IP:FD00:0:0:0:0:0:0:1']));
    expect(request.publicKeyCurve).toBe('1.2.840.10045.3.1.7');
    expect(request.subjectAltNames).toEqual({ dnsNames: ['ip-10-0-1-23.ec2.internal'], ipAddresses: ['10.0.1.23', 'fd00::1'], emailAddresses: [], uris: [], otherForms: 0 });
    expect(await verifyRequestSignature(request)).toEqual({ ok: true });
  });
});

describe('requests from every accepted key kind', () => {
  it.each<KeyKind>(['rsa-2048', 'ec-p256', 'ec-p384', 'ed25519'])('%s: parses and verifies', async (key) => {
    const request = parsed(await requestPem({ subject: SUBJECT, key, sans: [{ type: 'dns', value: 'a.example' }, { type: 'email', value: 'root@a' }, { type: 'url', value: 'spiffe://a/b' }] }));
    expect(request.commonNames).toEqual([NODE]);
    expect(request.subjectAltNames).toEqual({ dnsNames: ['a.example'], ipAddresses: [], emailAddresses: ['root@a'], uris: ['spiffe://a/b'], otherForms: 0 });
    expect(await verifyRequestSignature(request)).toEqual({ ok: true });
  });

  it('an RSA key under 2048 bits is refused', async () => {
    const request = parsed(await requestPem({ subject: SUBJECT, key: 'rsa-1024' }));
    expect(await verifyRequestSignature(request)).toEqual({ ok: false, detail: 'RSA key of 1024 bits (at least 2048 required)' });
  });
});

describe('what the parser reports for the approver to refuse', () => {
  it('several CNs and Os, in order, and other subject attributes by OID', async () => {
    const request = parsed(await requestPem({ subject: `O=system:nodes, O=system:masters, OU=x, CN=${NODE}, CN=system:node:other` }));
    expect(request).toMatchObject({ organizations: ['system:nodes', 'system:masters'], commonNames: [NODE, 'system:node:other'], otherSubjectAttributes: ['2.5.4.11'] });
  });

  it('otherName and registeredID SANs are counted, not decoded', async () => {
    const request = parsed(await requestPem({ subject: SUBJECT, sans: [{ type: 'upn', value: 'admin@corp' }, { type: 'id', value: '1.2.3.4' }, { type: 'ip', value: '10.0.1.23' }] }));
    expect(request.subjectAltNames).toEqual({ dnsNames: [], ipAddresses: ['10.0.1.23'], emailAddresses: [], uris: [], otherForms: 2 });
  });

  it('extensions other than subjectAltName are ignored (the signer copies none of them)', async () => {
    const der = await resigned(await requestDer({ subject: SUBJECT, sans: [{ type: 'dns', value: 'a' }] }), (req) => {
      const attribute = req.certificationRequestInfo.attributes![0]!;
      const extensions = AsnConvert.parse(attribute.values[0]!, Extensions);
      extensions.push(new AsnExtension({ extnID: '2.5.29.19', critical: true, extnValue: new OctetString(new Uint8Array([0x30, 0x03, 0x01, 0x01, 0xff])) }));
      attribute.values = [AsnConvert.serialize(extensions)];
    });
    const result = parseCertificateRequest(der);
    expect(result.ok && result.request.subjectAltNames.dnsNames).toEqual(['a']);
    expect(result.ok && (await verifyRequestSignature(result.request))).toEqual({ ok: true });
  });

  const sanExtension = (names: GeneralName[]): AsnExtension =>
    new AsnExtension({ extnID: '2.5.29.17', extnValue: new OctetString(AsnConvert.serialize(new SubjectAlternativeName(names))) });

  it.each<[string, (req: import('@peculiar/asn1-csr').CertificationRequest) => void, string]>([
    [
      'two extensionRequest attributes',
      (req) => req.certificationRequestInfo.attributes!.push(req.certificationRequestInfo.attributes![0]!),
      'certificate request: extensionRequest appears twice',
    ],
    [
      'subjectAltName twice',
      (req) => {
        const extensions = new Extensions([sanExtension([new GeneralName({ dNSName: 'a' })]), sanExtension([new GeneralName({ dNSName: 'b' })])]);
        req.certificationRequestInfo.attributes![0] = new Attribute({ type: '1.2.840.113549.1.9.14', values: [AsnConvert.serialize(extensions)] });
      },
      'certificate request: extension 2.5.29.17 appears twice',
    ],
    [
      'an IP SAN of 5 bytes',
      (req) => {
        // SEQUENCE { [7] 0a 00 01 17 00 }: no address is five bytes long.
        const san = new AsnExtension({ extnID: '2.5.29.17', extnValue: new OctetString(new Uint8Array([0x30, 0x07, 0x87, 0x05, 10, 0, 1, 23, 0])) });
        req.certificationRequestInfo.attributes![0] = new Attribute({ type: '1.2.840.113549.1.9.14', values: [AsnConvert.serialize(new Extensions([san]))] });
      },
      'certificate request: unreadable subjectAltName',
    ],
    [
      'version 1',
      (req) => (req.certificationRequestInfo.version = 1),
      'certificate request: version 1, expected v1 (0)',
    ],
  ])('%s is refused', async (_name, edit, detail) => {
    const der = await resigned(await requestDer({ subject: SUBJECT, sans: [{ type: 'dns', value: 'a' }] }), edit);
    expect(parseCertificateRequest(der)).toEqual({ ok: false, detail });
  });

  it.each([
    ['no PEM block', 'hello'],
    ['another label', '-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n'],
    ['not base64', '-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----\n'],
  ])('%s: not a request', (_name, pem) => {
    expect(parseCertificateRequestPem(pem)).toEqual({ ok: false, detail: 'certificate request: not exactly one PEM "CERTIFICATE REQUEST" block' });
  });

  it('a second PEM block after the request is refused (Go would read only the first)', async () => {
    const pem = await requestPem({ subject: SUBJECT });
    expect(parseCertificateRequestPem(pem + pem).ok).toBe(false);
  });

  it('truncated or extended DER is refused, never thrown', async () => {
    const der = await requestDer({ subject: SUBJECT });
    for (let cut = 0; cut < der.length; cut += 7) expect(parseCertificateRequest(der.subarray(0, cut)).ok).toBe(false);
    expect(parseCertificateRequest(new Uint8Array([...der, 0])).ok).toBe(false);
  });
});

describe('the self-signature', () => {
  it('a flipped bit in what was signed, or in the signature, fails', async () => {
    for (const key of ['rsa-2048', 'ec-p256', 'ed25519'] as const) {
      const der = await requestDer({ subject: SUBJECT, key });
      // "system:node:ip-…" → "system:node:hp-…" in the signed subject; then the signature's last byte.
      const nameAt = Buffer.from(der).indexOf('system:node:ip-') + 'system:node:'.length;
      const tamperedInfo = der.slice();
      tamperedInfo[nameAt] = 0x68;
      const tamperedSignature = der.slice();
      tamperedSignature[der.length - 1] = tamperedSignature[der.length - 1]! ^ 0x01;
      for (const bytes of [tamperedInfo, tamperedSignature]) {
        const result = parseCertificateRequest(bytes);
        expect(result.ok).toBe(true);
        if (result.ok) expect(await verifyRequestSignature(result.request), key).toMatchObject({ ok: false });
      }
    }
  });

  it('a request signed by another key than the one it carries fails (proof of possession)', async () => {
    const mine = await requestDer({ subject: SUBJECT, key: 'ec-p256' });
    const other = await requestDer({ subject: 'CN=other', key: 'ec-p384' });
    const theirs = parsed(toPem(other));
    const forged = { ...parsed(toPem(mine)), signature: theirs.signature };
    expect(await verifyRequestSignature(forged)).toMatchObject({ ok: false });
  });

  it.each([
    ['SHA-1 RSA', '1.2.840.113549.1.1.5', 'signature algorithm 1.2.840.113549.1.1.5 is not accepted'],
    ['RSA-PSS', '1.2.840.113549.1.1.10', 'signature algorithm 1.2.840.113549.1.1.10 is not accepted'],
    ['ECDSA with an RSA key', '1.2.840.10045.4.3.2', 'signature algorithm 1.2.840.10045.4.3.2 does not fit a 1.2.840.113549.1.1.1 key'],
  ])('%s is refused', async (_name, oid, detail) => {
    const request = parsed(await requestPem({ subject: SUBJECT, key: 'rsa-2048' }));
    expect(await verifyRequestSignature({ ...request, signatureAlgorithm: oid, signatureParameters: undefined })).toEqual({ ok: false, detail });
  });
});

describe('IP addresses as comparable text', () => {
  it.each([
    [[10, 0, 1, 23], '10.0.1.23'],
    [[0xfd, 0, ...Array(13).fill(0), 1], 'fd00::1'],
    [[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1], '2001:db8::1:0:0:1'],
    [[0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1], '2001:db8:1:1:1:1:1:1'],
    [Array(16).fill(0), '::'],
    [[...Array(10).fill(0), 0xff, 0xff, 10, 0, 1, 23], '::ffff:a00:117'],
  ])('%j → %s', (bytes, text) => {
    expect(ipAddressText(Uint8Array.from(bytes))).toBe(text);
  });

  it.each([
    ['10.0.1.23', '10.0.1.23'],
    ['FD00:0:0::1', 'fd00::1'],
    ['::ffff:10.0.1.23', '::ffff:a00:117'],
    ['010.0.1.23', undefined],
    ['10.0.1', undefined],
    ['256.0.0.1', undefined],
    ['1::2::3', undefined],
    ['1:2:3:4:5:6:7:8:9', undefined],
    ['ip-10-0-1-23', undefined],
  ])('%s → %s', (text, canonical) => {
    expect(canonicalIpAddress(text)).toBe(canonical);
  });

  it('other lengths are not addresses', () => {
    expect(ipAddressText(new Uint8Array(5))).toBeUndefined();
  });
});
