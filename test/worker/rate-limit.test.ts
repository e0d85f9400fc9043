import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RATE_LIMIT_PERIOD_SECONDS } from '../../src/http/rate-limit.js';
import { TEST_ENV } from '../fakes/deps.js';
import { startWorker, WRANGLER_RATE_LIMITS, type RunningWorker } from './harness.js';

describe('join rate limits', () => {
  it('wrangler.toml declares both limits with the period the code answers as Retry-After', () => {
    expect(Object.keys(WRANGLER_RATE_LIMITS).sort()).toEqual(['JOIN_RATE_LIMIT_BY_ADDRESS', 'JOIN_RATE_LIMIT_BY_IDENTITY']);
    for (const { simple } of Object.values(WRANGLER_RATE_LIMITS)) expect(simple.period).toBe(RATE_LIMIT_PERIOD_SECONDS);
    expect(WRANGLER_RATE_LIMITS['JOIN_RATE_LIMIT_BY_ADDRESS']!.simple.limit).toBeGreaterThanOrEqual(100);
  });

  describe('by source address, in workerd', () => {
    let worker: RunningWorker;
    beforeAll(async () => {
      worker = await startWorker(
        { ...(TEST_ENV as Record<string, string>), KUBE_API_SERVER: 'https://127.0.0.1:9' },
        { rateLimits: { JOIN_RATE_LIMIT_BY_ADDRESS: { simple: { limit: 3, period: 60 } } } },
      );
    });
    afterAll(() => worker.dispose());

    it('answers 429 problem+json with Retry-After once an address is over its limit, before parsing', async () => {
      const post = (address: string) => worker.fetch('/v1/join/aws', { method: 'POST', body: 'not a document', headers: { 'cf-connecting-ip': address } });
      for (let i = 0; i < 3; i++) expect((await post('198.51.100.7')).status).toBe(400);
      const limited = await post('198.51.100.7');
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe(String(RATE_LIMIT_PERIOD_SECONDS));
      expect(await limited.json()).toMatchObject({ code: 'rate_limited', status: 429 });
      expect((await post('198.51.100.8')).status).toBe(400);
    });
  });
});
