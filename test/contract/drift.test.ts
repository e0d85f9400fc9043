/**
 * The contract catches a response that drifted from it. Each case takes a real response (the
 * examples in openapi.yaml were captured from the Worker, scripts/capture-openapi-examples.ts),
 * alters it the way a code change would, and expects the validator to say what is wrong.
 */
import { describe, expect, it } from 'vitest';
import { ContractValidator, openapi, type ObservedResponse } from './openapi.js';

const contract = new ContractValidator();
type Json = Record<string, unknown>;
const responses = openapi.components['responses'] as Record<string, { content: Record<string, { examples: Record<string, { value: unknown }> }> }>;
const realBundle = responses['Joined']!.content['application/json']!.examples['bundle']!.value as Json;
const realProblem = responses['AlreadyJoined']!.content['application/problem+json']!.examples['replay']!.value as Json;

function answer(status: number, body: unknown, contentType = 'application/json', headers: Record<string, string> = { 'cache-control': 'no-store' }): ObservedResponse {
  return { status, headers: new Headers({ 'content-type': contentType, ...headers }), text: typeof body === 'string' ? body : JSON.stringify(body) };
}
const without = (object: Json, key: string): Json => Object.fromEntries(Object.entries(object).filter(([name]) => name !== key));
const renamed = (object: Json, from: string, to: string): Json => Object.fromEntries(Object.entries(object).map(([name, value]) => [name === from ? to : name, value]));

describe('the real responses validate as they are', () => {
  it.each([
    ['a join bundle', 'POST', '/v1/join/aws', answer(200, realBundle)],
    ['an already_joined problem', 'POST', '/v1/join/gcp', answer(409, realProblem, 'application/problem+json')],
    ['a join script', 'POST', '/v1/join/oidc', answer(200, '#!/bin/sh\nset -eu\n', 'text/x-shellscript; charset=utf-8')],
    ['a rate_limited problem with Retry-After', 'POST', '/v1/join/aws', answer(429, { ...realProblem, code: 'rate_limited', status: 429, retryAfter: 60 }, 'application/problem+json', { 'cache-control': 'no-store', 'retry-after': '60' })],
  ])('%s', (_, method, path, response) => {
    expect(contract.violations(method, path, response)).toEqual([]);
  });
});

describe('a response that drifted from openapi.yaml is caught', () => {
  it.each<[string, string, string, ObservedResponse, RegExp]>([
    ['a field added to the bundle', 'POST', '/v1/join/aws', answer(200, { ...realBundle, tokenSecret: 'x' }), /must NOT have additional properties/],
    ['a bundle field renamed (tokenId → tokenID)', 'POST', '/v1/join/aws', answer(200, renamed(realBundle, 'tokenId', 'tokenID')), /must have required property 'tokenId'/],
    ['a bundle field dropped (caCertHashes)', 'POST', '/v1/join/aws', answer(200, without(realBundle, 'caCertHashes')), /must have required property 'caCertHashes'/],
    ['a bundle field of another type (expiresAt as a number)', 'POST', '/v1/join/aws', answer(200, { ...realBundle, expiresAt: 1764467221 }), /expiresAt must be string/],
    ['a field added to the identity', 'POST', '/v1/join/aws', answer(200, { ...realBundle, identity: { ...(realBundle['identity'] as Json), zone: 'us-east-1a' } }), /identity must NOT have additional properties/],
    ['a CA pin in another form', 'POST', '/v1/join/aws', answer(200, { ...realBundle, caCertHashes: ['sha256:ABC'] }), /caCertHashes\/0 must match pattern/],
    ['a problem code missing from the enum', 'POST', '/v1/join/aws', answer(409, { ...realProblem, code: 'joined_already' }, 'application/problem+json'), /code must be equal to one of the allowed values/],
    ['a member added to a problem', 'POST', '/v1/join/aws', answer(409, { ...realProblem, reason: 'ledger' }, 'application/problem+json'), /must NOT have additional properties/],
    ['a problem served as application/json', 'POST', '/v1/join/aws', answer(409, realProblem), /content type application\/json not declared/],
    ['a status the operation does not declare', 'POST', '/v1/join/aws', answer(418, realProblem, 'application/problem+json'), /status not declared/],
    ['the bundle without Cache-Control: no-store', 'POST', '/v1/join/aws', answer(200, realBundle, 'application/json', {}), /header Cache-Control missing/],
    ['a 429 without Retry-After', 'POST', '/v1/join/aws', answer(429, { ...realProblem, code: 'rate_limited', status: 429 }, 'application/problem+json'), /header Retry-After missing/],
    ['a script that is not a script', 'POST', '/v1/join/aws', answer(200, 'echo hi\n', 'text/x-shellscript'), /must match pattern/],
    ['health with another body', 'GET', '/healthz', answer(200, { status: 'healthy' }), /status must be equal to constant/],
    ['a JSON body that is not JSON', 'GET', '/healthz', answer(200, '{"status":'), /body is not JSON/],
    ['a path the contract does not have', 'GET', '/v1/status', answer(200, {}), /no such path in openapi\.yaml/],
    ['a method the contract does not have', 'DELETE', '/healthz', answer(200, {}), /no such operation in openapi\.yaml/],
  ])('%s', (_, method, path, response, expected) => {
    const problems = contract.violations(method, path, response);
    expect(problems.join('\n')).toMatch(expected);
  });
});
