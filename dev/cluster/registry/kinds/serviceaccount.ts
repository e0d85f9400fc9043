/**
 * core/v1 ServiceAccount: stored and listed; with a token issuer, the `token` subresource answers
 * TokenRequests (Secret-based tokens: controllers/tokens.ts).
 */
import { isDNS1123Subdomain } from '../../apimachinery/validation.js';
import type { ServiceAccountTokens } from '../../auth/authn/serviceaccount-token.js';
import type { ResourceKind } from '../types.js';
import { AGE_COLUMN } from './common.js';
import { ageOf } from './secret.js';

export const serviceAccountKind: ResourceKind = {
  group: '',
  version: 'v1',
  kind: 'ServiceAccount',
  plural: 'serviceaccounts',
  singular: 'serviceaccount',
  namespaced: true,
  shortNames: ['sa'],
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  fieldOrder: ['secrets', 'imagePullSecrets', 'automountServiceAccountToken'],
  mergeKeys: { secrets: 'name' },
  nameValidator: isDNS1123Subdomain,
  allowCreateOnUpdate: false,
  table: {
    columns: [{ name: 'Secrets', type: 'integer', description: 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.' }, AGE_COLUMN],
    cells: (o, now) => [Array.isArray(o.secrets) ? o.secrets.length : 0, ageOf(o, now)],
  },
};

/** ServiceAccount with `POST serviceaccounts/<name>/token` (TokenRequest) answered by `tokens`. */
export function serviceAccountKindWithTokens(tokens: ServiceAccountTokens): ResourceKind {
  return {
    ...serviceAccountKind,
    createSubresources: {
      token: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', create: (parent, body) => tokens.request(parent, body) },
    },
  };
}
