/** Readers for the real AWS vectors in test/fixtures/aws (copied from ../shared/vectors/aws). */
import { readFileSync } from 'node:fs';

export const AWS_FIXTURES = new URL('../../fixtures/aws/', import.meta.url);

export const fixtureText = (name: string): string => readFileSync(new URL(name, AWS_FIXTURES), 'utf8');
export const fixtureBytes = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, AWS_FIXTURES)));
export const certificatePem = (form: 'rsa2048' | 'rsa1024', region: string): string => fixtureText(`certs/${form}/${region}.pem`);
export const armour = (base64: string, label = 'PKCS7'): string => `-----BEGIN ${label}-----\n${base64.trim()}\n-----END ${label}-----\n`;
export const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
export const derOf = (name: string): Uint8Array => new Uint8Array(Buffer.from(fixtureText(name).replace(/\s+/g, ''), 'base64'));
