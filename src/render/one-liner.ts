/**
 * The shortest form of a first-boot join, for the README and for trying the broker by hand:
 * `curl <metadata> | curl --data-binary @- <broker> | sh`. No I/O.
 *
 * These have no retries, and a pipeline's status is its last command's: when the broker refuses,
 * `curl -f` prints the HTTP status and `sh` runs an empty script, which succeeds. Boots that must
 * not fail silently use the cloud-init document (cloud-init.ts), whose program retries, logs the
 * problem code and exits non-zero.
 */
import { DOCUMENT_MEDIA_TYPE, firstBootEndpoints, METADATA_SERVICE, type FirstBootEndpointOptions } from './first-boot.js';
import { shellJoin, shellQuote } from './shell.js';

/** Options of {@link renderJoinOneLiner}; without `mode` the broker's default (`kubeadm`) applies. */
export type JoinOneLinerOptions = FirstBootEndpointOptions;

const M = METADATA_SERVICE;

/**
 * Renders the one-line join for `provider`:
 * - `aws`: an IMDSv2 session token (PUT), the `rsa2048` document with it, posted to `/v1/join/aws`;
 * - `gcp`: the identity token for the broker's audience, `format=full`, posted to `/v1/join/gcp`;
 * - `azure`: a nonce from `/v1/nonce`, the attested document for it, posted to `/v1/join/azure`;
 * each answered with the join script, piped into `sh`.
 *
 * @throws {TypeError} for an unknown provider or mode.
 * @throws {RenderError} as `firstBootEndpoints` (first-boot.ts).
 */
export function renderJoinOneLiner(options: JoinOneLinerOptions): string {
  const endpoints = firstBootEndpoints(options);
  const post = (contentType?: string) =>
    shellJoin(['curl', '-fsS', ...(contentType === undefined ? [] : ['-H', `Content-Type: ${contentType}`]), '--data-binary', '@-', endpoints.join]);
  switch (options.provider) {
    case 'aws':
      return [
        `TOKEN=$(${shellJoin(['curl', '-fsS', '-X', 'PUT', '-H', `${M.aws.tokenTtlHeader}: 60`, `${M.aws.origin}${M.aws.tokenPath}`])})`,
        ` && curl -fsS -H "${M.aws.tokenHeader}: $TOKEN" ${shellQuote(`${M.aws.origin}${M.aws.documentPath}`)}`,
        ` | ${post()} | sh`,
      ].join('');
    case 'gcp':
      return `${shellJoin(['curl', '-fsS', '-H', M.gcp.header, `${M.gcp.origin}${endpoints.gcpIdentityPath}`])} | ${post()} | sh`;
    case 'azure':
      return [
        `NONCE=$(${shellJoin(['curl', '-fsS', '-d', '', endpoints.nonce])}`,
        ` | sed -n 's/.*"nonce" *: *"\\([0-9A-Za-z]*\\)".*/\\1/p')`,
        ` && curl -fsS -H ${shellQuote(M.azure.header)} --noproxy '*' "${M.azure.origin}${M.azure.documentPath}&nonce=$NONCE"`,
        ` | ${post(DOCUMENT_MEDIA_TYPE.azure)} | sh`,
      ].join('');
  }
}
