/**
 * The shared secret an EventBridge API destination sends in a header (its connection's API-key
 * authorization), compared in constant time. No I/O, no clock.
 *
 * Both values are hashed with SHA-256 and the digests compared with a loop that always runs to
 * the end: the time taken depends on neither where the values first differ nor their lengths.
 */

/**
 * Whether `presented` (the header value, or null when absent) equals `expected`. An empty
 * `expected` matches nothing: an unset secret must not open the endpoint.
 */
export async function sharedSecretMatches(presented: string | null | undefined, expected: string): Promise<boolean> {
  if (typeof expected !== 'string' || expected.length === 0) return false;
  const encoder = new TextEncoder();
  const [a, b] = await Promise.all([
    crypto.subtle.digest('SHA-256', encoder.encode(typeof presented === 'string' ? presented : '')),
    crypto.subtle.digest('SHA-256', encoder.encode(expected)),
  ]);
  const left = new Uint8Array(a);
  const right = new Uint8Array(b);
  let difference = 0;
  for (let i = 0; i < left.length; i++) difference |= left[i]! ^ right[i]!;
  return difference === 0 && typeof presented === 'string' && presented.length > 0;
}
