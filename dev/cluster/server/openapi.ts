/**
 * A minimal OpenAPI v3 surface: enough for kubectl's apply/create to learn that the server validates
 * fields itself (k8s.io/cli-runtime/pkg/resource/query_param_verifier_v3.go looks for a PATCH
 * operation tagged with the kind's x-kubernetes-group-version-kind that takes a `fieldValidation`
 * query parameter) so it skips client-side schema validation. PATCH operations declare no request
 * body, so kubectl's apply computes strategic merge patches from its built-in types
 * (apply/patcher.go) rather than from these documents. No schemas are served; /openapi/v2 is 404.
 */
import { createHash } from 'node:crypto';
import { KUBERNETES_VERSION } from '../auth/policy/kubeadm.js';
import type { Registry } from '../registry/index.js';

const gvPath = (group: string, version: string): string => (group ? `apis/${group}/${version}` : `api/${version}`);

export function openApiV3Document(registry: Registry, group: string, version: string): Record<string, unknown> | undefined {
  const kinds = registry.kinds.filter((k) => k.group === group && k.version === version);
  if (kinds.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  const param = (name: string, where = 'query') => ({ name, in: where, schema: { type: 'string', uniqueItems: true } });
  for (const k of kinds) {
    const gvk = { group: k.group, version: k.version, kind: k.kind };
    const base = `/${gvPath(group, version)}${k.namespaced ? '/namespaces/{namespace}' : ''}/${k.plural}`;
    const op = (action: string) => ({
      operationId: `${action}${k.kind}`,
      parameters: [param('dryRun'), param('fieldManager'), param('fieldValidation')],
      responses: { '200': { description: 'OK' } },
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
    });
    paths[base] = { post: op('post'), get: { ...op('list'), parameters: [param('labelSelector'), param('fieldSelector')] } };
    if (!k.createVirtual) paths[`${base}/{name}`] = { get: op('get'), put: op('put'), patch: op('patch'), delete: op('delete') };
    for (const sub of Object.keys(k.subresources ?? {})) paths[`${base}/{name}/${sub}`] = { get: op('get'), put: op('put'), patch: op('patch') };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: KUBERNETES_VERSION }, paths, components: { schemas: {} } };
}

export function openApiV3Index(registry: Registry): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const [group, versions] of registry.groups()) {
    for (const version of versions) {
      const doc = JSON.stringify(openApiV3Document(registry, group, version));
      const hash = createHash('sha512').update(doc).digest('hex').slice(0, 128).toUpperCase();
      paths[gvPath(group, version)] = { serverRelativeURL: `/openapi/v3/${gvPath(group, version)}?hash=${hash}` };
    }
  }
  return { paths };
}
