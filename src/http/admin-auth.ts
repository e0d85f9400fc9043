import type { MiddlewareHandler } from 'hono';
import { createJwksKeySource, type KeySource } from '../attest/jwks/index.js';
import { verifyJwt } from '../attest/oidc/jwt.js';
import type { Config } from '../config.js';
import type { Clock, Fetch } from '../deps.js';
import type { Logger } from '../log.js';
import { problemResponse } from './problem.js';

/** Who made an admin request: the admin token, or a Cloudflare Access identity. */
export interface AdminPrincipal {
  method: 'bearer' | 'access';
  /** `admin-token`, or the Access JWT's email / service-token common name / sub. */
  subject: string;
}

export type AdminVariables = { admin: AdminPrincipal };

export interface AdminAuthOptions {
  /** ADMIN_TOKEN; undefined refuses every bearer token. */
  adminToken: string | undefined;
  /** Cloudflare Access (CF_ACCESS_TEAM_DOMAIN, CF_ACCESS_AUD); undefined refuses every Access JWT. */
  access: Config['adminAccess'];
  fetch: Fetch;
  clock: Clock;
  log: Logger;
  /** The Access JWKS source; default: `<team domain>/cdn-cgi/access/certs` through `fetch`. */
  accessKeys?: KeySource;
}

export const ACCESS_JWT_HEADER = 'cf-access-jwt-assertion';
const REALM = 'Bearer realm="kube-join-broker"';
const BEARER = /^Bearer +(\S+) *$/i;
// Access signs its application tokens with RS256 (Cloudflare Access docs, "Validate JWTs").
const ACCESS_ALGORITHMS = ['RS256'] as const;
const ACCESS_CLOCK_SKEW_SECONDS = 60;

const encoder = new TextEncoder();
const sha256 = async (text: string): Promise<Uint8Array> => new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));

/**
 * Constant-time comparison of a presented secret with the configured one. Both are hashed first,
 * so the comparison always runs over 32 bytes whatever their lengths, and the loop never exits
 * early: the response time says nothing about how much of a guess was right. (workerd also has
 * `crypto.subtle.timingSafeEqual`; Node, where the fast tests run, does not.)
 */
export async function secretsMatch(presented: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(presented), sha256(expected)]);
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

/** An identity claim of an Access JWT, shown in the audit as the actor. */
function accessSubject(claims: Readonly<Record<string, unknown>>): string {
  for (const name of ['email', 'common_name', 'sub']) {
    const value = claims[name];
    if (typeof value === 'string' && /^[^\p{Cc}]{1,256}$/u.test(value)) return `access:${value}`;
  }
  return 'access:unknown';
}

export function unauthorizedResponse(): Response {
  const response = problemResponse('unauthorized', { detail: 'Send Authorization: Bearer <ADMIN_TOKEN> (or a Cloudflare Access JWT).' });
  response.headers.set('www-authenticate', REALM);
  return response;
}

/**
 * The admin API's authentication. A request passes with `Authorization: Bearer <ADMIN_TOKEN>`
 * (compared in constant time) or, when Cloudflare Access is configured, with a valid
 * `Cf-Access-Jwt-Assertion` (RS256 from the team's JWKS, `iss` = the team domain exactly, `aud`
 * containing the application's AUD, `exp`/`iat`/`nbf` checked). Anything else is 401 problem+json
 * with `WWW-Authenticate`. Neither credential is ever logged: only which kind was presented.
 */
export function adminAuth(options: AdminAuthOptions): MiddlewareHandler<{ Variables: AdminVariables }> {
  const { adminToken, access, clock, log } = options;
  if (adminToken !== undefined && adminToken.length < 32) throw new Error('adminAuth: ADMIN_TOKEN must be at least 32 characters');
  const accessKeys =
    access === undefined ? undefined : options.accessKeys ?? createJwksKeySource({ uri: `${access.teamDomain}/cdn-cgi/access/certs`, fetch: options.fetch, clock });

  return async function adminAuth(c, next) {
    const authorization = c.req.header('authorization');
    const bearer = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
    if (bearer !== undefined && adminToken !== undefined && (await secretsMatch(bearer, adminToken))) {
      c.set('admin', { method: 'bearer', subject: 'admin-token' });
      return next();
    }
    const assertion = c.req.header(ACCESS_JWT_HEADER);
    let accessReason: string | undefined;
    if (assertion !== undefined && access !== undefined && accessKeys !== undefined) {
      const verified = await verifyJwt(
        assertion,
        { issuers: [access.teamDomain], audiences: [access.audience], algorithms: [...ACCESS_ALGORITHMS], clockSkewSeconds: ACCESS_CLOCK_SKEW_SECONDS },
        { keys: accessKeys, now: clock.now() },
      );
      if (verified.ok) {
        c.set('admin', { method: 'access', subject: accessSubject(verified.jwt.claims) });
        return next();
      }
      accessReason = verified.error.reason;
    }
    const presented = authorization === undefined ? 'none' : bearer === undefined ? 'other-scheme' : 'bearer';
    log.warn('admin.unauthorized', {
      method: c.req.method,
      path: c.req.path,
      presented,
      accessJwt: assertion === undefined ? 'none' : access === undefined ? 'not-configured' : (accessReason ?? 'invalid'),
      adminTokenConfigured: adminToken !== undefined,
    });
    return unauthorizedResponse();
  };
}
