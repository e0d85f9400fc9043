import type { AttestResult, NodeIdentity } from '../identity.js';
import type { KeySource } from '../jwks/key-source.js';
import { MAX_CLOCK_SKEW_SECONDS } from '../oidc/config.js';
import { verifyJwt } from '../oidc/jwt.js';
import { parseComputeEngineClaims } from './compute-engine.js';
import { GOOGLE_ALGORITHMS, GOOGLE_ISSUERS } from './google.js';

export interface GcpVerifyOptions {
  /** The expected `aud`: the audience the VM passed to the metadata server (the broker's public URL). */
  readonly audience: string;
  /** Google's keys: `createJwksKeySource({ uri: GOOGLE_JWKS_URI, … })`, or a static set in tests. */
  readonly keys: KeySource;
  readonly now: Date;
  /** Allowance for clock differences on `exp`/`iat`/`nbf`. Default 60 s, at most 300 s. */
  readonly clockSkewSeconds?: number;
}

/**
 * Verifies a Compute Engine instance identity token (`format=full`) and derives the machine
 * identity it proves. Never throws for any token; throws `RangeError` for a bad configuration.
 *
 * 1. Verify the JWT (`verifyJwt`): RS256 only (any other `alg`, including `none`, HS* and ES*, is
 *    `invalid_signature`), `crit` refused, exactly one Google key chosen by `kid`, signature.
 * 2. `iss` is one of Google's two documented issuer strings, compared exactly (`google.ts`).
 * 3. `aud` equals the configured audience exactly: the VM asked Google for a token *for this
 *    broker*; a token minted for any other service is refused (`invalid_claims`).
 * 4. `exp` and `iat` required, with `clockSkewSeconds` (`stale_document`). Google sets
 *    `exp = iat + 3600`, so a token is replayable for at most an hour; the ledger's one-join rule
 *    covers the rest.
 * 5. `google.compute_engine` must be present and well-formed (`invalid_claims`, naming `format=full`).
 * 6. Build the identity: account = project ID, region from the zone, instanceId = the numeric
 *    instance ID (stable across renames and stops, unlike the name), node name = instance name.
 */
export async function verifyGcpIdentityToken(jwt: string, options: GcpVerifyOptions): Promise<AttestResult> {
  const { audience, keys, now, clockSkewSeconds = 60 } = options;
  if (typeof audience !== 'string' || audience === '') throw new RangeError('verifyGcpIdentityToken: audience must be a non-empty string');
  if (!Number.isInteger(clockSkewSeconds) || clockSkewSeconds < 0 || clockSkewSeconds > MAX_CLOCK_SKEW_SECONDS) {
    throw new RangeError(`verifyGcpIdentityToken: clockSkewSeconds must be an integer in [0, ${MAX_CLOCK_SKEW_SECONDS}]`);
  }
  const verified = await verifyJwt(
    jwt,
    { issuers: GOOGLE_ISSUERS, audiences: [audience], algorithms: GOOGLE_ALGORITHMS, clockSkewSeconds },
    { keys, now },
  );
  if (!verified.ok) return verified;
  const { claims, issuedAt } = verified.jwt;

  const parsed = parseComputeEngineClaims(claims);
  if (!parsed.ok) return parsed;
  const vm = parsed.value;

  const attributes: Record<string, string> = {
    projectNumber: vm.projectNumber,
    instanceName: vm.instanceName,
    instanceCreationTimestamp: String(vm.instanceCreationTimestamp),
  };
  const { sub, email, email_verified: emailVerified } = claims;
  if (typeof sub === 'string' && sub.length <= 256) attributes['sub'] = sub;
  // The service account's email is policy-matchable only when Google marks it verified.
  if (typeof email === 'string' && email.length <= 256 && emailVerified === true) attributes['email'] = email;
  if (vm.licenseIds !== undefined) attributes['licenseIds'] = vm.licenseIds.join(',');

  const identity: NodeIdentity = {
    provider: 'gcp',
    account: vm.projectId,
    region: vm.region,
    zone: vm.zone,
    instanceId: vm.instanceId,
    issuedAt,
    attributes: Object.freeze(attributes),
    addresses: {
      // The token carries no IP address.
      ips: [],
      // The zonal internal DNS name, VM_NAME.ZONE.c.PROJECT_ID.internal
      // (https://cloud.google.com/compute/docs/internal-dns): derived only from signed claims and
      // unique per instance, since names are unique within a zone. The project-wide form
      // (VM_NAME.c.PROJECT_ID.internal, the default only for projects that enabled Compute Engine
      // before 2018-09-06) is not attested: with zonal DNS two VMs in different zones may share a
      // name, so the project-wide name would not identify this machine.
      dnsNames: [`${vm.instanceName}.${vm.zone}.c.${vm.projectId}.internal`],
    },
    defaultNodeName: vm.instanceName,
  };
  return { ok: true, identity };
}
