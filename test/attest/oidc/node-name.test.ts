import { describe, expect, it } from 'vitest';
import { nodeNameForIdentity } from '../../../src/attest/oidc/index.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

describe('nodeNameForIdentity', () => {
  it.each([
    ['i-0abc123', 'i-0abc123'],
    ['2875949485074006138', '2875949485074006138'],
    ['a'.repeat(63), 'a'.repeat(63)],
  ])('keeps %s, already a DNS-1123 label', async (identity, name) => {
    expect(await nodeNameForIdentity(identity)).toBe(name);
  });

  it.each([
    ['repo:Org/App:ref:refs/heads/main', /^repo-org-app-ref-refs-heads-main--[0-9a-f]{12}$/],
    ['Foo_Bar', /^foo-bar--[0-9a-f]{12}$/],
    ['foo--bar', /^foo-bar--[0-9a-f]{12}$/],
    ['-leading-and-trailing-', /^leading-and-trailing--[0-9a-f]{12}$/],
    ['spiffe://example.org/ns/prod/sa/node', /^spiffe-example-org-ns-prod-sa-node--[0-9a-f]{12}$/],
    ['ÄÖÜ', /^oidc--[0-9a-f]{12}$/],
    ['x'.repeat(64), /^x{49}--[0-9a-f]{12}$/],
  ])('rewrites %s', async (identity, pattern) => {
    const name = await nodeNameForIdentity(identity);
    expect(name).toMatch(pattern);
    expect(name).toMatch(DNS_LABEL);
    expect(name.length).toBeLessThanOrEqual(63);
  });

  it('keeps identities apart that the rewriting would merge', async () => {
    const names = await Promise.all(['Foo_Bar', 'foo.bar', 'FOO-BAR', 'foo bar'].map(nodeNameForIdentity));
    expect(new Set(names).size).toBe(4);
  });

  it('never lets an identity used as-is equal a rewritten one (rewritten names contain "--")', async () => {
    const rewritten = await nodeNameForIdentity('Foo');
    expect(rewritten).toContain('--');
    expect(await nodeNameForIdentity(rewritten)).not.toBe(rewritten);
  });

  it('is deterministic', async () => {
    expect(await nodeNameForIdentity('Runner #7')).toBe(await nodeNameForIdentity('Runner #7'));
  });
});
