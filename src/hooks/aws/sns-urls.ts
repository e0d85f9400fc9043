/**
 * Which URLs in an SNS message the broker will ever fetch. No I/O, no clock.
 *
 * SigningCertURL and SubscribeURL come from the request body. The certificate URL is not covered
 * by the signature at all, and the key it yields decides whether the signature is valid: if an
 * attacker could choose the host, they would choose their own key and every forged message would
 * verify. Amazon's guidance is to fetch the certificate over HTTPS only from Amazon SNS
 * (SNS Developer Guide, "Verifying the signatures of Amazon SNS messages"). Both URLs are also an
 * SSRF lever: the Worker would make requests wherever they point.
 *
 * The rule, checked on the raw string before any URL parsing (WHATWG parsing silently rewrites
 * tabs, backslashes, `%2e%2e`, upper case, `:443` and trailing dots, so a check on the parsed form
 * could approve a string that means something else elsewhere):
 * - scheme exactly `https://`;
 * - host exactly `sns.<region>.amazonaws.com` (or `sns.cn-….amazonaws.com.cn` in the China
 *   partition), region lower-case `[a-z]{2,4}(-[a-z]+)+-<digits>`; no userinfo, no IP literal, no
 *   trailing dot, no other suffix (`sns.us-east-1.amazonaws.com.evil.com` fails);
 * - port absent or 443;
 * - certificate: one path segment of `[A-Za-z0-9._-]` ending in `.pem`, no query, no fragment;
 * - subscribe: path `/`, a query with Action=ConfirmSubscription and this message's TopicArn and
 *   Token, no fragment.
 * Partitions whose SNS endpoints are not under amazonaws.com[.cn] (ISO, the European Sovereign
 * Cloud's amazonaws.eu) are not supported.
 */
import { hookFailure, hookOk, type HookResult } from './result.js';

const MAX_URL_LENGTH = 2048;
/** Printable ASCII except space, `"`, `<`, `>`, `\`, `^`, `` ` ``, `{`, `|`, `}`. */
const URL_CHARACTERS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/;
const SNS_ORIGIN = /^https:\/\/sns\.([a-z]{2,4}(?:-[a-z]+)+-[0-9]{1,2})\.(amazonaws\.com|amazonaws\.com\.cn)(?::443)?(?=[/?#]|$)/;
const CERTIFICATE_PATH = /^\/[A-Za-z0-9][A-Za-z0-9._-]{0,254}\.pem$/;
const SUBSCRIBE_QUERY = /^[A-Za-z0-9\-._~%&=:+/]*$/;

export interface SnsEndpoint {
  readonly url: URL;
  readonly region: string;
}

interface CheckedEndpoint extends SnsEndpoint {
  /** Everything after the authority, exactly as received. */
  readonly rawPath: string;
}

/** The certificate URL as the broker will fetch it (canonical `href`), or `untrusted_certificate_url`. */
export function checkSigningCertUrl(raw: string): HookResult<SnsEndpoint> {
  const endpoint = snsEndpoint(raw);
  if (!endpoint.ok) return hookFailure('untrusted_certificate_url', `SigningCertURL ${endpoint.error}`);
  const { url } = endpoint.value;
  if (url.search !== '' || url.hash !== '' || raw.includes('?') || raw.includes('#')) {
    return hookFailure('untrusted_certificate_url', 'SigningCertURL has a query or fragment');
  }
  // The raw path itself, not the parsed one: `/x/../a.pem` and `/%2e%2e/a.pem` parse to `/a.pem`.
  if (!CERTIFICATE_PATH.test(endpoint.value.rawPath) || endpoint.value.rawPath !== url.pathname) {
    return hookFailure('untrusted_certificate_url', 'SigningCertURL path is not a single .pem file name');
  }
  return hookOk({ url, region: endpoint.value.region });
}

/**
 * The SubscribeURL as the broker will GET it, or `untrusted_subscribe_url`. The URL must confirm
 * exactly `expected.topicArn` with exactly `expected.token` (both signed fields of the message).
 */
export function checkSubscribeUrl(raw: string, expected: { readonly topicArn: string; readonly token: string }): HookResult<SnsEndpoint> {
  const endpoint = snsEndpoint(raw);
  if (!endpoint.ok) return hookFailure('untrusted_subscribe_url', `SubscribeURL ${endpoint.error}`);
  const { url, rawPath } = endpoint.value;
  if (!rawPath.startsWith('/?') || url.pathname !== '/' || url.hash !== '' || raw.includes('#')) return hookFailure('untrusted_subscribe_url', 'SubscribeURL path is not / or it has a fragment');
  if (!SUBSCRIBE_QUERY.test(url.search.slice(1))) return hookFailure('untrusted_subscribe_url', 'SubscribeURL query has unexpected characters');
  const params = url.searchParams;
  for (const name of ['Action', 'TopicArn', 'Token']) {
    if (params.getAll(name).length !== 1) return hookFailure('untrusted_subscribe_url', `SubscribeURL must carry exactly one ${name}`);
  }
  if (params.get('Action') !== 'ConfirmSubscription') return hookFailure('untrusted_subscribe_url', 'SubscribeURL Action is not ConfirmSubscription');
  if (params.get('TopicArn') !== expected.topicArn) return hookFailure('untrusted_subscribe_url', "SubscribeURL TopicArn is not the message's topic");
  if (params.get('Token') !== expected.token) return hookFailure('untrusted_subscribe_url', "SubscribeURL Token is not the message's token");
  return hookOk({ url, region: endpoint.value.region });
}

type EndpointCheck = { readonly ok: true; readonly value: CheckedEndpoint } | { readonly ok: false; readonly error: string };

function snsEndpoint(raw: string): EndpointCheck {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_URL_LENGTH) return { ok: false, error: 'is empty or too long' };
  if (!URL_CHARACTERS.test(raw)) return { ok: false, error: 'contains characters outside the URL set' };
  const origin = SNS_ORIGIN.exec(raw);
  if (origin === null) return { ok: false, error: 'is not an https://sns.<region>.amazonaws.com[.cn] URL' };
  const [, region = '', domain = ''] = origin;
  // The China partition's regions are cn-*, and only they are served from amazonaws.com.cn.
  if (region.startsWith('cn-') !== (domain === 'amazonaws.com.cn')) return { ok: false, error: `puts region ${region} under ${domain}` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, error: 'is not a URL' };
  }
  const host = `sns.${region}.${domain}`;
  if (url.protocol !== 'https:' || url.hostname !== host || url.port !== '' || url.username !== '' || url.password !== '') {
    return { ok: false, error: 'does not parse to the SNS host it names' };
  }
  return { ok: true, value: { url, region, rawPath: raw.slice(origin[0].length) } };
}
