/**
 * The SNS path of the hook, I/O included: check the cheap things, get the signing certificate
 * from the source, verify. The only function here that awaits the network is the source's
 * `certificateFor`; `now` is passed in.
 */
import type { SnsCertificateSource } from './sns-certificate-source.js';
import type { SnsMessage } from './sns-message.js';
import { checkSnsMessagePrerequisites, verifySnsMessage, type SnsVerifyOptions, type VerifiedSnsMessage } from './sns-verify.js';
import type { HookResult } from './result.js';

/**
 * Authenticates `message`: (1) the checks that need no certificate (trusted topic, allowed
 * SigningCertURL, signature version, base64) — before any fetch, so a stranger's message never
 * makes the broker fetch anything; (2) the certificate comes from `certificates`; (3)
 * `verifySnsMessage` checks everything at `now`.
 * Never throws for any message; invalid `options` throw a LifecycleHookConfigError.
 */
export async function authenticateSnsMessage(
  message: SnsMessage,
  certificates: SnsCertificateSource,
  now: Date,
  options: SnsVerifyOptions,
): Promise<HookResult<VerifiedSnsMessage>> {
  const prerequisites = checkSnsMessagePrerequisites(message, options);
  if (!prerequisites.ok) return prerequisites;
  const certificate = await certificates.certificateFor(message.signingCertUrl);
  if (!certificate.ok) return certificate;
  return verifySnsMessage(message, certificate.value, now, options);
}
