import { describe, expect, it } from 'vitest';
import { awsDefaultHostname, parseDocumentJson, parseRfc3339, readAwsDocument } from '../../../src/attest/aws/index.js';

const valid = {
  accountId: '123456789012',
  architecture: 'arm64',
  availabilityZone: 'eu-central-1b',
  billingProducts: null,
  devpayProductCodes: null,
  marketplaceProductCodes: ['abcdefghijklmnopqrstuvwxy'],
  imageId: 'ami-0123456789abcdef0',
  instanceId: 'i-0123456789abcdef0',
  instanceType: 'c7g.large',
  kernelId: null,
  pendingTime: '2024-05-01T10:00:00Z',
  privateIp: '172.16.0.9',
  ramdiskId: null,
  region: 'eu-central-1',
  version: '2017-09-30',
};

describe('readAwsDocument', () => {
  it('proves the identity the document states', () => {
    expect(readAwsDocument(valid)).toEqual({
      ok: true,
      identity: {
        provider: 'aws',
        account: '123456789012',
        region: 'eu-central-1',
        zone: 'eu-central-1b',
        instanceId: 'i-0123456789abcdef0',
        issuedAt: new Date('2024-05-01T10:00:00Z'),
        attributes: {
          instanceType: 'c7g.large',
          imageId: 'ami-0123456789abcdef0',
          architecture: 'arm64',
          version: '2017-09-30',
          privateIp: '172.16.0.9',
          marketplaceProductCodes: 'abcdefghijklmnopqrstuvwxy',
        },
        addresses: { ips: ['172.16.0.9'], dnsNames: ['ip-172-16-0-9.eu-central-1.compute.internal'] },
        defaultNodeName: 'ip-172-16-0-9.eu-central-1.compute.internal',
      },
    });
  });

  it.each<[string, Record<string, unknown>]>([
    ['an 8-hex legacy instance ID', { instanceId: 'i-0123abcd' }],
    ['a Local Zone', { availabilityZone: 'eu-central-1-ham-1a' }],
    ['a Wavelength zone', { availabilityZone: 'eu-central-1-wl1-ber-wlz-1' }],
    ['a GovCloud region', { region: 'us-gov-west-1', availabilityZone: 'us-gov-west-1a' }],
    ['the European Sovereign Cloud', { region: 'eusc-de-east-1', availabilityZone: 'eusc-de-east-1a' }],
    ['an RFC 3339 offset and fraction', { pendingTime: '2024-05-01T12:00:00.5+02:00' }],
    ['no optional fields', { architecture: undefined, imageId: undefined, instanceType: undefined, version: undefined, marketplaceProductCodes: undefined }],
    ['unknown extra fields', { someFutureField: { nested: true } }],
  ])('accepts %s', (_name, changes) => {
    expect(readAwsDocument({ ...valid, ...changes }).ok).toBe(true);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['no accountId', { accountId: undefined }, 'accountId is missing or not 12 digits'],
    ['an 11-digit account', { accountId: '12345678901' }, 'accountId is missing or not 12 digits'],
    ['a numeric account', { accountId: 123456789012 }, 'accountId is missing or not 12 digits'],
    ['an upper-case instance ID', { instanceId: 'i-0123456789ABCDEF0' }, 'instanceId is missing or not i-<hex>'],
    ['an instance ID with a suffix', { instanceId: 'i-0123456789abcdef0;rm' }, 'instanceId is missing or not i-<hex>'],
    ['an 18-hex instance ID', { instanceId: 'i-0123456789abcdef01' }, 'instanceId is missing or not i-<hex>'],
    ['no region', { region: undefined }, 'region is missing or malformed'],
    ['a region with a dot', { region: 'eu.central-1' }, 'region is missing or malformed'],
    ['a zone of another region', { availabilityZone: 'eu-west-1b' }, 'availabilityZone is missing or not a zone of eu-central-1'],
    ['a zone with a newline', { availabilityZone: 'eu-central-1b\n' }, 'availabilityZone is missing or not a zone of eu-central-1'],
    ['the region as zone', { availabilityZone: 'eu-central-1' }, 'availabilityZone is missing or not a zone of eu-central-1'],
    ['no privateIp', { privateIp: undefined }, 'privateIp is missing or not a dotted-quad IPv4 address'],
    ['an IPv4 octet over 255', { privateIp: '10.0.0.256' }, 'privateIp is missing or not a dotted-quad IPv4 address'],
    ['an IPv4 with a leading zero', { privateIp: '10.0.0.09' }, 'privateIp is missing or not a dotted-quad IPv4 address'],
    ['an IPv6 address', { privateIp: 'fd00::1' }, 'privateIp is missing or not a dotted-quad IPv4 address'],
    ['no pendingTime', { pendingTime: undefined }, 'pendingTime is missing or not an RFC 3339 date-time'],
    ['a date without time', { pendingTime: '2024-05-01' }, 'pendingTime is missing or not an RFC 3339 date-time'],
    ['an impossible date', { pendingTime: '2024-02-30T10:00:00Z' }, 'pendingTime is missing or not an RFC 3339 date-time'],
    ['a timestamp number', { pendingTime: 1714557600 }, 'pendingTime is missing or not an RFC 3339 date-time'],
    ['an instanceType with a space', { instanceType: 'm5 large' }, 'instanceType is malformed'],
    ['a numeric imageId', { imageId: 42 }, 'imageId is malformed'],
    ['a product code list with a non-string', { billingProducts: ['bp-1', 2] }, 'billingProducts is malformed'],
    ['a product code that is a string, not a list', { billingProducts: 'bp-6ba54002' }, 'billingProducts is malformed'],
  ])('refuses %s → invalid_claims', (_name, changes, detail) => {
    expect(readAwsDocument({ ...valid, ...changes })).toEqual({ ok: false, error: { reason: 'invalid_claims', detail } });
  });
});

describe('parseDocumentJson', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  it.each([
    ['not JSON', bytes('not json'), 'identity document is not UTF-8 JSON'],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0x7d]), 'identity document is not UTF-8 JSON'],
    ['a byte order mark', bytes('\ufeff{}'), 'identity document is not UTF-8 JSON'],
    ['an array', bytes('[1]'), 'identity document is not a JSON object'],
    ['a string', bytes('"x"'), 'identity document is not a JSON object'],
    ['null', bytes('null'), 'identity document is not a JSON object'],
  ])('refuses %s → malformed_document', (_name, input, detail) => {
    expect(parseDocumentJson(input)).toEqual({ ok: false, error: { reason: 'malformed_document', detail } });
  });
});

describe('awsDefaultHostname', () => {
  it.each([
    ['us-east-1', '10.0.1.23', 'ip-10-0-1-23.ec2.internal'],
    ['us-east-2', '10.0.1.23', 'ip-10-0-1-23.us-east-2.compute.internal'],
    ['eu-west-1', '172.31.0.1', 'ip-172-31-0-1.eu-west-1.compute.internal'],
    ['cn-north-1', '10.0.1.23', 'ip-10-0-1-23.cn-north-1.compute.internal'],
  ])('%s %s → %s', (region, ip, name) => {
    expect(awsDefaultHostname(region, ip)).toBe(name);
  });
});

describe('parseRfc3339', () => {
  it.each([
    ['2021-09-03T21:25:44Z', '2021-09-03T21:25:44.000Z'],
    ['2021-09-03T23:25:44+02:00', '2021-09-03T21:25:44.000Z'],
    ['2021-09-03T21:25:44.123Z', '2021-09-03T21:25:44.123Z'],
  ])('%s', (text, iso) => {
    expect(parseRfc3339(text)?.toISOString()).toBe(iso);
  });

  it.each(['2021-09-03 21:25:44Z', '2021-09-03t21:25:44z', '2021-13-03T21:25:44Z', '2021-09-03T24:00:00Z', '2021-09-03T21:25:60Z', '2021-09-03T21:25:44', '2021-09-03T21:25:44+24:00', ' 2021-09-03T21:25:44Z'])(
    'refuses %j',
    (text) => {
      expect(parseRfc3339(text)).toBeUndefined();
    },
  );
});
