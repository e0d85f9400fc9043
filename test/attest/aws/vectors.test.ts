/**
 * Every real AWS vector verifies with the clock pinned to its pendingTime and proves exactly the
 * identity its document states. Expected values are copied by hand from each document.json.
 */
import { describe, expect, it } from 'vitest';
import { createAwsTrustStore, DSA_DETAIL, verifyAwsIdentityDocument } from '../../../src/attest/aws/index.js';
import { checkFreshness } from '../../../src/attest/freshness.js';
import type { NodeIdentity } from '../../../src/attest/identity.js';
import { armour, fixtureBytes, fixtureText } from './fixtures.js';

const trust = createAwsTrustStore();

interface Expected {
  account: string;
  region: string;
  zone: string;
  instanceId: string;
  privateIp: string;
  pendingTime: string;
  instanceType: string;
  imageId: string;
  nodeName: string;
}

const CLOUDINIT_2018: Expected = {
  account: '437526006925',
  region: 'us-east-2',
  zone: 'us-east-2b',
  instanceId: 'i-075f088c72ad3271c',
  privateIp: '10.41.41.95',
  pendingTime: '2018-10-05T20:10:43Z',
  instanceType: 't2.micro',
  imageId: 'ami-079638aae7046bdd2',
  nodeName: 'ip-10-41-41-95.us-east-2.compute.internal',
};
const TELEPORT_US_WEST_2: Expected = {
  account: '278576220453',
  region: 'us-west-2',
  zone: 'us-west-2a',
  instanceId: 'i-078517ca8a70a1dde',
  privateIp: '10.0.0.209',
  pendingTime: '2021-09-03T21:25:44Z',
  instanceType: 't2.medium',
  imageId: 'ami-0fa9e1f64142cde17',
  nodeName: 'ip-10-0-0-209.us-west-2.compute.internal',
};
const TELEPORT_US_WEST_1: Expected = {
  account: '883474662888',
  region: 'us-west-1',
  zone: 'us-west-1c',
  instanceId: 'i-01b940c45fd11fe74',
  privateIp: '172.31.12.251',
  pendingTime: '2021-09-11T00:14:18Z',
  instanceType: 't2.micro',
  imageId: 'ami-0ce3c55a31d29040e',
  nodeName: 'ip-172-31-12-251.us-west-1.compute.internal',
};
const CODER_2022: Expected = {
  account: '628783029487',
  region: 'us-east-1',
  zone: 'us-east-1b',
  instanceId: 'i-076e9b91f7c420782',
  privateIp: '172.31.84.238',
  pendingTime: '2022-03-25T20:07:16Z',
  instanceType: 't2.micro',
  imageId: 'ami-0c02fb55956c7d316',
  nodeName: 'ip-172-31-84-238.ec2.internal', // us-east-1 uses ec2.internal
};

const identityOf = (e: Expected): NodeIdentity => ({
  provider: 'aws',
  account: e.account,
  region: e.region,
  zone: e.zone,
  instanceId: e.instanceId,
  issuedAt: new Date(e.pendingTime),
  attributes: { instanceType: e.instanceType, imageId: e.imageId, architecture: 'x86_64', version: '2017-09-30', privateIp: e.privateIp },
  addresses: { ips: [e.privateIp], dnsNames: [e.nodeName] },
  defaultNodeName: e.nodeName,
});

/** Each way a client may post a vector. */
const rsa2048Bodies = (stem: string): Array<[string, () => string | Uint8Array]> => [
  ['raw IMDS body (bytes)', () => fixtureBytes(`${stem}.rsa2048`)],
  ['raw IMDS body (string)', () => fixtureText(`${stem}.rsa2048`)],
  ['PKCS7 PEM armour', () => armour(fixtureText(`${stem}.rsa2048`))],
  ['CMS PEM armour', () => armour(fixtureText(`${stem}.rsa2048`), 'CMS')],
  ['JSON {document, pkcs7}', () => JSON.stringify({ document: fixtureText(`${stem}.document.json`), pkcs7: fixtureText(`${stem}.rsa2048`) })],
  ['JSON {pkcs7}', () => JSON.stringify({ pkcs7: fixtureText(`${stem}.rsa2048`) })],
  ['JSON {rsa2048}', () => JSON.stringify({ rsa2048: fixtureText(`${stem}.rsa2048`) })],
  ['JSON {document, rsa2048}', () => JSON.stringify({ document: fixtureText(`${stem}.document.json`), rsa2048: fixtureText(`${stem}.rsa2048`) })],
];
const signatureBody = (stem: string) => () => JSON.stringify({ document: fixtureText(`${stem}.document.json`), signature: fixtureText(`${stem}.signature`) });

const cases: Array<[string, string, () => string | Uint8Array, Expected]> = [
  ...rsa2048Bodies('cloudinit-2018-us-east-2').map(([form, body]) => ['cloudinit-2018-us-east-2.rsa2048', form, body, CLOUDINIT_2018] as [string, string, () => string | Uint8Array, Expected]),
  ...rsa2048Bodies('teleport-2021-us-west-2').map(([form, body]) => ['teleport-2021-us-west-2.rsa2048', form, body, TELEPORT_US_WEST_2] as [string, string, () => string | Uint8Array, Expected]),
  ...rsa2048Bodies('teleport-2021-us-west-1').map(([form, body]) => ['teleport-2021-us-west-1.rsa2048', form, body, TELEPORT_US_WEST_1] as [string, string, () => string | Uint8Array, Expected]),
  ['coder-2022-us-east-1.signature', 'JSON {document, signature}', signatureBody('coder-2022-us-east-1'), CODER_2022],
  ['cloudinit-2018-us-east-2.signature', 'JSON {document, signature}', signatureBody('cloudinit-2018-us-east-2'), CLOUDINIT_2018],
];

describe('real AWS vectors', () => {
  it.each(cases)('%s as %s proves its identity', async (_vector, _form, body, expected) => {
    const now = new Date(expected.pendingTime);
    const result = await verifyAwsIdentityDocument(body(), trust, now);
    expect(result).toEqual({ ok: true, identity: identityOf(expected) });
    if (result.ok) expect(checkFreshness(result.identity.issuedAt, now, { maxAgeSeconds: 600 })).toEqual({ ok: true });
  });

  it.each([
    ['raw IMDS body', () => fixtureBytes('cloudinit-2018-us-east-2.pkcs7')],
    ['PEM armour', () => armour(fixtureText('cloudinit-2018-us-east-2.pkcs7'))],
    ['JSON {document, pkcs7}', () => JSON.stringify({ document: fixtureText('cloudinit-2018-us-east-2.document.json'), pkcs7: fixtureText('cloudinit-2018-us-east-2.pkcs7') })],
  ])('the legacy DSA pkcs7 (%s) is unsupported, with a pointer to rsa2048', async (_form, body) => {
    expect(await verifyAwsIdentityDocument(body(), trust, new Date(CLOUDINIT_2018.pendingTime))).toEqual({
      ok: false,
      error: { reason: 'unsupported_document', detail: DSA_DETAIL },
    });
    expect(DSA_DETAIL).toContain('/latest/dynamic/instance-identity/rsa2048');
  });
});
