/**
 * The authentication chain of the API server, in upstream order
 * (pkg/kubeapiserver/authenticator/config.go): x509 client certificate, then bearer token
 * (static tokens, then ServiceAccount tokens, then bootstrap tokens), then anonymous. Union semantics
 * (staging/src/k8s.io/apiserver/pkg/authentication/request/union): the first success wins; if
 * nothing succeeds but something failed (a presented but rejected token, a client certificate not
 * from the cluster CA) the request is 401 — it never falls back to anonymous
 * (.../request/bearertoken/bearertoken.go "invalid bearer token"). Only a request with no
 * credentials at all is `system:anonymous`. Authenticated users also get `system:authenticated`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { ClusterCA } from '../../pki/ca.js';
import type { ObjectStore } from '../../storage/store.js';
import { anonymousUser, AUTHENTICATED_GROUP, type UserInfo } from '../user.js';
import { authenticateBootstrapToken } from './bootstrap-token.js';
import type { ServiceAccountTokens } from './serviceaccount-token.js';

export type AuthenticationResult =
  | { readonly ok: true; readonly user: UserInfo; readonly method: 'x509' | 'token' | 'serviceaccount-token' | 'bootstrap-token' | 'anonymous' }
  | { readonly ok: false; readonly reason: string };

export interface Credentials {
  readonly authorization?: string;
  readonly clientCertificate?: Uint8Array;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export class Authenticator {
  private readonly staticTokens: { digest: Buffer; user: UserInfo }[];

  constructor(
    staticTokens: ReadonlyMap<string, UserInfo>,
    private readonly store: ObjectStore,
    private readonly clock: Clock,
    private readonly ca: ClusterCA | undefined,
    private readonly serviceAccountTokens?: ServiceAccountTokens,
  ) {
    this.staticTokens = [...staticTokens].map(([token, user]) => ({ digest: digest(token), user }));
  }

  private withAuthenticatedGroup(user: UserInfo): UserInfo {
    return user.groups.includes(AUTHENTICATED_GROUP) ? user : { ...user, groups: [...user.groups, AUTHENTICATED_GROUP] };
  }

  private staticToken(token: string): UserInfo | undefined {
    const d = digest(token);
    let found: UserInfo | undefined;
    for (const t of this.staticTokens) if (timingSafeEqual(t.digest, d)) found = t.user;
    return found;
  }

  async authenticate(creds: Credentials): Promise<AuthenticationResult> {
    const failures: string[] = [];
    if (creds.clientCertificate && creds.clientCertificate.length > 0) {
      if (!this.ca) failures.push('x509: client certificates are not accepted');
      else {
        const r = await this.ca.verifyClientCertificate(creds.clientCertificate, this.clock.now());
        if (r.ok) {
          const cn = r.cert.subjectName.getField('CN');
          const user = { name: cn[cn.length - 1] ?? '', groups: r.cert.subjectName.getField('O') };
          return { ok: true, method: 'x509', user: this.withAuthenticatedGroup(user) };
        }
        failures.push(`verifying certificate failed: ${r.error}`);
      }
    }
    const header = (creds.authorization ?? '').trim();
    const parts = header.split(' ');
    if (parts.length >= 2 && parts[0]!.toLowerCase() === 'bearer' && parts[1]!.length > 0) {
      const token = parts[1]!;
      const user = this.staticToken(token);
      if (user) return { ok: true, method: 'token', user: this.withAuthenticatedGroup(user) };
      const sa = this.serviceAccountTokens?.authenticate(token);
      if (sa?.ok) return { ok: true, method: 'serviceaccount-token', user: this.withAuthenticatedGroup(sa.user) };
      if (sa && sa.reason !== 'not-a-service-account-token') {
        return { ok: false, reason: `invalid bearer token (${sa.reason})` };
      }
      const b = authenticateBootstrapToken(token, this.store, this.clock);
      if (b.ok) return { ok: true, method: 'bootstrap-token', user: this.withAuthenticatedGroup(b.user) };
      failures.push(b.reason === 'not-a-bootstrap-token' ? 'invalid bearer token' : `invalid bearer token (${b.reason})`);
    }
    if (failures.length > 0) return { ok: false, reason: failures.join('; ') };
    return { ok: true, method: 'anonymous', user: anonymousUser() };
  }
}
