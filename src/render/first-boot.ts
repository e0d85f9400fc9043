/**
 * What a machine calls at first boot to join through the broker: its cloud's metadata service for
 * the identity document, then the broker. No I/O. Shared by the cloud-init join program and the
 * README one-liners, so both call exactly the same URLs.
 *
 * Trust: the broker URL and the GCP audience are configuration, yet they end up inside shell text
 * that runs as root on every new node. They are checked here (the URL) or percent-encoded (the
 * audience), and the renderers still pass every one of them through `shellQuote`.
 */
import { RenderError } from './errors.js';
import { JOIN_SCRIPT_MODES, type JoinScriptMode } from './script.js';

/**
 * The clouds whose metadata service a first-boot program can ask for a signed identity document.
 * Generic OIDC has no well-known token source on the machine, so it has no first-boot program:
 * whatever issues the JWT posts it to `/v1/join/oidc` itself.
 */
export type FirstBootProvider = 'aws' | 'gcp' | 'azure';

/** Every {@link FirstBootProvider}, for validating a `provider` query parameter. */
export const FIRST_BOOT_PROVIDERS: readonly FirstBootProvider[] = ['aws', 'gcp', 'azure'];

/** How each cloud's metadata service serves the identity document (production values). */
export const METADATA_SERVICE = {
  aws: {
    origin: 'http://169.254.169.254',
    /** IMDSv2: `PUT` here with the TTL header returns the session token. */
    tokenPath: '/latest/api/token',
    tokenTtlHeader: 'X-aws-ec2-metadata-token-ttl-seconds',
    tokenHeader: 'X-aws-ec2-metadata-token',
    /** The PKCS7 (RSA-2048) of the instance identity document, base64, as the broker accepts it. */
    documentPath: '/latest/dynamic/instance-identity/rsa2048',
  },
  gcp: {
    origin: 'http://metadata.google.internal',
    header: 'Metadata-Flavor: Google',
    /** `?audience=<aud>&format=full`: the full format carries the `google.compute_engine` claims. */
    documentPath: '/computeMetadata/v1/instance/service-accounts/default/identity',
  },
  azure: {
    origin: 'http://169.254.169.254',
    header: 'Metadata: true',
    /**
     * Attested data; `nonce` is added by the program. 2020-09-01 is a supported IMDS version
     * that signs `nonce`, `vmId`, `subscriptionId`, `sku` and `timeStamp` (and `licenseType`).
     */
    documentPath: '/metadata/attested/document?api-version=2020-09-01',
  },
} as const;

/** The media type each provider's document is posted with (the broker reads the body either way). */
export const DOCUMENT_MEDIA_TYPE: { readonly [P in FirstBootProvider]: string } = {
  aws: 'text/plain',
  gcp: 'application/jwt',
  azure: 'application/json',
};

/** The checked URLs a first-boot program uses. */
export interface FirstBootEndpoints {
  /** The broker as configured, without a trailing slash: also the default GCP audience. */
  readonly broker: string;
  /** `POST`: the join, answered with the join script. */
  readonly join: string;
  /** `POST`: an Azure nonce (`{ "nonce": … }`). */
  readonly nonce: string;
  /** GCP only: path and query of the identity token request on the metadata service. */
  readonly gcpIdentityPath: string;
}

export interface FirstBootEndpointOptions {
  readonly provider: FirstBootProvider;
  /** The broker's public URL (PUBLIC_URL). */
  readonly brokerUrl: string;
  /** Sent as `mode=`; absent: the broker's default. */
  readonly mode?: JoinScriptMode;
  /** The audience the broker's GCP verifier expects. Default: `broker` (as the verifier's default). */
  readonly gcpAudience?: string;
}

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** A DNS name or IPv4 address as the URL parser leaves it (lower case, punycode), or an IPv6 literal. */
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])$/;
/** Printable ASCII without blanks: the URL parser would silently drop tabs and newlines, and trim blanks. */
const URL_TEXT = /^[\x21-\x7e]+$/;
const MAX_AUDIENCE_LENGTH = 2048;

const invalidUrl = (message: string): RenderError => new RenderError('invalid_broker_url', message);

/**
 * Checks the broker URL: `https://host[:port][/path]`, or `http://` to a loopback host for local
 * development; no credentials (they would sit in user-data, readable through the metadata
 * service by every process on the node), no query or fragment (the program appends paths), and
 * a host that is a DNS name or an IP address. Returns it without a trailing slash.
 *
 * @throws {RenderError} `invalid_broker_url`.
 */
export function parseBrokerUrl(brokerUrl: string): string {
  if (!URL_TEXT.test(brokerUrl)) throw invalidUrl('brokerUrl must be printable ASCII without blanks');
  let url: URL;
  try {
    url = new URL(brokerUrl);
  } catch {
    throw invalidUrl('brokerUrl is not a URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    throw invalidUrl('brokerUrl must use https (http only to a loopback host)');
  }
  if (url.username !== '' || url.password !== '') throw invalidUrl('brokerUrl must not carry credentials');
  if (/[?#]/.test(url.href)) throw invalidUrl('brokerUrl must have no query or fragment');
  if (!HOST.test(url.hostname)) throw invalidUrl('brokerUrl must name its host by a DNS name or an IP address');
  return url.href.replace(/\/$/, '');
}

/**
 * The URLs a first-boot program for `provider` calls.
 *
 * @throws {RenderError} `invalid_broker_url`; `invalid_gcp_audience` for an empty or overlong
 *   audience; `unrepresentable_value` for an audience holding an unpaired surrogate.
 */
export function firstBootEndpoints(options: FirstBootEndpointOptions): FirstBootEndpoints {
  if (!Object.hasOwn(METADATA_SERVICE, options.provider)) throw new TypeError('unknown first-boot provider');
  if (options.mode !== undefined && !JOIN_SCRIPT_MODES.includes(options.mode)) throw new TypeError('unknown join script mode');
  const broker = parseBrokerUrl(options.brokerUrl);
  const audience = options.gcpAudience ?? broker;
  if (audience.length === 0 || audience.length > MAX_AUDIENCE_LENGTH) {
    throw new RenderError('invalid_gcp_audience', `gcpAudience must have 1 to ${MAX_AUDIENCE_LENGTH} characters`);
  }
  let encodedAudience: string;
  try {
    encodedAudience = encodeURIComponent(audience);
  } catch {
    throw new RenderError('unrepresentable_value', 'gcpAudience contains an unpaired surrogate');
  }
  const query = options.mode === undefined ? 'format=script' : `format=script&mode=${options.mode}`;
  return {
    broker,
    join: `${broker}/v1/join/${options.provider}?${query}`,
    nonce: `${broker}/v1/nonce`,
    gcpIdentityPath: `${METADATA_SERVICE.gcp.documentPath}?audience=${encodedAudience}&format=full`,
  };
}
