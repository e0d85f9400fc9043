/**
 * Bootstrap-token Secret conventions: staging/src/k8s.io/cluster-bootstrap/token/api/types.go,
 * .../token/util/helpers.go and .../util/secrets/secrets.go. Pure functions of the Secret and `now`.
 */
import type { V1Secret } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';

export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_TOKEN_SECRET_PREFIX = 'bootstrap-token-';
export const BOOTSTRAP_USER_PREFIX = 'system:bootstrap:';
export const BOOTSTRAP_DEFAULT_GROUP = 'system:bootstrappers';
export const KUBEADM_DEFAULT_NODE_TOKEN_GROUP = 'system:bootstrappers:kubeadm:default-node-token';

/** BootstrapTokenPattern / BootstrapTokenIDPattern */
export const TOKEN_PATTERN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
export const TOKEN_ID_PATTERN = /^[a-z0-9]{6}$/;
/** secrets.go: `bootstrapGroupRegexp` */
const EXTRA_GROUP_PATTERN = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;
/** bootstrapsigner util.go `nameRegExp` */
const SECRET_NAME_PATTERN = /^bootstrap-token-([a-z0-9]{6})$/;

/** Decoded `data` value of a key, or '' when absent (secrets.go GetData). */
export function secretData(secret: V1Secret, key: string): string {
  const v = secret.data?.[key];
  return v === undefined ? '' : Buffer.from(v, 'base64').toString('utf8');
}

/** Raw bytes of a `data` value (for the constant-time compare). */
export function secretDataBytes(secret: V1Secret, key: string): Buffer {
  const v = secret.data?.[key];
  return v === undefined ? Buffer.alloc(0) : Buffer.from(v, 'base64');
}

/**
 * GetExpiration + HasExpired: no `expiration` ⇒ never; unparseable ⇒ expired; expired when
 * `exp - now <= 0`. Returns the remaining milliseconds (Infinity when it never expires).
 */
export function remainingLifetimeMs(secret: V1Secret, now: Date): number {
  const raw = secretData(secret, 'expiration');
  if (raw === '') return Number.POSITIVE_INFINITY;
  const exp = parseRfc3339(raw);
  if (exp === undefined) return 0;
  return exp.getTime() - now.getTime();
}

export const isExpired = (secret: V1Secret, now: Date): boolean => remainingLifetimeMs(secret, now) <= 0;

/** time.Parse(time.RFC3339, …): date, time, optional fraction, `Z` or ±hh:mm; strict field ranges. */
export function parseRfc3339(s: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return undefined;
  const t = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${sec}${frac ?? ''}${zone}`);
  if (Number.isNaN(t)) return undefined;
  const check = new Date(Date.UTC(Number(y), month - 1, day));
  if (check.getUTCDate() !== day) return undefined;
  return new Date(t);
}

/** GetGroups: `system:bootstrappers` plus extra groups, sorted and de-duplicated; any invalid ⇒ error. */
export function tokenGroups(secret: V1Secret): { ok: true; groups: string[] } | { ok: false; error: string } {
  const groups = new Set<string>([BOOTSTRAP_DEFAULT_GROUP]);
  const raw = secretData(secret, 'auth-extra-groups');
  if (raw !== '') {
    for (const g of raw.split(',')) {
      if (!EXTRA_GROUP_PATTERN.test(g)) return { ok: false, error: `bootstrap group "${g}" is invalid` };
      groups.add(g);
    }
  }
  return { ok: true, groups: [...groups].sort() };
}

/**
 * validateSecretForSigning (pkg/controller/bootstrap/util.go): the token id and secret of a Secret
 * the bootstrapsigner may sign with, or undefined. Deliberately no authentication-usage,
 * charset or deletionTimestamp check, as upstream.
 */
export function signingToken(secret: V1Secret, now: Date): { id: string; secret: string } | undefined {
  const m = SECRET_NAME_PATTERN.exec(secret.metadata?.name ?? '');
  if (!m) return undefined;
  const id = secretData(secret, 'token-id');
  if (id === '' || id !== m[1]) return undefined;
  const tokenSecret = secretData(secret, 'token-secret');
  if (tokenSecret === '') return undefined;
  if (isExpired(secret, now)) return undefined;
  if (secretData(secret, 'usage-bootstrap-signing') !== 'true') return undefined;
  return { id, secret: tokenSecret };
}

const TOKEN_CHARS = '0123456789abcdefghijklmnopqrstuvwxyz';

/** helpers.go randBytes: bytes ≥ 252 discarded, then `% 36`. */
export function randomTokenString(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b >= 252) continue;
      out += TOKEN_CHARS[b % 36];
      if (out.length === length) break;
    }
  }
  return out;
}

export const generateBootstrapToken = (): { id: string; secret: string; token: string } => {
  const id = randomTokenString(6);
  const secret = randomTokenString(16);
  return { id, secret, token: `${id}.${secret}` };
};
