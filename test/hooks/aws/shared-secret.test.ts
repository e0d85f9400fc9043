import { describe, expect, it } from 'vitest';
import { sharedSecretMatches } from '../../../src/hooks/aws/index.js';

const SECRET = 'eb-destination-secret-0123456789abcdef';

describe('sharedSecretMatches', () => {
  it.each([
    ['the same secret', SECRET, SECRET, true],
    ['a header that is absent', null, SECRET, false],
    ['an undefined header', undefined, SECRET, false],
    ['an empty header', '', SECRET, false],
    ['one character different', `${SECRET.slice(0, -1)}0`, SECRET, false],
    ['a prefix', SECRET.slice(0, 10), SECRET, false],
    ['the secret with a suffix', `${SECRET}x`, SECRET, false],
    ['different case', SECRET.toUpperCase(), SECRET, false],
    ['surrounding whitespace', ` ${SECRET}`, SECRET, false],
    ['an unset expected secret, empty header', '', '', false],
    ['an unset expected secret, any header', 'anything', '', false],
    ['non-ASCII secrets', 'gehéim-✓-0123456789abcdef0123', 'gehéim-✓-0123456789abcdef0123', true],
  ])('%s → %s', async (_, presented, expected, matches) => {
    expect(await sharedSecretMatches(presented, expected)).toBe(matches);
  });
});
