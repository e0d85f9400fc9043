import { describe, expect, it } from 'vitest';
import { placementOf } from '../../../src/hooks/aws/index.js';
import { reasonOf } from './vectors.js';

describe('placementOf: what a transition means for the broker (warm pools)', () => {
  it.each([
    // kind, Origin, Destination, effect
    ['launch', undefined, undefined, 'enter-group'],
    ['launch', 'EC2', 'AutoScalingGroup', 'enter-group'],
    ['launch', 'WarmPool', 'AutoScalingGroup', 'enter-group'],
    ['launch', undefined, 'AutoScalingGroup', 'enter-group'],
    ['launch', 'EC2', 'WarmPool', 'enter-warm-pool'],
    ['launch', undefined, 'WarmPool', 'enter-warm-pool'],
    ['terminate', undefined, undefined, 'terminate'],
    ['terminate', 'AutoScalingGroup', 'EC2', 'terminate'],
    ['terminate', 'WarmPool', 'EC2', 'terminate'],
    ['terminate', 'AutoScalingGroup', 'WarmPool', 'return-to-warm-pool'],
    ['terminate', 'WarmPool', 'WarmPool', 'return-to-warm-pool'],
  ] as const)('%s from %s to %s → %s', (kind, origin, destination, effect) => {
    expect(placementOf(kind, origin, destination)).toEqual({
      ok: true,
      value: { ...(origin === undefined ? {} : { origin }), ...(destination === undefined ? {} : { destination }), effect },
    });
  });

  it.each([
    ['launch', 'EC2', 'EC2'],
    ['launch', 'AutoScalingGroup', 'AutoScalingGroup'],
    ['launch', 'EC2', 'Standby'],
    ['launch', 'ec2', 'AutoScalingGroup'],
    ['terminate', 'AutoScalingGroup', 'Detached'],
    ['terminate', '', 'EC2'],
  ] as const)('%s from %s to %s is unsupported_event', (kind, origin, destination) => {
    expect(reasonOf(placementOf(kind, origin, destination))).toBe('unsupported_event');
  });
});
