/**
 * Typed reads of untrusted JSON fields, and the shapes of the AWS identifiers a lifecycle event
 * carries. No I/O, no clock. A value that is present but has the wrong type or shape is
 * `malformed_event`: the broker keys its ledger and its Kubernetes calls on these values, so an
 * instance ID is `i-` plus hex and nothing else ever reaches them.
 */
import { describeJsonType, ownField, type JsonObject } from './json.js';
import { hookFailure, hookOk, type HookResult } from './result.js';

/** A field check: `undefined` when `value` is acceptable, else what is wrong with it. */
export type FieldCheck = (value: string) => string | undefined;

export function requiredString(object: JsonObject, key: string, check: FieldCheck): HookResult<string> {
  const value = ownField(object, key);
  if (value === undefined) return hookFailure('malformed_event', `${key} is missing`);
  return checkedString(key, value, check);
}

/** Absent is fine; `null` or any other type is not (AWS omits keys it has no value for). */
export function optionalString(object: JsonObject, key: string, check: FieldCheck): HookResult<string | undefined> {
  const value = ownField(object, key);
  if (value === undefined) return hookOk(undefined);
  return checkedString(key, value, check);
}

function checkedString(key: string, value: unknown, check: FieldCheck): HookResult<string> {
  if (typeof value !== 'string') return hookFailure('malformed_event', `${key} is ${describeJsonType(value)}, expected a string`);
  const problem = check(value);
  return problem === undefined ? hookOk(value) : hookFailure('malformed_event', `${key} ${problem}`);
}

export const matching =
  (pattern: RegExp, what: string, maxLength = 256): FieldCheck =>
  (value) =>
    value.length <= maxLength && pattern.test(value) ? undefined : `is not ${what}`;

/** Any text of 1..maxLength UTF-16 units without control characters or unpaired surrogates. */
export const text =
  (maxLength: number): FieldCheck =>
  (value) => {
    if (value.length === 0 || value.length > maxLength) return `must be 1..${maxLength} characters`;
    if (CONTROL_OR_LONE_SURROGATE.test(value)) return 'contains a control character or an unpaired surrogate';
    return undefined;
  };

export const anyString: FieldCheck = () => undefined;

const CONTROL_OR_LONE_SURROGATE = /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** EC2 instance IDs: `i-` and lower-case hex (EC2 issues 8 digits before 2016, 17 since). */
export const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;
export const ACCOUNT_ID = /^[0-9]{12}$/;
/** AWS region names: `us-east-1`, `us-gov-west-1`, `cn-north-1`, `eusc-de-east-1`. */
export const REGION = /^[a-z]{2,4}(?:-[a-z]+)+-[0-9]{1,2}$/;
/** CompleteLifecycleAction's LifecycleHookName: 1..255 of `[A-Za-z0-9\-_\/]`. */
export const LIFECYCLE_HOOK_NAME = /^[A-Za-z0-9_/-]{1,255}$/;
/** CompleteLifecycleAction's LifecycleActionToken: exactly 36 characters (a UUID; AWS's examples use letters too). */
export const LIFECYCLE_ACTION_TOKEN = /^[A-Za-z0-9-]{36}$/;
/** SNS MessageId and EventBridge id are UUIDs; accept a conservative superset, safe as a ledger key. */
export const MESSAGE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export const instanceIdCheck = matching(INSTANCE_ID, 'an EC2 instance ID (i- and 8 to 17 lower-case hex digits)', 19);
export const accountIdCheck = matching(ACCOUNT_ID, 'a 12-digit AWS account ID', 12);
export const regionCheck = matching(REGION, 'an AWS region name', 32);
export const autoScalingGroupNameCheck = text(255);
export const lifecycleHookNameCheck = matching(LIFECYCLE_HOOK_NAME, 'a lifecycle hook name', 255);
export const lifecycleActionTokenCheck = matching(LIFECYCLE_ACTION_TOKEN, 'a 36-character lifecycle action token', 36);
export const messageIdCheck = matching(MESSAGE_ID, 'a message ID', 128);
/** PutLifecycleHook's NotificationMetadata: up to 1023 characters of operator text. */
export const notificationMetadataCheck: FieldCheck = (value) => (value.length <= 1023 ? undefined : 'is longer than 1023 characters');
export const timestampCheck: FieldCheck = (value) => (parseTimestamp(value) === undefined ? 'is not an RFC 3339 date-time' : undefined);

const RFC3339 = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?(Z|[+-][0-9]{2}:[0-9]{2})$/;

/**
 * An RFC 3339 date-time (§5.6, upper-case T; AWS writes `2014-12-23T19:17:03.843Z`), or undefined.
 * Out-of-range fields (Feb 30, hour 24, second 60) are refused rather than rolled over as
 * `Date.parse` would; fractions beyond milliseconds are truncated.
 */
export function parseTimestamp(value: string): Date | undefined {
  const match = RFC3339.exec(value);
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s, fraction = '', zone = 'Z'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (year < 1970) return undefined;
  const local = Date.UTC(year, month - 1, day, hour, minute, second, Number(fraction.padEnd(3, '0').slice(0, 3)));
  const check = new Date(local);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second
  ) {
    return undefined;
  }
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const offsetHours = Number(zone.slice(1, 3));
    const offsetMins = Number(zone.slice(4, 6));
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  return new Date(local - offsetMinutes * 60_000);
}

/** The region of a `arn:<partition>:<service>:<region>:<account>:…` ARN, with its account, or undefined. */
export function parseArn(arn: string, service: string): { readonly partition: string; readonly region: string; readonly account: string; readonly resource: string } | undefined {
  if (arn.length > 2048) return undefined;
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' || parts[2] !== service) return undefined;
  const [, partition = '', , region = '', account = ''] = parts;
  if (!PARTITION.test(partition) || !REGION.test(region) || !ACCOUNT_ID.test(account)) return undefined;
  return { partition, region, account, resource: parts.slice(5).join(':') };
}

const PARTITION = /^aws(?:-cn|-us-gov)?$/;
