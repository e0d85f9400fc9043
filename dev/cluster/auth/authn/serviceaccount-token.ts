/**
 * ServiceAccount tokens: the TokenRequest API (`POST …/serviceaccounts/<name>/token`,
 * pkg/registry/core/serviceaccount/storage/token.go) and the token authenticator
 * (pkg/serviceaccount/jwt.go, claims.go), with one ES256 key per emulator start.
 *
 * Issued tokens are JWTs with the upstream claims: `iss`, `sub` = `system:serviceaccount:<ns>:<name>`,
 * `aud` (default: the API audience = the issuer), `exp`, `iat`, `nbf`, `jti` and
 * `kubernetes.io: {namespace, serviceaccount: {name, uid}}`. Authentication checks the signature,
 * `iss`, that `aud` holds the API audience, `nbf`/`exp` against the emulator clock, and that the
 * ServiceAccount still exists with the same UID (deleting it revokes its tokens). The user is the
 * ServiceAccount with groups `system:serviceaccounts`, `system:serviceaccounts:<ns>` and the
 * credential id in `extra`.
 *
 * Legacy Secret-based tokens (`kubernetes.io/service-account-token`): `fillTokenSecret` is the
 * tokens controller's step (pkg/controller/serviceaccount/tokens_controller.go): a Secret naming
 * an existing ServiceAccount gets `token`, `ca.crt`, `namespace` and the uid annotation; one
 * naming a missing ServiceAccount is deleted. Such tokens (iss `kubernetes/serviceaccount`, no
 * `exp`) authenticate while the Secret still holds them and the ServiceAccount keeps its UID.
 * Not modelled: bound object references, `--service-account-max-token-expiration`, legacy-token
 * tracking labels and clean-up.
 */
import { createHash, generateKeyPairSync, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import { invalid, type FieldError } from '../../apimachinery/field-errors.js';
import { badRequest, invalidError } from '../../apimachinery/status.js';
import { type Clock, rfc3339 } from '../../clock.js';
import type { KubeObject, ObjectStore } from '../../storage/store.js';
import { serviceAccountGroups, serviceAccountUsername, type UserInfo } from '../user.js';

/** kubeadm's default `--service-account-issuer`, also the default API audience. */
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';
export const SERVICE_ACCOUNT_TOKEN_TYPE = 'kubernetes.io/service-account-token';
const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
const SA_UID_ANNOTATION = 'kubernetes.io/service-account.uid';
const DEFAULT_EXPIRATION_SECONDS = 3600;
/** token.go: "may not specify a duration less than 10 minutes". */
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

export type ServiceAccountTokenResult =
  | { readonly ok: true; readonly user: UserInfo }
  | { readonly ok: false; readonly reason: 'not-a-service-account-token' | string };

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class ServiceAccountTokens {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly keyId: string;

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: Clock,
    readonly issuer = SERVICE_ACCOUNT_ISSUER,
  ) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    // keyIDFromPublicKey: base64url(SHA-256(DER SubjectPublicKeyInfo)).
    this.keyId = b64url(createHash('sha256').update(pair.publicKey.export({ type: 'spki', format: 'der' })).digest());
  }

  /** TokenRequest for a stored ServiceAccount: validates the request body and returns the answered TokenRequest. */
  request(serviceAccount: KubeObject, body: unknown): KubeObject {
    if (!isRecord(body)) throw badRequest('expected a TokenRequest object');
    if (body.kind !== undefined && body.kind !== 'TokenRequest') throw badRequest(`no kind "${String(body.kind)}" for TokenRequest`);
    const spec = isRecord(body.spec) ? body.spec : {};
    const name = serviceAccount.metadata.name;
    const errs: FieldError[] = [];
    const expirationSeconds = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
    if (typeof expirationSeconds !== 'number' || !Number.isInteger(expirationSeconds)) errs.push(invalid('spec.expirationSeconds', String(expirationSeconds), 'must be an integer'));
    else if (expirationSeconds < MIN_EXPIRATION_SECONDS) errs.push(invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration less than 10 minutes'));
    else if (expirationSeconds > MAX_EXPIRATION_SECONDS) errs.push(invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
    const audiences = Array.isArray(spec.audiences) && spec.audiences.length > 0 ? spec.audiences : [this.issuer];
    if (!audiences.every((a): a is string => typeof a === 'string' && a.length > 0)) errs.push(invalid('spec.audiences', JSON.stringify(audiences), 'must be non-empty strings'));
    if (spec.boundObjectRef !== undefined && spec.boundObjectRef !== null) errs.push(invalid('spec.boundObjectRef', 'set', 'bound object references are not supported by this emulator'));
    if (errs.length) throw invalidError({ group: 'authentication.k8s.io', kind: 'TokenRequest' }, name, errs);

    const now = this.clock.now();
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + (expirationSeconds as number);
    const namespace = serviceAccount.metadata.namespace ?? '';
    const claims = {
      aud: audiences,
      exp,
      iat,
      iss: this.issuer,
      jti: randomUUID(),
      'kubernetes.io': { namespace, serviceaccount: { name, uid: serviceAccount.metadata.uid } },
      nbf: iat,
      sub: serviceAccountUsername(namespace, name),
    };
    return {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name, namespace, creationTimestamp: rfc3339(now) as unknown as Date },
      spec: { audiences, expirationSeconds, boundObjectRef: null },
      status: { token: this.sign(claims), expirationTimestamp: rfc3339(new Date(exp * 1000)) },
    };
  }

  private sign(claims: object): string {
    const input = `${b64url(JSON.stringify({ alg: 'ES256', kid: this.keyId }))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(input), { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    return `${input}.${b64url(signature)}`;
  }

  /** The ServiceAccount token authenticator; anything not signed by this issuer's key is not ours. */
  authenticate(token: string): ServiceAccountTokenResult {
    const parts = token.split('.');
    if (parts.length !== 3) return { ok: false, reason: 'not-a-service-account-token' };
    let header: unknown;
    let claims: unknown;
    try {
      header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'not-a-service-account-token' };
    }
    if (!isRecord(header) || header.alg !== 'ES256' || header.kid !== this.keyId || !isRecord(claims) || (claims.iss !== this.issuer && claims.iss !== LEGACY_ISSUER)) {
      return { ok: false, reason: 'not-a-service-account-token' };
    }
    const signed = verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key: this.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(parts[2]!, 'base64url'));
    if (!signed) return { ok: false, reason: 'invalid signature' };
    if (claims.iss === LEGACY_ISSUER) return this.authenticateLegacy(token, claims);
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(this.issuer)) return { ok: false, reason: 'token audiences is invalid for the target audiences' };
    if (typeof claims.exp !== 'number' || now >= claims.exp) return { ok: false, reason: 'service account token has expired' };
    if (typeof claims.nbf === 'number' && now < claims.nbf) return { ok: false, reason: 'service account token is not valid yet' };
    const k8s = isRecord(claims['kubernetes.io']) ? claims['kubernetes.io'] : {};
    const sa = isRecord(k8s.serviceaccount) ? k8s.serviceaccount : {};
    const namespace = typeof k8s.namespace === 'string' ? k8s.namespace : '';
    const name = typeof sa.name === 'string' ? sa.name : '';
    const stored = this.store.get('serviceaccounts', namespace, name);
    if (!stored) return { ok: false, reason: `service account ${namespace}/${name} has been deleted` };
    if (stored.metadata.uid !== sa.uid) return { ok: false, reason: `service account UID (${String(sa.uid)}) does not match service account UID in storage (${stored.metadata.uid ?? ''})` };
    return {
      ok: true,
      user: {
        name: serviceAccountUsername(namespace, name),
        uid: stored.metadata.uid,
        groups: serviceAccountGroups(namespace),
        extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${String(claims.jti)}`] },
      },
    };
  }

  /** The tokens controller's work for one Secret; returns what to write (or delete), nothing when done. */
  fillTokenSecret(secret: KubeObject, caPem: string): { readonly action: 'update'; readonly secret: KubeObject } | { readonly action: 'delete' } | undefined {
    if (secret['type'] !== SERVICE_ACCOUNT_TOKEN_TYPE) return undefined;
    const namespace = secret.metadata.namespace ?? '';
    const annotations = secret.metadata.annotations ?? {};
    const sa = this.store.get('serviceaccounts', namespace, annotations[SA_NAME_ANNOTATION] ?? '');
    if (!sa || (annotations[SA_UID_ANNOTATION] !== undefined && annotations[SA_UID_ANNOTATION] !== sa.metadata.uid)) return { action: 'delete' };
    const data = isRecord(secret['data']) ? (secret['data'] as Record<string, string>) : {};
    if (typeof data['token'] === 'string' && data['token'].length > 0) return undefined;
    const claims = {
      iss: LEGACY_ISSUER,
      'kubernetes.io/serviceaccount/namespace': namespace,
      'kubernetes.io/serviceaccount/secret.name': secret.metadata.name,
      'kubernetes.io/serviceaccount/service-account.name': sa.metadata.name,
      'kubernetes.io/serviceaccount/service-account.uid': sa.metadata.uid,
      sub: serviceAccountUsername(namespace, sa.metadata.name),
    };
    const filled = structuredClone(secret);
    filled.metadata.annotations = { ...annotations, [SA_UID_ANNOTATION]: sa.metadata.uid ?? '' };
    filled['data'] = {
      ...data,
      'ca.crt': Buffer.from(caPem).toString('base64'),
      namespace: Buffer.from(namespace).toString('base64'),
      token: Buffer.from(this.sign(claims)).toString('base64'),
    };
    return { action: 'update', secret: filled };
  }

  /** pkg/serviceaccount/legacy.go: the Secret must still hold this token, the ServiceAccount its UID. */
  private authenticateLegacy(token: string, claims: Record<string, unknown>): ServiceAccountTokenResult {
    const claim = (name: string): string => (typeof claims[`kubernetes.io/serviceaccount/${name}`] === 'string' ? (claims[`kubernetes.io/serviceaccount/${name}`] as string) : '');
    const namespace = claim('namespace');
    const secret = this.store.get('secrets', namespace, claim('secret.name'));
    if (!secret || secret.metadata.deletionTimestamp) return { ok: false, reason: `secret ${namespace}/${claim('secret.name')} has been deleted` };
    const stored = isRecord(secret['data']) && typeof secret['data']['token'] === 'string' ? Buffer.from(secret['data']['token'], 'base64').toString('utf8') : '';
    if (stored !== token) return { ok: false, reason: 'token does not match the token in its secret' };
    const sa = this.store.get('serviceaccounts', namespace, claim('service-account.name'));
    if (!sa || sa.metadata.uid !== claim('service-account.uid')) return { ok: false, reason: `service account ${namespace}/${claim('service-account.name')} has been deleted or recreated` };
    return { ok: true, user: { name: serviceAccountUsername(namespace, sa.metadata.name), uid: sa.metadata.uid, groups: serviceAccountGroups(namespace) } };
  }
}
