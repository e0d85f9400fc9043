import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredAuditEvent } from '../../src/audit/audit.js';
import { DEFAULT_PAGE_SIZE, auditEventMatches, decodeCursor, encodeCursor, parseAuditQuery } from '../../src/audit/query.js';

const parse = (query: string) => parseAuditQuery(new URLSearchParams(query));

describe('parseAuditQuery', () => {
  it.each([
    ['', { limit: DEFAULT_PAGE_SIZE }],
    ['provider=aws&account=123456789012', { provider: 'aws', account: '123456789012', limit: DEFAULT_PAGE_SIZE }],
    ['node=ip-10-0-1-23.ec2.internal&instanceId=i-0abc', { nodeName: 'ip-10-0-1-23.ec2.internal', instanceId: 'i-0abc', limit: DEFAULT_PAGE_SIZE }],
    ['since=2026-11-30T12:00:00Z&until=2026-11-30T13:00:00.5%2B01:00', { since: '2026-11-30T12:00:00.000Z', until: '2026-11-30T12:00:00.500Z', limit: 50 }],
    ['outcome=refused&limit=500', { outcome: 'refused', limit: 500 }],
    ['outcome=joined&limit=1', { outcome: 'joined', limit: 1 }],
    [`cursor=${encodeCursor(42)}`, { before: 42, limit: DEFAULT_PAGE_SIZE }],
    ['account=https%3A%2F%2Fissuer.example', { account: 'https://issuer.example', limit: DEFAULT_PAGE_SIZE }],
  ])('%s → %j', (query, expected) => {
    expect(parse(query)).toEqual({ ok: true, query: expected });
  });

  it.each([
    ['nodes=x', 'Unknown query parameter "nodes"; allowed: provider, account, node, instanceId, since, until, outcome, limit, cursor.'],
    ['provider=aws&provider=gcp', 'Query parameter "provider" is given more than once.'],
    ['provider=AWS', 'provider must be one of aws, gcp, azure, oidc.'],
    ['account=', 'account must be 1 to 256 printable characters.'],
    ['account=' + 'a'.repeat(257), 'account must be 1 to 256 printable characters.'],
    ['instanceId=i-0%0A', 'instanceId must be 1 to 256 printable characters.'],
    ['node=Node_1', 'node must be a Kubernetes node name (lowercase DNS-1123 subdomain, at most 253 characters).'],
    ['node=-x', 'node must be a Kubernetes node name (lowercase DNS-1123 subdomain, at most 253 characters).'],
    ['since=yesterday', 'since must be an RFC 3339 date-time with an offset, e.g. 2026-01-02T03:04:05Z.'],
    ['since=2026-11-30T12:00:00', 'since must be an RFC 3339 date-time with an offset, e.g. 2026-01-02T03:04:05Z.'],
    ['until=2026-13-30T12:00:00Z', 'until must be an RFC 3339 date-time with an offset, e.g. 2026-01-02T03:04:05Z.'],
    ['since=2026-11-30T12:00:00Z&until=2026-11-30T12:00:00Z', 'since must be earlier than until.'],
    ['outcome=failed', 'outcome must be one of joined, refused.'],
    ['limit=0', 'limit must be a whole number from 1 to 500.'],
    ['limit=501', 'limit must be a whole number from 1 to 500.'],
    ['limit=1e2', 'limit must be a whole number from 1 to 500.'],
    ['limit=-1', 'limit must be a whole number from 1 to 500.'],
    ['cursor=abc', 'cursor is not one this broker issued; pass nextCursor from the previous page unchanged.'],
    [`cursor=${btoa(JSON.stringify({ v: 1, before: 0 }))}`, 'cursor is not one this broker issued; pass nextCursor from the previous page unchanged.'],
    [`cursor=${btoa(JSON.stringify({ v: 2, before: 5 }))}`, 'cursor is not one this broker issued; pass nextCursor from the previous page unchanged.'],
  ])('%s → 400 detail', (query, detail) => {
    expect(parse(query)).toEqual({ ok: false, detail });
  });

  it('never throws on arbitrary query strings', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('provider', 'account', 'node', 'instanceId', 'since', 'until', 'outcome', 'limit', 'cursor', 'x'), fc.string())), (pairs) => {
        const result = parseAuditQuery(new URLSearchParams(pairs));
        expect(typeof result.ok).toBe('boolean');
      }),
    );
  });
});

describe('cursor', () => {
  it('round-trips and is URL-safe', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (before) => {
        const cursor = encodeCursor(before);
        expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(decodeCursor(cursor)).toBe(before);
      }),
    );
  });
});

describe('auditEventMatches', () => {
  const event: StoredAuditEvent = {
    id: 10,
    at: '2026-11-30T12:00:00.000Z',
    event: 'join.refused',
    provider: 'aws',
    account: '123456789012',
    instanceId: 'i-0abc',
    nodeName: 'ip-10-0-1-23.ec2.internal',
  };
  it.each([
    [{}, true],
    [{ provider: 'aws' }, true],
    [{ provider: 'gcp' }, false],
    [{ account: '123456789012', instanceId: 'i-0abc' }, true],
    [{ nodeName: 'other' }, false],
    [{ since: '2026-11-30T12:00:00.000Z' }, true],
    [{ since: '2026-11-30T12:00:00.001Z' }, false],
    [{ until: '2026-11-30T12:00:00.000Z' }, false],
    [{ until: '2026-11-30T12:00:00.001Z' }, true],
    [{ outcome: 'refused' }, true],
    [{ outcome: 'joined' }, false],
    [{ before: 10 }, false],
    [{ before: 11 }, true],
  ] as const)('%j → %s', (filter, matches) => {
    expect(auditEventMatches(event, { limit: 10, ...filter })).toBe(matches);
  });
});
