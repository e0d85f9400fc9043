import { describe, expect, it } from 'vitest';
import { checkSigningCertUrl, checkSubscribeUrl } from '../../../src/hooks/aws/index.js';
import { reasonOf, unwrap } from './vectors.js';

const PEM = 'SimpleNotificationService-d6d679a1d18e95c2f9ffcf11f4f9e198.pem';

describe('SigningCertURL policy', () => {
  it.each([
    [`https://sns.us-east-1.amazonaws.com/${PEM}`, `https://sns.us-east-1.amazonaws.com/${PEM}`, 'us-east-1'],
    [`https://sns.eu-central-1.amazonaws.com/${PEM}`, `https://sns.eu-central-1.amazonaws.com/${PEM}`, 'eu-central-1'],
    [`https://sns.us-gov-west-1.amazonaws.com/${PEM}`, `https://sns.us-gov-west-1.amazonaws.com/${PEM}`, 'us-gov-west-1'],
    [`https://sns.ap-southeast-7.amazonaws.com/${PEM}`, `https://sns.ap-southeast-7.amazonaws.com/${PEM}`, 'ap-southeast-7'],
    [`https://sns.cn-north-1.amazonaws.com.cn/${PEM}`, `https://sns.cn-north-1.amazonaws.com.cn/${PEM}`, 'cn-north-1'],
    [`https://sns.cn-northwest-1.amazonaws.com.cn/${PEM}`, `https://sns.cn-northwest-1.amazonaws.com.cn/${PEM}`, 'cn-northwest-1'],
    // The default port written out is the same URL; the broker fetches the canonical form.
    [`https://sns.us-east-1.amazonaws.com:443/${PEM}`, `https://sns.us-east-1.amazonaws.com/${PEM}`, 'us-east-1'],
  ])('accepts %s', (raw, href, region) => {
    const endpoint = unwrap(checkSigningCertUrl(raw));
    expect(endpoint.url.href).toBe(href);
    expect(endpoint.region).toBe(region);
  });

  it.each([
    ['plain http', `http://sns.us-east-1.amazonaws.com/${PEM}`],
    ['upper-case scheme', `HTTPS://sns.us-east-1.amazonaws.com/${PEM}`],
    ['scheme-relative', `//sns.us-east-1.amazonaws.com/${PEM}`],
    ['a missing slash', `https:/sns.us-east-1.amazonaws.com/${PEM}`],
    ['another host with the SNS host as a prefix', `https://sns.us-east-1.amazonaws.com.evil.com/${PEM}`],
    ['another host with the SNS host in the path', `https://evil.com/sns.us-east-1.amazonaws.com/${PEM}`],
    ['userinfo naming the SNS host', `https://sns.us-east-1.amazonaws.com@evil.com/${PEM}`],
    ['userinfo before the SNS host', `https://evil.com@sns.us-east-1.amazonaws.com/${PEM}`],
    ['userinfo with a password', `https://user:pass@sns.us-east-1.amazonaws.com/${PEM}`],
    ['a backslash trick', `https://evil.com\\@sns.us-east-1.amazonaws.com/${PEM}`],
    ['a backslash after the host', `https://sns.us-east-1.amazonaws.com\\@evil.com/${PEM}`],
    ['port 8443', `https://sns.us-east-1.amazonaws.com:8443/${PEM}`],
    ['port 80', `https://sns.us-east-1.amazonaws.com:80/${PEM}`],
    ['port 443 then userinfo', `https://sns.us-east-1.amazonaws.com:443@evil.com/${PEM}`],
    ['an IPv4 literal', `https://52.94.236.248/${PEM}`],
    ['an IPv6 literal', `https://[2600:1f18::1]/${PEM}`],
    ['a decimal IP', `https://889765112/${PEM}`],
    ['a trailing dot', `https://sns.us-east-1.amazonaws.com./${PEM}`],
    ['an upper-case host', `https://SNS.US-EAST-1.AMAZONAWS.COM/${PEM}`],
    ['no region', `https://sns.amazonaws.com/${PEM}`],
    ['a region with a digit in a word', `https://sns.us-east1a-1.amazonaws.com/${PEM}`],
    ['a non-region label', `https://sns.evil.amazonaws.com/${PEM}`],
    ['an extra label', `https://x.sns.us-east-1.amazonaws.com/${PEM}`],
    ['another service', `https://s3.us-east-1.amazonaws.com/${PEM}`],
    ['an S3 bucket lookalike', `https://sns.us-east-1.amazonaws.com.s3.amazonaws.com/${PEM}`],
    ['a China region under .com', `https://sns.cn-north-1.amazonaws.com/${PEM}`],
    ['a global region under .com.cn', `https://sns.us-east-1.amazonaws.com.cn/${PEM}`],
    ['a Cyrillic s in the host', `https://ѕns.us-east-1.amazonaws.com/${PEM}`],
    ['a percent-encoded host', `https://sns.us-east-1.amazonaws%2ecom/${PEM}`],
    ['a tab in the path', `https://sns.us-east-1.amazonaws.com/Simple\tNotificationService.pem`],
    ['a newline in the host', `https://sns.us-east-1.amazonaws.com\n.evil.com/${PEM}`],
    ['a space', `https://sns.us-east-1.amazonaws.com/ ${PEM}`],
    ['not a .pem', 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-d6d679a1d18e95c2f9ffcf11f4f9e198.txt'],
    ['.pem in the query only', 'https://sns.us-east-1.amazonaws.com/?x=.pem'],
    ['a query after the .pem', `https://sns.us-east-1.amazonaws.com/${PEM}?Action=Unsubscribe`],
    ['a fragment', `https://sns.us-east-1.amazonaws.com/${PEM}#x`],
    ['an empty fragment', `https://sns.us-east-1.amazonaws.com/${PEM}#`],
    ['an empty query', `https://sns.us-east-1.amazonaws.com/${PEM}?`],
    ['a nested path', `https://sns.us-east-1.amazonaws.com/certs/${PEM}`],
    ['dot segments', `https://sns.us-east-1.amazonaws.com/x/../${PEM}`],
    ['encoded dot segments', `https://sns.us-east-1.amazonaws.com/%2e%2e/${PEM}`],
    ['a bare .pem', 'https://sns.us-east-1.amazonaws.com/.pem'],
    ['no path', 'https://sns.us-east-1.amazonaws.com'],
    ['the empty string', ''],
    ['a very long URL', `https://sns.us-east-1.amazonaws.com/${'a'.repeat(3000)}.pem`],
  ])('refuses %s', (_, raw) => {
    expect(reasonOf(checkSigningCertUrl(raw))).toBe('untrusted_certificate_url');
  });
});

describe('SubscribeURL policy', () => {
  const topicArn = 'arn:aws:sns:us-east-1:341288657826:pudding-test-topic';
  const token = '2336412f37fb687f5d51e6e241d638b1';
  const good = `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${topicArn}&Token=${token}`;
  const expected = { topicArn, token };

  it('accepts the URL SNS sends, unchanged', () => {
    expect(unwrap(checkSubscribeUrl(good, expected)).url.href).toBe(good);
  });

  it('accepts a percent-encoded TopicArn that decodes to the topic', () => {
    const encoded = good.replace(topicArn, encodeURIComponent(topicArn));
    expect(reasonOf(checkSubscribeUrl(encoded, expected))).toBe('ok');
  });

  it.each([
    ['another host', good.replace('sns.us-east-1.amazonaws.com', 'sns.us-east-1.amazonaws.com.evil.com')],
    ['http', good.replace('https://', 'http://')],
    ['a path', good.replace('.com/?', '.com/x?')],
    ['a fragment', `${good}#x`],
    ['another action', good.replace('ConfirmSubscription', 'Unsubscribe')],
    ['another topic', good.replace('pudding-test-topic', 'other-topic')],
    ['another token', good.replace(token, `${token.slice(0, -1)}0`)],
    ['a second Action', `${good}&Action=Unsubscribe`],
    ['a second Token', `${good}&Token=x`],
    ['no Token', good.replace(`&Token=${token}`, '')],
    ['no query', 'https://sns.us-east-1.amazonaws.com/'],
    ['a quote in the query', `${good}&x="`],
    ['dot segments before the query', good.replace('.com/?', '.com/x/../?')],
    ['no slash before the query', good.replace('.com/?', '.com?')],
    ['userinfo', good.replace('https://', 'https://a@')],
  ])('refuses %s', (_, raw) => {
    expect(reasonOf(checkSubscribeUrl(raw, expected))).toBe('untrusted_subscribe_url');
  });
});
