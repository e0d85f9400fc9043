import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROBLEM_CODES, problemResponse } from '../../src/http/problem.js';

describe('problemResponse', () => {
  it.each(Object.keys(PROBLEM_CODES) as (keyof typeof PROBLEM_CODES)[])('renders %s as problem+json', async (code) => {
    const res = problemResponse(code);
    expect(res.status).toBe(PROBLEM_CODES[code].status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ code, status: PROBLEM_CODES[code].status, type: `urn:kube-join-broker:problem:${code}` });
  });

  it('sets Retry-After as whole seconds, at least 1', () => {
    expect(problemResponse('upstream_unavailable', { retryAfterSeconds: 0.2 }).headers.get('retry-after')).toBe('1');
    expect(problemResponse('rate_limited', { retryAfterSeconds: 7.1 }).headers.get('retry-after')).toBe('8');
  });
});

describe('PROBLEM_CODES', () => {
  it('lists only codes the broker sends: each is named in src/ outside problem.ts', () => {
    const src = new URL('../../src/', import.meta.url);
    const text = readdirSync(src, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts') && file !== 'http/problem.ts')
      .map((file) => readFileSync(new URL(file, src), 'utf8'))
      .join('\n');
    const unsent = Object.keys(PROBLEM_CODES).filter((code) => !text.includes(`'${code}'`));
    expect({ unsent }).toEqual({ unsent: [] });
  });
});
