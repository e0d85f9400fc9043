/**
 * The broker's typed client for the end-to-end tests: openapi-fetch over the `paths` that
 * openapi-typescript generated from openapi.yaml (test/contract/openapi-types.generated.ts),
 * talking to the built Worker in workerd. Every response it receives is checked against
 * openapi.yaml (status, content type, required headers, body schema) before the test sees it;
 * a response that breaks the contract rejects the call with a ContractViolation.
 *
 *   const broker = brokerClient(stack);                      // or brokerClient(worker)
 *   const { data, error, response } = await broker.GET('/readyz');
 *   const joined = await joinAws(broker, await signDocument(instanceDocument()));
 *   const admin = brokerClient(stack, { adminToken: E2E_ADMIN_TOKEN });
 *
 * See test/e2e/README.md.
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { ContractValidator, ContractViolation } from '../contract/openapi.js';
import type { paths } from '../contract/openapi-types.generated.js';
import type { RunningWorker } from '../worker/harness.js';

/** JSON media types (`application/json`, `application/problem+json`): what `data` and `error` are typed as. */
type JsonMediaType = `${string}/${string}json`;
export type BrokerClient = Client<paths, JsonMediaType>;
export type JoinBundle = paths['/v1/join/aws']['post']['responses'][200]['content']['application/json'];
export type Problem = paths['/v1/join/aws']['post']['responses'][409]['content']['application/problem+json'];
export { ContractViolation };

const contract = new ContractValidator();
const bodies = new WeakMap<Response, string>();

/** Checks `response` to `method path` (path as in openapi.yaml, or concrete) against the contract; throws ContractViolation. */
export async function assertContract(method: string, path: string, response: Response): Promise<void> {
  const text = await response.clone().text();
  bodies.set(response, text);
  const problems = contract.violations(method, path, { status: response.status, headers: response.headers, text });
  if (problems.length > 0) throw new ContractViolation(problems);
}

/**
 * The body of a response the contract check read, as it came ('' for none): for a test that
 * searches the bytes themselves after the typed client has parsed them into `data` or `error`.
 */
export function bodyOf(response: Response): string {
  const text = bodies.get(response);
  if (text === undefined) throw new Error('bodyOf: a response the contract check never read');
  return text;
}

/** openapi-fetch middleware: every response, whatever its status or content type, against openapi.yaml. */
export const contractCheck: Middleware = {
  async onResponse({ request, response, schemaPath }) {
    await assertContract(request.method, schemaPath, response);
    return undefined;
  },
};

/** Sends a Request to the Worker through Miniflare (the loopback socket is not needed). */
async function dispatch(worker: RunningWorker, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const body = request.body === null ? undefined : new Uint8Array(await request.arrayBuffer());
  return worker.fetch(`${url.pathname}${url.search}`, { method: request.method, headers: [...request.headers], ...(body === undefined ? {} : { body }) });
}

export interface BrokerClientOptions {
  /** Sent as `Authorization: Bearer <adminToken>` on every request (the admin API). */
  adminToken?: string;
  /** Replaces the Worker, e.g. to feed the client a response the contract must refuse. */
  fetch?: (request: Request) => Promise<Response>;
}

/** The typed client of the Worker in `target` (a Stack from startStack, or a RunningWorker). */
export function brokerClient(target: { worker: RunningWorker } | RunningWorker, options: BrokerClientOptions = {}): BrokerClient {
  const worker = 'worker' in target ? target.worker : target;
  const client = createClient<paths, JsonMediaType>({
    baseUrl: 'http://broker.test',
    fetch: options.fetch ?? ((request) => dispatch(worker, request)),
    ...(options.adminToken === undefined ? {} : { headers: { authorization: `Bearer ${options.adminToken}` } }),
  });
  client.use(contractCheck);
  return client;
}

type JoinQuery = NonNullable<paths['/v1/join/aws']['post']['parameters']['query']>;
export type JoinProvider = 'aws' | 'gcp' | 'azure' | 'oidc';
/**
 * What a join document is posted as: text (the rsa2048 PKCS7, a JWT, the Azure attested document
 * as IMDS serves it) as is, raw bytes as is, an object as JSON.
 */
export type JoinDocument = string | Uint8Array<ArrayBuffer> | Record<string, string>;

const MEDIA_TYPE: Record<JoinProvider, string> = { aws: 'text/plain', gcp: 'application/jwt', azure: 'application/json', oidc: 'application/jwt' };

function joinInit(provider: JoinProvider, document: JoinDocument, query: JoinQuery, headers: Record<string, string>) {
  const json = typeof document === 'object' && !(document instanceof Uint8Array);
  return {
    params: { query },
    // openapi-fetch would JSON-encode a string body; the broker reads text and bytes as they are.
    body: document as never,
    bodySerializer: (body: unknown) => (json ? JSON.stringify(body) : body),
    headers: { 'content-type': json ? 'application/json' : MEDIA_TYPE[provider], ...headers },
  };
}

/**
 * `POST /v1/join/<provider>` with `format=json` (the default): `data` is the JoinBundle on 200,
 * `error` the problem otherwise; both already validated against openapi.yaml.
 */
export function join(client: BrokerClient, provider: JoinProvider, document: JoinDocument, query: JoinQuery & { format?: 'json' } = {}, headers: Record<string, string> = {}) {
  return client.POST(`/v1/join/${provider}` as '/v1/join/aws', joinInit(provider, document, query, headers));
}

/** `POST /v1/join/aws`: see {@link join}. */
export const joinAws = (client: BrokerClient, document: JoinDocument, query: JoinQuery & { format?: 'json' } = {}, headers: Record<string, string> = {}) => join(client, 'aws', document, query, headers);

/**
 * `POST /v1/join/<provider>` with `format=kubeconfig` or `format=script`: the answer as text
 * (`text` on 200; `error` the problem otherwise), its status, content type and headers checked
 * against openapi.yaml like every other response.
 */
export async function joinText(client: BrokerClient, provider: JoinProvider, document: JoinDocument, query: JoinQuery & { format: 'kubeconfig' | 'script' }, headers: Record<string, string> = {}) {
  const result = await client.POST(`/v1/join/${provider}` as '/v1/join/aws', { ...joinInit(provider, document, query, headers), parseAs: 'text' });
  return { response: result.response, text: result.data as string | undefined, error: result.error };
}
