/**
 * A Worker that runs the lifecycle-hook trust boundary inside workerd, for
 * test/hooks/aws/workerd.test.ts: WebCrypto RSA with SHA-1 and SHA-256, the ASN.1 certificate
 * parser, and the certificate source's abort and stream handling all behave there as on Node.
 * It receives a vector and the certificates to serve, and answers with what the modules said.
 */
import {
  authenticateSnsMessage,
  createSnsCertificateSource,
  lifecycleEventFromSns,
  parseLifecycleRequest,
  sharedSecretMatches,
  subscriptionConfirmationUrl,
  type HookResult,
} from '../../../../src/hooks/aws/index.js';

interface Job {
  readonly body: string;
  readonly headers: Record<string, string>;
  /** Certificate PEMs by URL; a URL mapped to "hang" never answers. */
  readonly certificates: Record<string, string>;
  readonly timeoutMs?: number;
  readonly secret?: { presented: string | null; expected: string };
}

const reason = (result: HookResult<unknown>) => (result.ok ? 'ok' : result.error.reason);

export default {
  async fetch(request: Request): Promise<Response> {
    const job = (await request.json()) as Job;
    const fetched: string[] = [];
    const certificates = createSnsCertificateSource({
      timeoutMs: job.timeoutMs ?? 5_000,
      fetch: async (url, init) => {
        fetched.push(url);
        const pem = job.certificates[url];
        if (pem === 'hang') return new Promise<Response>((_, reject) => init.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
        return pem === undefined ? new Response('Not Found', { status: 404 }) : new Response(pem);
      },
    });
    const secret = job.secret === undefined ? undefined : await sharedSecretMatches(job.secret.presented, job.secret.expected);
    const parsed = parseLifecycleRequest({ body: new TextEncoder().encode(job.body), headers: new Headers(job.headers) });
    if (!parsed.ok) return Response.json({ parsed: parsed.error.reason, secret });
    if (parsed.value.source !== 'sns') return Response.json({ parsed: 'ok', source: parsed.value.source, event: parsed.value.event, secret });
    const message = parsed.value.message;
    const now = new Date(message.publishedAt.getTime() + 1000);
    const verified = await authenticateSnsMessage(message, certificates, now, { trustedTopicArns: [message.topicArn] });
    if (!verified.ok) return Response.json({ parsed: 'ok', source: 'sns', verified: verified.error.reason, fetched });
    return Response.json({
      parsed: 'ok',
      source: 'sns',
      verified: 'ok',
      fetched,
      event: verified.value.type === 'Notification' ? lifecycleEventFromSns(verified.value) : undefined,
      subscribe: verified.value.type === 'SubscriptionConfirmation' ? subscriptionConfirmationUrl(verified.value) : undefined,
      subscribeReason: reason(subscriptionConfirmationUrl(verified.value)),
    });
  },
};
