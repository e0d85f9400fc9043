// Captures real responses from the built Worker (workerd, Miniflare) joined to the Kubernetes API
// emulator, for the `examples` in openapi.yaml. Run it after changing what a route answers:
//
//   npx tsx scripts/capture-openapi-examples.ts    # writes test-artifacts/openapi-examples.json
//
// and paste what changed into openapi.yaml (each example there names this script as its source).
// It uses the test run's setup (test/global-setup.ts: builds dist/, makes a cluster CA and a dev
// AWS signer) and the end-to-end stack (test/e2e/stack.ts).
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import setup from '../test/global-setup.js';

await setup();
const { instanceDocument, signDocument, startStack, testPolicy } = await import('../test/e2e/stack.js');

const stack = await startStack({
  policy: testPolicy(
    [{ name: 'workers', nodeLabels: { 'node.kubernetes.io/pool': 'workers' }, nodeTaints: ['dedicated=batch:NoSchedule'] }],
    [{ pool: 'workers', provider: 'aws', accounts: ['111122223333'] }],
  ),
});
const captured: Record<string, { status: number; contentType: string | null; retryAfter?: string | null; body: unknown }> = {};
async function keep(name: string, response: Response): Promise<void> {
  const contentType = response.headers.get('content-type');
  const text = await response.text();
  captured[name] = {
    status: response.status,
    contentType,
    ...(response.headers.has('www-authenticate') ? { wwwAuthenticate: response.headers.get('www-authenticate') } : {}),
    ...(response.headers.has('retry-after') ? { retryAfter: response.headers.get('retry-after') } : {}),
    body: contentType?.includes('json') ? JSON.parse(text) : text,
  };
}
try {
  await keep('healthz', await stack.worker.fetch('/healthz'));
  await keep('readyz', await stack.worker.fetch('/readyz'));
  const document = instanceDocument({ instanceId: 'i-0abcdef1234567890', privateIp: '10.0.1.23' });
  const signed = await signDocument(document);
  await keep('join.json', await stack.post('/v1/join/aws', signed));
  await keep('join.already_joined', await stack.post('/v1/join/aws', signed));
  await keep('join.kubeconfig', await stack.post('/v1/join/aws?format=kubeconfig', await signDocument(instanceDocument())));
  await keep('join.script.kubeadm', await stack.post('/v1/join/aws?format=script', await signDocument(instanceDocument())));
  await keep('join.invalid_request', await stack.post('/v1/join/aws?format=xml', await signDocument(instanceDocument())));
  await keep('join.malformed_document', await stack.post('/v1/join/aws', 'this is !!! not base64 at all'));
  await keep('join.access_denied', await stack.post('/v1/join/aws', await signDocument(instanceDocument({ accountId: '999988887777' }))));
  await keep('join.gcp.malformed_document', await stack.post('/v1/join/gcp', 'not-a-jwt'));
  await keep('join.oidc.malformed_document', await stack.post('/v1/join/oidc', 'not-a-jwt'));
  await keep('not_found', await stack.worker.fetch('/v1/nothing-here'));
  await keep('cloud-init.aws', await stack.worker.fetch('/v1/cloud-init?provider=aws'));
  await keep('cloud-init.invalid_request', await stack.worker.fetch('/v1/cloud-init?provider=vax'));
  const admin = { authorization: 'Bearer admin-token-for-e2e-tests-0123456789abcdef' };
  await keep('tokens', await stack.worker.fetch('/v1/tokens', { headers: admin }));
  await keep('tokens.unauthorized', await stack.worker.fetch('/v1/tokens'));
  await keep('joins', await stack.worker.fetch('/v1/joins?limit=2', { headers: admin }));
  await keep('joins.refused', await stack.worker.fetch('/v1/joins?outcome=refused&limit=1', { headers: admin }));
  await keep('joins.invalid_request', await stack.worker.fetch('/v1/joins?node=Not_A_Node', { headers: admin }));
  const minted = captured['join.json']!.body as { tokenId: string };
  await keep('token.revoke', await stack.worker.fetch(`/v1/tokens/${minted.tokenId}`, { method: 'DELETE', headers: admin }));
  await keep('token.not_found', await stack.worker.fetch(`/v1/tokens/${minted.tokenId}`, { method: 'DELETE', headers: admin }));
  await keep('token.invalid_request', await stack.worker.fetch('/v1/tokens/NOT-AN-ID', { method: 'DELETE', headers: admin }));
  await keep('join.reset', await stack.worker.fetch(`/v1/joins/${encodeURIComponent(`aws/111122223333/${document.instanceId}`)}`, { method: 'DELETE', headers: admin }));
  await keep('join.reset.not_found', await stack.worker.fetch(`/v1/joins/${encodeURIComponent('aws/111122223333/i-0000000000000000f')}`, { method: 'DELETE', headers: admin }));
  await stack.cluster.faults.set({ unavailable: '503' });
  await keep('readyz.upstream_unavailable', await stack.worker.fetch('/readyz'));
  await stack.cluster.faults.reset();
} finally {
  await stack.stop();
}
mkdirSync('test-artifacts', { recursive: true });
writeFileSync('test-artifacts/openapi-examples.json', `${JSON.stringify(captured, null, 2)}\n`);
console.error('wrote test-artifacts/openapi-examples.json');
