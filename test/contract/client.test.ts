/**
 * The typed client (test/e2e/client.ts) validates what it receives: fed a response that breaks
 * openapi.yaml, the call rejects; fed a real one, it resolves with the typed body.
 */
import { describe, expect, it } from 'vitest';
import { brokerClient, ContractViolation, joinAws, type JoinBundle } from '../e2e/client.js';
import type { RunningWorker } from '../worker/harness.js';
import { openapi } from './openapi.js';

const responses = openapi.components['responses'] as Record<string, { content: Record<string, { examples: Record<string, { value: unknown }> }> }>;
const realBundle = responses['Joined']!.content['application/json']!.examples['bundle']!.value as JoinBundle;
const realProblem = responses['AlreadyJoined']!.content['application/problem+json']!.examples['replay']!.value;

const noWorker = {} as RunningWorker;
/** A client whose "Worker" answers `body` with `status` and `contentType`, and records the request. */
function clientAnswering(status: number, body: unknown, contentType: string, headers: Record<string, string> = { 'cache-control': 'no-store' }) {
  const requests: Request[] = [];
  const client = brokerClient(noWorker, {
    fetch: async (request) => {
      requests.push(request);
      return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': contentType, ...headers } });
    },
  });
  return { client, requests };
}

describe('brokerClient', () => {
  it('resolves a real join bundle, typed, and posts the document as text/plain unchanged', async () => {
    const { client, requests } = clientAnswering(200, realBundle, 'application/json');
    const { data, error } = await joinAws(client, '-----BEGIN PKCS7-----\nMIAG\n-----END PKCS7-----\n');
    expect(error).toBeUndefined();
    expect(data?.tokenId).toBe(realBundle.tokenId);
    expect(requests[0]!.headers.get('content-type')).toBe('text/plain');
    expect(await requests[0]!.text()).toBe('-----BEGIN PKCS7-----\nMIAG\n-----END PKCS7-----\n');
  });

  it('posts a JSON document as application/json', async () => {
    const { client, requests } = clientAnswering(409, realProblem, 'application/problem+json');
    const { error } = await joinAws(client, { document: '{}', signature: 'AAAA' });
    expect(error).toMatchObject({ code: 'already_joined' });
    expect(requests[0]!.headers.get('content-type')).toBe('application/json');
    expect(await requests[0]!.json()).toEqual({ document: '{}', signature: 'AAAA' });
  });

  it.each<[string, number, unknown, string, RegExp]>([
    ['a bundle with a field renamed in code (token → bootstrapToken)', 200, { ...realBundle, token: undefined, bootstrapToken: realBundle.token }, 'application/json', /must have required property 'token'/],
    ['a bundle with a field added in code', 200, { ...realBundle, secret: 'leak' }, 'application/json', /must NOT have additional properties/],
    ['a problem whose code is not in PROBLEM_CODES', 409, { ...(realProblem as object), code: 'duplicate' }, 'application/problem+json', /code must be equal to one of the allowed values/],
    ['a problem as text/plain', 409, 'already joined', 'text/plain', /content type text\/plain not declared/],
  ])('rejects %s with a ContractViolation', async (_, status, body, contentType, expected) => {
    const { client } = clientAnswering(status, body, contentType);
    const call = joinAws(client, 'document');
    await expect(call).rejects.toBeInstanceOf(ContractViolation);
    await expect(call).rejects.toThrow(expected);
  });

  it('checks the admin API too: GET /v1/tokens without the secret half', async () => {
    const token = { tokenId: 'abc123', nodeName: 'n', identity: null, pool: null, expiresAt: null, createdAt: null };
    await expect(clientAnswering(200, { items: [token] }, 'application/json').client.GET('/v1/tokens')).resolves.toMatchObject({ data: { items: [token] } });
    await expect(clientAnswering(200, { items: [{ ...token, token: 'abc123.0123456789abcdef' }] }, 'application/json').client.GET('/v1/tokens')).rejects.toThrow(/must NOT have additional properties/);
  });
});
