/**
 * Confirming an SNS HTTPS subscription: one GET of the SubscribeURL of a verified
 * SubscriptionConfirmation from a trusted topic (src/hooks/aws/subscription.ts re-validates the
 * URL: SNS host, ConfirmSubscription for this message's topic and token). I/O only through the
 * injected `fetch`, with `redirect: 'manual'` (a redirect would leave the SNS host: a failure,
 * never followed) and a timeout. The answer's body is not read: only its status matters.
 */
import type { Fetch } from '../deps.js';

export const CONFIRM_TIMEOUT_MS = 5_000;

export type SubscriptionConfirmation =
  | { readonly ok: true }
  /** SNS could not be reached, timed out, or answered 5xx/429: worth a retry (503). */
  | { readonly ok: false; readonly failure: 'unreachable'; readonly detail: string }
  /** SNS answered, and not with 200 (an expired token, a deleted topic): a retry would fail alike. */
  | { readonly ok: false; readonly failure: 'refused'; readonly status: number };

export async function confirmSnsSubscription(fetch: Fetch, subscribeUrl: string, timeoutMs = CONFIRM_TIMEOUT_MS): Promise<SubscriptionConfirmation> {
  let response: Response;
  try {
    response = await fetch(subscribeUrl, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const name = error instanceof Error ? error.name : 'unknown';
    return { ok: false, failure: 'unreachable', detail: name === 'TimeoutError' || name === 'AbortError' ? `timed out after ${timeoutMs} ms` : `fetch failed (${name})` };
  }
  response.body?.cancel().catch(() => undefined);
  if (response.status === 200) return { ok: true };
  if (response.status >= 500 || response.status === 429) return { ok: false, failure: 'unreachable', detail: `SNS answered HTTP ${response.status}` };
  return { ok: false, failure: 'refused', status: response.status };
}
