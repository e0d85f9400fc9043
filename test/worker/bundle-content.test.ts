/**
 * What the Worker bundle (dist/index.js, built by test/global-setup.ts exactly as `wrangler
 * deploy` would) must not contain. The historic Azure CAs (Baltimore CyberTrust Root and the ten
 * earlier Microsoft issuing CAs, src/attest/azure/historic-certificates.generated.ts) are expired:
 * a live Worker checks validity at `now`, so they could never anchor or link a chain there, and
 * they would cost about 10 KiB of the 200 KiB gzip budget. Only the CLI and tests import them; a
 * later import from src/ would put them back silently, so this looks for them in the bundle.
 *
 * Each certificate is looked for by 40 base64 characters of its signature value: from the
 * next-to-last full 64-character line of its base64 DER, 8 characters in. The same characters
 * appear whether a certificate is bundled as one base64 string (the generated tables) or as PEM
 * (64-character lines), and a signature is unique to its certificate. The current table is
 * looked for the same way, which shows the search sees a bundled certificate.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AZURE_INTERMEDIATE_CERTIFICATES, AZURE_ROOT_CERTIFICATES, type AzureCaCertificate } from '../../src/attest/azure/index.js';
import { AZURE_HISTORIC_CERTIFICATES } from '../../src/attest/azure/historic-certificates.generated.js';

const bundle = readFileSync(new URL('../../dist/index.js', import.meta.url), 'utf8');
const fragment = (ca: AzureCaCertificate): string => {
  const line = Math.floor(ca.der.length / 64) - 1;
  return ca.der.slice(line * 64 + 8, line * 64 + 48);
};
const rows = (table: readonly AzureCaCertificate[]) => table.map((ca) => [ca.name, fragment(ca)] as const);

describe('the Worker bundle (dist/index.js)', () => {
  it('the fragments are 40 base64 characters inside one PEM line, and distinct', () => {
    const all = [...AZURE_ROOT_CERTIFICATES, ...AZURE_INTERMEDIATE_CERTIFICATES, ...AZURE_HISTORIC_CERTIFICATES.roots, ...AZURE_HISTORIC_CERTIFICATES.intermediates].map(fragment);
    for (const f of all) expect(f).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(new Set(all).size).toBe(all.length);
  });

  it.each(rows([...AZURE_HISTORIC_CERTIFICATES.roots, ...AZURE_HISTORIC_CERTIFICATES.intermediates]))('does not contain the historic CA %s', (_, f) => {
    expect(bundle.includes(f), `base64 fragment ${f}`).toBe(false);
  });

  it.each(rows([...AZURE_ROOT_CERTIFICATES, ...AZURE_INTERMEDIATE_CERTIFICATES]))('contains the current CA %s', (_, f) => {
    expect(bundle.includes(f), `base64 fragment ${f}`).toBe(true);
  });

  it('fits the 200 KiB gzip budget (DESIGN.md "Budgets"; what `npm run size` prints)', () => {
    // A size, not a time: deterministic for a given tree, so it gates the build like a test.
    expect(gzipSync(Buffer.from(bundle, 'utf8'), { level: 9 }).length).toBeLessThanOrEqual(200 * 1024);
  });
});
