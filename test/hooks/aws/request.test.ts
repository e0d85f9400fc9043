import { describe, expect, it } from 'vitest';
import { lifecycleHookFailureStatus, parseLifecycleRequest, type ClassifiedLifecycleRequest, type LifecycleEvent } from '../../../src/hooks/aws/index.js';
import {
  DOC_EVENT_TIME,
  eventBridgeExample,
  fixtureBytes,
  fixtureJson,
  fixtureText,
  jsonBody,
  keyValueLinesToJson,
  noHeaders,
  reasonOf,
  snsBody,
  unwrap,
  VERIFIED_SNS_VECTORS,
  BAD_SIGNATURE_VECTORS,
} from './vectors.js';

const parse = (body: Uint8Array | string, headers: Headers = noHeaders()) => parseLifecycleRequest({ body, headers });
const eventOf = (classified: ClassifiedLifecycleRequest): LifecycleEvent => {
  if (classified.source === 'sns') throw new Error('expected an event, got an SNS message');
  return classified.event;
};

const DOC_GROUP_ARN_DETAIL = { accountId: '123456789012', region: 'us-west-2', autoScalingGroupName: 'my-asg', instanceId: 'i-1234567890abcdef0', source: 'eventbridge', messageId: '12345678-1234-1234-1234-123456789012', notificationMetadata: 'additional-info' } as const;

describe('SNS HTTP messages are classified as sns, not yet trusted', () => {
  it.each([...VERIFIED_SNS_VECTORS, ...BAD_SIGNATURE_VECTORS])('$file, with and without SNS headers', (vector) => {
    for (const headers of [noHeaders(), new Headers({ 'x-amz-sns-message-type': vector.type, 'x-amz-sns-topic-arn': vector.topicArn })]) {
      const classified = unwrap(parse(snsBody(vector), headers));
      expect(classified.source).toBe('sns');
      if (classified.source === 'sns') expect(classified.message).toMatchObject({ type: vector.type, topicArn: vector.topicArn, signatureVersion: vector.signatureVersion });
    }
  });

  const vector = VERIFIED_SNS_VECTORS.find((v) => v.file === 'pudding-2014-notification.json')!;
  it.each([
    ['a message-type header that disagrees with the body', { 'x-amz-sns-message-type': 'SubscriptionConfirmation' }, 'malformed_event'],
    ['a message-id header that disagrees with the body', { 'x-amz-sns-message-id': '00000000-0000-0000-0000-000000000000' }, 'malformed_event'],
    ['a topic header that disagrees with the body', { 'x-amz-sns-topic-arn': 'arn:aws:sns:us-east-1:341288657826:other' }, 'malformed_event'],
    ['an unknown message-type header', { 'x-amz-sns-message-type': 'Bogus' }, 'unsupported_event'],
  ])('%s → %s', (_, headers, reason) => {
    expect(reasonOf(parse(snsBody(vector), new Headers(headers)))).toBe(reason);
  });

  it('SNS raw message delivery (unsigned, no secret header possible) is refused with a reason that says so', () => {
    const body = fixtureBytes('asg-notification/pudding-2014-terminating.message.json');
    const headers = new Headers({ 'x-amz-sns-message-type': 'Notification', 'x-amz-sns-rawdelivery': 'true' });
    expect(parse(body, headers)).toEqual({
      ok: false,
      error: { reason: 'unsupported_event', detail: 'SNS raw message delivery is unsigned; disable RawMessageDelivery on the subscription' },
    });
  });

  it('an SNS header on a body that is not SNS-shaped is still treated as SNS (and fails as one)', () => {
    const body = fixtureBytes('asg-notification/pudding-2014-terminating.message.json');
    expect(reasonOf(parse(body, new Headers({ 'x-amz-sns-message-type': 'Notification' })))).toBe('malformed_event');
  });

  it.each([
    ['Type', 'Foo', 'unsupported_event'],
    ['Type', 7, 'malformed_event'],
    ['TopicArn', 'arn:aws:sqs:us-east-1:341288657826:queue', 'malformed_event'],
    ['TopicArn', 'not an arn', 'malformed_event'],
    ['Timestamp', '2014-12-22 20:32:08', 'malformed_event'],
    ['Timestamp', '2014-02-30T20:32:08.437Z', 'malformed_event'],
    ['MessageId', '', 'malformed_event'],
    ['MessageId', null, 'malformed_event'],
    ['Message', { nested: true }, 'malformed_event'],
    ['Subject', null, 'malformed_event'],
    ['Subject', 42, 'malformed_event'],
    ['SignatureVersion', 1, 'malformed_event'],
    ['SigningCertURL', [], 'malformed_event'],
    ['Token', 'a token on a Notification', 'malformed_event'],
  ])('an SNS body whose %s is %j → %s', (key, value, reason) => {
    const envelope = JSON.parse(new TextDecoder().decode(snsBody(vector))) as Record<string, unknown>;
    envelope[key] = value;
    expect(reasonOf(parse(jsonBody(envelope)))).toBe(reason);
  });

  it.each(['Type', 'MessageId', 'TopicArn', 'Message', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL'])('an SNS Notification without %s is malformed_event', (key) => {
    const envelope = JSON.parse(new TextDecoder().decode(snsBody(vector))) as Record<string, unknown>;
    delete envelope[key];
    const headers = new Headers({ 'x-amz-sns-message-type': 'Notification' });
    expect(reasonOf(parse(jsonBody(envelope), headers))).toBe('malformed_event');
  });

  it.each(['Token', 'SubscribeURL'])('a SubscriptionConfirmation without %s is malformed_event', (key) => {
    const confirmation = VERIFIED_SNS_VECTORS.find((v) => v.type === 'SubscriptionConfirmation')!;
    const envelope = JSON.parse(new TextDecoder().decode(snsBody(confirmation))) as Record<string, unknown>;
    delete envelope[key];
    expect(reasonOf(parse(jsonBody(envelope)))).toBe('malformed_event');
  });
});

describe('EventBridge lifecycle events (AWS documentation examples)', () => {
  it.each([
    ['awsdocs-launch-lifecycle-action.json', { kind: 'launch', effect: 'enter-group', lifecycleHookName: 'my-lifecycle-hook', lifecycleActionToken: '87654321-4321-4321-4321-210987654321', time: new Date(DOC_EVENT_TIME) }],
    ['awsdocs-terminate-lifecycle-action.json', { kind: 'terminate', effect: 'terminate', lifecycleHookName: 'my-lifecycle-hook', lifecycleActionToken: '87654321-4321-4321-4321-210987654321', time: new Date(DOC_EVENT_TIME) }],
    ['awsdocs-warmpool-launch-ec2-to-warmpool.json', { kind: 'launch', effect: 'enter-warm-pool', origin: 'EC2', destination: 'WarmPool', lifecycleHookName: 'my-launch-lifecycle-hook', lifecycleActionToken: '71514b9d-6a40-4b26-8523-05e7eEXAMPLE', time: new Date('2021-01-13T00:12:37.214Z') }],
    ['awsdocs-warmpool-launch-warmpool-to-asg.json', { kind: 'launch', effect: 'enter-group', origin: 'WarmPool', destination: 'AutoScalingGroup', lifecycleHookName: 'my-launch-lifecycle-hook', lifecycleActionToken: '19cc4d4a-e450-4d1c-b448-0de67EXAMPLE', time: new Date('2021-01-19T00:35:52.359Z') }],
    ['awsdocs-warmpool-launch-ec2-to-asg.json', { kind: 'launch', effect: 'enter-group', origin: 'EC2', destination: 'AutoScalingGroup', lifecycleHookName: 'my-launch-lifecycle-hook', lifecycleActionToken: '87654321-4321-4321-4321-21098EXAMPLE', time: new Date('2021-02-01T17:18:06.082Z') }],
    ['awsdocs-warmpool-terminate-asg-to-warmpool.json', { kind: 'terminate', effect: 'return-to-warm-pool', origin: 'AutoScalingGroup', destination: 'WarmPool', lifecycleHookName: 'my-termination-lifecycle-hook', lifecycleActionToken: '42694b3d-4b70-6a62-8523-09a1eEXAMPLE', time: new Date('2022-03-28T00:12:37.214Z') }],
  ])('%s parses to the exact event', (file, expected) => {
    const classified = unwrap(parse(jsonBody(eventBridgeExample(file))));
    expect(classified.source).toBe('eventbridge');
    expect(eventOf(classified)).toEqual({ ...DOC_GROUP_ARN_DETAIL, ...expected });
  });

  it.each(['awsdocs-launch-lifecycle-action.json', 'awsdocs-terminate-lifecycle-action.json'])('%s verbatim, with its placeholder time "yyyy-mm-ddThh:mm:ssZ", is malformed_event', (file) => {
    expect(parse(fixtureBytes(`eventbridge/${file}`))).toEqual({ ok: false, error: { reason: 'malformed_event', detail: 'time is not an RFC 3339 date-time' } });
  });

  const launch = () => eventBridgeExample('awsdocs-launch-lifecycle-action.json');
  const withDetail = (change: Record<string, unknown>) => ({ ...launch(), detail: { ...(launch()['detail'] as object), ...change } });
  const without = (key: string) => {
    const event = launch();
    delete event[key];
    return event;
  };
  const withoutDetail = (key: string) => {
    const event = launch();
    delete (event['detail'] as Record<string, unknown>)[key];
    return event;
  };

  it.each([
    ['another detail-type', { ...launch(), 'detail-type': 'EC2 Instance Launch Successful' }, 'unsupported_event'],
    ['a detail-type of another case', { ...launch(), 'detail-type': 'ec2 instance-launch lifecycle action' }, 'unsupported_event'],
    ['another source', { ...launch(), source: 'aws.ec2' }, 'unsupported_event'],
    ['a custom source', { ...launch(), source: 'my.app' }, 'unsupported_event'],
    ['event version 1', { ...launch(), version: '1' }, 'unsupported_event'],
    ['a transition that contradicts the detail-type', withDetail({ LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING' }), 'malformed_event'],
    ['an unknown transition', withDetail({ LifecycleTransition: 'autoscaling:EC2_INSTANCE_REBOOTING' }), 'unsupported_event'],
    ['a launch into EC2', withDetail({ Origin: 'AutoScalingGroup', Destination: 'EC2' }), 'unsupported_event'],
    ['a launch from the group', withDetail({ Origin: 'AutoScalingGroup', Destination: 'AutoScalingGroup' }), 'unsupported_event'],
    ['an unknown Destination', withDetail({ Destination: 'Standby' }), 'unsupported_event'],
    ['an unknown Origin', withDetail({ Origin: 'warmpool' }), 'unsupported_event'],
    ['a numeric Destination', withDetail({ Destination: 1 }), 'malformed_event'],
    ['a numeric account', { ...launch(), account: 123456789012 }, 'malformed_event'],
    ['an 11-digit account', { ...launch(), account: '12345678901' }, 'malformed_event'],
    ['a region with upper case', { ...launch(), region: 'US-WEST-2' }, 'malformed_event'],
    ['a detail that is an array', { ...launch(), detail: [] }, 'malformed_event'],
    ['a detail that is a string', { ...launch(), detail: '{}' }, 'malformed_event'],
    ['a null detail', { ...launch(), detail: null }, 'malformed_event'],
    ['a 35-character action token', withDetail({ LifecycleActionToken: '87654321-4321-4321-4321-21098765432' }), 'malformed_event'],
    ['a hook name with a space', withDetail({ LifecycleHookName: 'my hook' }), 'malformed_event'],
    ['a group name with a newline', withDetail({ AutoScalingGroupName: 'my-asg\nInjected: yes' }), 'malformed_event'],
    ['an empty group name', withDetail({ AutoScalingGroupName: '' }), 'malformed_event'],
    ['a 256-character group name', withDetail({ AutoScalingGroupName: 'a'.repeat(256) }), 'malformed_event'],
    ['metadata over 1023 characters', withDetail({ NotificationMetadata: 'm'.repeat(1024) }), 'malformed_event'],
    ['no id', without('id'), 'malformed_event'],
    ['no account', without('account'), 'malformed_event'],
    ['no region', without('region'), 'malformed_event'],
    ['no time', without('time'), 'malformed_event'],
    ['no source', without('source'), 'malformed_event'],
    ['no detail', without('detail'), 'malformed_event'],
    ['no EC2InstanceId', withoutDetail('EC2InstanceId'), 'malformed_event'],
    ['no AutoScalingGroupName', withoutDetail('AutoScalingGroupName'), 'malformed_event'],
    ['no LifecycleTransition', withoutDetail('LifecycleTransition'), 'malformed_event'],
  ])('%s → %s', (_, event, reason) => {
    expect(reasonOf(parse(jsonBody(event)))).toBe(reason);
  });

  it('optional detail keys may be absent (events before NotificationMetadata, Origin and Destination)', () => {
    const event = launch();
    const detail = event['detail'] as Record<string, unknown>;
    for (const key of ['LifecycleHookName', 'LifecycleActionToken', 'NotificationMetadata']) delete detail[key];
    event['resources'] = undefined;
    expect(eventOf(unwrap(parse(jsonBody(event))))).toEqual({
      kind: 'launch',
      effect: 'enter-group',
      accountId: '123456789012',
      region: 'us-west-2',
      autoScalingGroupName: 'my-asg',
      instanceId: 'i-1234567890abcdef0',
      time: new Date(DOC_EVENT_TIME),
      source: 'eventbridge',
      messageId: '12345678-1234-1234-1234-123456789012',
    });
  });

  it('unknown keys are ignored', () => {
    const event = { ...withDetail({ FutureKey: { nested: [1, 2] } }), 'replay-name': 'x' };
    expect(reasonOf(parse(jsonBody(event)))).toBe('ok');
  });
});

describe('plain Auto Scaling notifications (SQS body, SNS Message)', () => {
  it('the real terminating notification parses to the exact event', () => {
    const classified = unwrap(parse(fixtureBytes('asg-notification/pudding-2014-terminating.message.json')));
    expect(classified.source).toBe('plain');
    expect(eventOf(classified)).toEqual({
      kind: 'terminate',
      effect: 'terminate',
      accountId: '341288657826',
      autoScalingGroupName: 'org-staging-docker-asg',
      instanceId: 'i-4c87e963',
      lifecycleHookName: 'org-staging-docker-lch-terminating',
      lifecycleActionToken: '2f346e45-4866-4bf1-a752-f6eea23011c7',
      time: new Date('2014-12-23T19:17:03.843Z'),
      source: 'plain',
    });
  });

  it('the real test notification parses to a test event, region from its group ARN', () => {
    expect(eventOf(unwrap(parse(fixtureBytes('asg-notification/pudding-2014-test-notification.message.json'))))).toEqual({
      kind: 'test',
      effect: 'none',
      accountId: '341288657826',
      region: 'us-east-1',
      autoScalingGroupName: 'org-staging-docker-asg',
      time: new Date('2014-12-22T20:58:56.930Z'),
      source: 'plain',
    });
  });

  it('the AWS docs launch notification parses to a launch event', () => {
    const body = keyValueLinesToJson(fixtureText('asg-notification/awsdocs-lifecycle-notification.txt'));
    expect(eventOf(unwrap(parse(jsonBody(body))))).toEqual({
      kind: 'launch',
      effect: 'enter-group',
      accountId: '123456789012',
      autoScalingGroupName: 'my-asg',
      instanceId: 'i-0598c7d356eba48d7',
      lifecycleHookName: 'my-hook',
      lifecycleActionToken: '71514b9d-6a40-4b26-8523-05e7ee35fa40',
      notificationMetadata: 'hook message metadata',
      time: new Date('2021-01-19T00:36:26.533Z'),
      source: 'plain',
    });
  });

  it('the AWS docs test notification parses to a test event', () => {
    const body = keyValueLinesToJson(fixtureText('asg-notification/awsdocs-test-notification.txt'));
    expect(eventOf(unwrap(parse(jsonBody(body))))).toEqual({
      kind: 'test',
      effect: 'none',
      accountId: '123456789012',
      region: 'us-west-2',
      autoScalingGroupName: 'my-asg',
      time: new Date('2021-01-19T00:35:52.359Z'),
      source: 'plain',
    });
  });

  const terminating = () => fixtureJson('asg-notification/pudding-2014-terminating.message.json');
  const test = () => fixtureJson('asg-notification/pudding-2014-test-notification.message.json');
  it.each([
    ['another Event', { ...test(), Event: 'autoscaling:EC2_INSTANCE_TERMINATE' }, 'unsupported_event'],
    ['both Event and LifecycleTransition', { ...terminating(), Event: 'autoscaling:TEST_NOTIFICATION' }, 'malformed_event'],
    ['another Service', { ...terminating(), Service: 'AWS Lambda' }, 'unsupported_event'],
    ['a group ARN of another account', { ...test(), AutoScalingGroupARN: (test()['AutoScalingGroupARN'] as string).replace('341288657826', '111111111111') }, 'malformed_event'],
    ['a group ARN of another group', { ...test(), AutoScalingGroupName: 'other-asg' }, 'malformed_event'],
    ['a group ARN that is not one', { ...test(), AutoScalingGroupARN: 'arn:aws:sns:us-east-1:341288657826:x' }, 'malformed_event'],
    ['no AccountId', { ...terminating(), AccountId: undefined }, 'malformed_event'],
    ['no Time', { ...terminating(), Time: undefined }, 'malformed_event'],
    ['a Time without zone', { ...terminating(), Time: '2014-12-23T19:17:03.843' }, 'malformed_event'],
    ['a Time of 24:00', { ...terminating(), Time: '2014-12-23T24:00:00Z' }, 'malformed_event'],
    ['a numeric Time', { ...terminating(), Time: 1419362223843 }, 'malformed_event'],
    ['an AccountId with letters', { ...terminating(), AccountId: '34128865782a' }, 'malformed_event'],
  ])('%s → %s', (_, body, reason) => {
    expect(reasonOf(parse(jsonBody(body)))).toBe(reason);
  });

  it.each([
    ['i-4c87e963', 'ok'],
    ['i-1234567890abcdef0', 'ok'],
    ['i-4C87E963', 'malformed_event'],
    ['i-4c87e96', 'malformed_event'],
    ['i-1234567890abcdef01', 'malformed_event'],
    ['4c87e963', 'malformed_event'],
    ['i-4c87e963 ', 'malformed_event'],
    [' i-4c87e963', 'malformed_event'],
    ['i-4c87e963\n', 'malformed_event'],
    ['i-4c87g963', 'malformed_event'],
    ['ami-4c87e963', 'malformed_event'],
    ['i-../../../x', 'malformed_event'],
    ['', 'malformed_event'],
    [null, 'malformed_event'],
    [1234, 'malformed_event'],
    [['i-4c87e963'], 'malformed_event'],
  ])('EC2InstanceId %j → %s', (instanceId, reason) => {
    expect(reasonOf(parse(jsonBody({ ...terminating(), EC2InstanceId: instanceId })))).toBe(reason);
  });
});

describe('bodies that are none of these', () => {
  const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  it.each([
    ['an empty body', '', 'malformed_event'],
    ['not JSON', 'Service: AWS Auto Scaling', 'malformed_event'],
    ['truncated JSON', '{"LifecycleTransition":', 'malformed_event'],
    ['an array', '[{"LifecycleTransition":"autoscaling:EC2_INSTANCE_TERMINATING"}]', 'malformed_event'],
    ['a string', '"hello"', 'malformed_event'],
    ['a number', '42', 'malformed_event'],
    ['null', 'null', 'malformed_event'],
    ['true', 'true', 'malformed_event'],
    ['JSON with a trailing comma', '{"a":1,}', 'malformed_event'],
    ['JSON with comments', '{"a":1 /* x */}', 'malformed_event'],
    ['two JSON values', '{}{}', 'malformed_event'],
    ['nesting 17 deep', deep(17), 'malformed_event'],
    ['objects nesting 17 deep', deepObject(17), 'malformed_event'],
    ['nesting 100000 deep', deep(100_000), 'malformed_event'],
    ['objects nesting 16 deep (within the limit, but not an event)', deepObject(16), 'unsupported_event'],
    ['brackets inside strings do not count as nesting', JSON.stringify({ a: '['.repeat(100) }), 'unsupported_event'],
    ['an empty object', '{}', 'unsupported_event'],
    ['an unrelated object', '{"hello":"world"}', 'unsupported_event'],
    ['inherited keys only', '{"toString":1,"constructor":2,"__proto__":{"LifecycleTransition":"x"}}', 'unsupported_event'],
    ['a body over 64 KiB', JSON.stringify({ pad: 'x'.repeat(65_536) }), 'malformed_event'],
  ])('%s → %s', (_, body, reason) => {
    expect(reasonOf(parse(body))).toBe(reason);
    expect(reasonOf(parse(new TextEncoder().encode(body)))).toBe(reason);
  });

  it.each([
    ['invalid UTF-8', new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])],
    ['a lone UTF-8 continuation byte', new Uint8Array([0x7b, 0x7d, 0x80])],
    ['an overlong encoding', new Uint8Array([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d])],
  ])('%s → malformed_event', (_, bytes) => {
    expect(reasonOf(parse(bytes))).toBe('malformed_event');
  });

  it('an ArrayBuffer body is read like a Uint8Array', () => {
    const buffer = new TextEncoder().encode(fixtureText('asg-notification/pudding-2014-terminating.message.json')).buffer;
    expect(reasonOf(parseLifecycleRequest({ body: buffer, headers: noHeaders() }))).toBe('ok');
  });

  it('a body exactly at the limit is read; one byte more is not', () => {
    const event = JSON.stringify(fixtureJson('asg-notification/pudding-2014-terminating.message.json'));
    const padded = (size: number) => `${event.slice(0, -1)},"pad":"${'x'.repeat(size - event.length - 9)}"}`;
    expect(padded(65_536)).toHaveLength(65_536);
    expect(reasonOf(parse(padded(65_536)))).toBe('ok');
    expect(reasonOf(parse(padded(65_537)))).toBe('malformed_event');
  });

  it('a UTF-8 BOM is tolerated (it is not part of the JSON text)', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...fixtureBytes('asg-notification/pudding-2014-terminating.message.json')]);
    expect(reasonOf(parse(bytes))).toBe('ok');
  });
});

describe('lifecycleHookFailureStatus', () => {
  it.each([
    ['malformed_event', 400],
    ['unsupported_event', 400],
    ['untrusted_topic', 400],
    ['untrusted_certificate_url', 400],
    ['untrusted_subscribe_url', 400],
    ['unsupported_signature_version', 400],
    ['invalid_signature', 400],
    ['invalid_certificate', 400],
    ['expired_certificate', 400],
    ['stale_message', 400],
    ['upstream_unavailable', 503],
  ] as const)('%s → %i', (reason, status) => {
    expect(lifecycleHookFailureStatus(reason)).toBe(status);
  });
});
