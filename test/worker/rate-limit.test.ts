import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RATE_LIMIT_PERIOD_SECONDS } from '../../src/http/rate-limit.js';
import { brokerClient, joinAws } from '../e2e/client.js';
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
      const broker = brokerClient(worker);
      const post = (address: string) => joinAws(broker, 'not a document', {}, { 'cf-connecting-ip': address });
      for (let i = 0; i < 3; i++) expect((await post('198.51.100.7')).response.status).toBe(400);
      const limited = await post('198.51.100.7');
      expect(limited.response.status).toBe(429);
      expect(limited.response.headers.get('retry-after')).toBe(String(RATE_LIMIT_PERIOD_SECONDS));
      expect(limited.error).toMatchObject({ code: 'rate_limited', status: 429 });
      expect((await post('198.51.100.8')).response.status).toBe(400);
    });
  });
});
