import { describe, expect, it } from 'vitest';
import {
  authenticateSnsMessage,
  createSnsCertificateSource,
  LifecycleHookConfigError,
  type SnsCertificateFetch,
} from '../../../src/hooks/aws/index.js';
import { certificatePem, pinnedNow, reasonOf, snsEnvelope, unwrap, vectorMessage, VERIFIED_SNS_VECTORS } from './vectors.js';

const CERT = 'SimpleNotificationService-d6d679a1d18e95c2f9ffcf11f4f9e198.pem';
const URL_A = `https://sns.us-east-1.amazonaws.com/${CERT}`;
const URL_B = 'https://sns.us-east-2.amazonaws.com/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem';

/** A clock the test moves by hand. */
function manualClock(start: string) {
  let now = Date.parse(start);
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

interface FakeSnsHost {
  readonly fetch: SnsCertificateFetch;
  /** Every request made, in order. */
  readonly calls: { url: string; init: RequestInit }[];
}

/** The SNS certificate host: serves `respond(url)` and counts requests. */
function snsHostServing(respond: (url: string) => Response | Promise<Response>): FakeSnsHost {
  const calls: { url: string; init: RequestInit }[] = [];
  return {
    calls,
    fetch: async (url, init) => {
      calls.push({ url, init });
      return respond(url);
    },
  };
}

/** Serves each vector certificate at its file name, on any SNS host. */
const snsHostWithVectorCertificates = () => snsHostServing((url) => new Response(certificatePem(url.split('/').pop()!), { status: 200 }));

/** A host that never answers; with `honourAbort`, the fetch rejects when its signal aborts. */
function snsHostHanging(honourAbort: boolean): FakeSnsHost {
  const calls: { url: string; init: RequestInit }[] = [];
  return {
    calls,
    fetch: (url, init) => {
      calls.push({ url, init });
      return new Promise<Response>((_, reject) => {
        if (honourAbort) init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      });
    },
  };
}

/** A body stream that yields `chunks` of `size` bytes each, recording whether it was cancelled. */
function streamOf(chunks: number, size: number) {
  const state = { cancelled: false, pulled: 0 };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled === chunks) return controller.close();
      state.pulled += 1;
      controller.enqueue(new Uint8Array(size).fill(0x41));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { body, state };
}

describe('createSnsCertificateSource', () => {
  it('fetches an allowed URL once with GET, redirect: manual and an abort signal, then serves it from the cache', async () => {
    const host = snsHostWithVectorCertificates();
    const source = createSnsCertificateSource({ fetch: host.fetch, clock: manualClock('2014-12-22T20:32:09Z') });
    const first = unwrap(await source.certificateFor(URL_A));
    const second = unwrap(await source.certificateFor(URL_A));
    expect(second).toBe(first);
    expect(host.calls).toHaveLength(1);
    expect(host.calls[0]!.url).toBe(URL_A);
    expect(host.calls[0]!.init).toMatchObject({ method: 'GET', redirect: 'manual' });
    expect(host.calls[0]!.init.signal).toBeInstanceOf(AbortSignal);
    expect(first.notAfter.toISOString()).toBe('2015-08-22T23:59:59.000Z');
  });

  it('caches per canonical URL: :443 written out is the same entry; another URL is another fetch', async () => {
    const host = snsHostWithVectorCertificates();
    const source = createSnsCertificateSource({ fetch: host.fetch });
    unwrap(await source.certificateFor(URL_A));
    unwrap(await source.certificateFor(URL_A.replace('.com/', '.com:443/')));
    unwrap(await source.certificateFor(URL_B));
    expect(host.calls.map((c) => c.url)).toEqual([URL_A, URL_B]);
  });

  it('refetches once an entry is cacheTtlMs old (exact boundary)', async () => {
    const host = snsHostWithVectorCertificates();
    const clock = manualClock('2026-11-30T00:00:00Z');
    const source = createSnsCertificateSource({ fetch: host.fetch, clock, cacheTtlMs: 60_000 });
    unwrap(await source.certificateFor(URL_A));
    clock.advance(59_999);
    unwrap(await source.certificateFor(URL_A));
    expect(host.calls).toHaveLength(1);
    clock.advance(1);
    unwrap(await source.certificateFor(URL_A));
    expect(host.calls).toHaveLength(2);
  });

  it('keeps at most maxEntries certificates, dropping the oldest', async () => {
    const host = snsHostWithVectorCertificates();
    const source = createSnsCertificateSource({ fetch: host.fetch, maxEntries: 1 });
    unwrap(await source.certificateFor(URL_A));
    unwrap(await source.certificateFor(URL_B));
    unwrap(await source.certificateFor(URL_A));
    expect(host.calls.map((c) => c.url)).toEqual([URL_A, URL_B, URL_A]);
  });

  it('never fetches a URL outside the policy', async () => {
    const host = snsHostWithVectorCertificates();
    const source = createSnsCertificateSource({ fetch: host.fetch });
    for (const url of [`https://sns.us-east-1.amazonaws.com.evil.com/${CERT}`, `http://sns.us-east-1.amazonaws.com/${CERT}`, `https://evil.com/${CERT}`]) {
      expect(reasonOf(await source.certificateFor(url))).toBe('untrusted_certificate_url');
    }
    expect(host.calls).toHaveLength(0);
  });

  it.each([
    ['a 301 redirect (not followed)', () => new Response(null, { status: 301, headers: { location: 'https://evil.com/x.pem' } }), 'invalid_certificate', 'certificate host answered HTTP 301 (redirects are not followed)'],
    ['a 302 redirect (not followed)', () => new Response(null, { status: 302, headers: { location: 'https://evil.com/x.pem' } }), 'invalid_certificate', 'certificate host answered HTTP 302 (redirects are not followed)'],
    ['a 404', () => new Response('Not Found', { status: 404 }), 'invalid_certificate', 'certificate host answered HTTP 404'],
    ['a 403', () => new Response('Forbidden', { status: 403 }), 'invalid_certificate', 'certificate host answered HTTP 403'],
    ['a 204', () => new Response(null, { status: 204 }), 'invalid_certificate', 'certificate host answered HTTP 204'],
    ['a 500', () => new Response('oops', { status: 500 }), 'upstream_unavailable', 'certificate host answered HTTP 500'],
    ['a 503', () => new Response('busy', { status: 503 }), 'upstream_unavailable', 'certificate host answered HTTP 503'],
    ['a 429', () => new Response('slow down', { status: 429 }), 'upstream_unavailable', 'certificate host answered HTTP 429'],
    ['a network error', () => Promise.reject(new TypeError('fetch failed')), 'upstream_unavailable', 'certificate fetch failed: TypeError: fetch failed'],
    ['HTML with 200', () => new Response('<html>hi</html>', { status: 200 }), 'invalid_certificate', 'not a PEM certificate'],
    ['a body that is not UTF-8', () => new Response(new Uint8Array([0xff, 0xfe, 0x00]), { status: 200 }), 'invalid_certificate', 'certificate body is not UTF-8'],
    ['a declared oversized body', () => new Response('x', { status: 200, headers: { 'content-length': '16385' } }), 'invalid_certificate', 'certificate body declares 16385 bytes, limit 16384'],
  ])('%s → %s, and the failure is not cached', async (_, respond, reason, detail) => {
    const host = snsHostServing(respond);
    const source = createSnsCertificateSource({ fetch: host.fetch });
    expect(await source.certificateFor(URL_A)).toEqual({ ok: false, error: { reason, detail } });
    await source.certificateFor(URL_A);
    expect(host.calls).toHaveLength(2);
  });

  it('an undeclared oversized body is cut off at maxBodyBytes and its stream cancelled', async () => {
    const stream = streamOf(100, 1024);
    const host = snsHostServing(() => new Response(stream.body, { status: 200 }));
    const source = createSnsCertificateSource({ fetch: host.fetch, maxBodyBytes: 4096 });
    expect(await source.certificateFor(URL_A)).toEqual({ ok: false, error: { reason: 'invalid_certificate', detail: 'certificate body exceeds 4096 bytes' } });
    expect(stream.state.pulled).toBeLessThanOrEqual(6);
    expect(stream.state.cancelled).toBe(true);
  });

  it.each([true, false])('a host that never answers times out as upstream_unavailable (fetch honours abort: %s)', async (honourAbort) => {
    const host = snsHostHanging(honourAbort);
    const source = createSnsCertificateSource({ fetch: host.fetch, timeoutMs: 30 });
    const started = Date.now();
    expect(await source.certificateFor(URL_A)).toEqual({ ok: false, error: { reason: 'upstream_unavailable', detail: 'certificate fetch timed out after 30 ms' } });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(host.calls[0]!.init.signal!.aborted).toBe(true);
  });

  it('concurrent first requests each fetch for themselves (no in-flight promise is shared)', async () => {
    const host = snsHostWithVectorCertificates();
    const source = createSnsCertificateSource({ fetch: host.fetch });
    const results = await Promise.all([source.certificateFor(URL_A), source.certificateFor(URL_A)]);
    expect(results.map(reasonOf)).toEqual(['ok', 'ok']);
    expect(host.calls).toHaveLength(2);
    unwrap(await source.certificateFor(URL_A));
    expect(host.calls).toHaveLength(2);
  });

  it.each([
    [{ fetch: undefined }],
    [{ fetch: async () => new Response(), timeoutMs: 0 }],
    [{ fetch: async () => new Response(), cacheTtlMs: -1 }],
    [{ fetch: async () => new Response(), maxBodyBytes: 1.5 }],
    [{ fetch: async () => new Response(), maxEntries: 0 }],
  ])('invalid options throw at creation: %j', (options) => {
    expect(() => createSnsCertificateSource(options as never)).toThrow(LifecycleHookConfigError);
  });
});

describe('authenticateSnsMessage', () => {
  const vector = VERIFIED_SNS_VECTORS.find((v) => v.file === 'pudding-2014-asg-terminating.derived.json')!;
  const now = pinnedNow(snsEnvelope(vector));

  it('verifies a real message with its certificate fetched from its SigningCertURL', async () => {
    const host = snsHostWithVectorCertificates();
    const source = createSnsCertificateSource({ fetch: host.fetch });
    const verified = unwrap(await authenticateSnsMessage(vectorMessage(vector), source, now, { trustedTopicArns: [vector.topicArn] }));
    expect(verified.messageId).toBe('c87337ab-c19e-51f2-8a5d-7ab80071cc4b');
    expect(host.calls.map((c) => c.url)).toEqual([`https://sns.us-east-1.amazonaws.com/${CERT}`]);
  });

  it.each([
    ['an untrusted topic', {}, { trustedTopicArns: ['arn:aws:sns:us-east-1:341288657826:other'] }, 'untrusted_topic'],
    ['a foreign certificate URL', { signingCertUrl: `https://evil.com/${CERT}` }, { trustedTopicArns: [vector.topicArn] }, 'untrusted_certificate_url'],
    ['SignatureVersion 3', { signatureVersion: '3' }, { trustedTopicArns: [vector.topicArn] }, 'unsupported_signature_version'],
    ['a non-base64 signature', { signature: '!!!' }, { trustedTopicArns: [vector.topicArn] }, 'invalid_signature'],
  ])('%s is refused before any fetch', async (_, change, options, reason) => {
    const host = snsHostWithVectorCertificates();
    const source = createSnsCertificateSource({ fetch: host.fetch });
    expect(reasonOf(await authenticateSnsMessage({ ...vectorMessage(vector), ...change }, source, now, options))).toBe(reason);
    expect(host.calls).toHaveLength(0);
  });

  it('an unreachable certificate host is upstream_unavailable (the route answers 503 and SNS retries)', async () => {
    const host = snsHostServing(() => new Response('busy', { status: 503 }));
    const source = createSnsCertificateSource({ fetch: host.fetch });
    expect(reasonOf(await authenticateSnsMessage(vectorMessage(vector), source, now, { trustedTopicArns: [vector.topicArn] }))).toBe('upstream_unavailable');
  });
});
