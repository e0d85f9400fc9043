/**
 * The API server address nodes use, in the two spellings the join needs. No I/O.
 */
import { RenderError } from './errors.js';

/** An API server address, checked once and spelled for each consumer. */
export interface ApiServerAddress {
  /** `https://host[:port]`, no trailing slash: a kubeconfig `server`. */
  readonly url: string;
  /** `host:port` (IPv6 in brackets, port defaulted to 443): what `kubeadm join` and `apiServerEndpoint` take. */
  readonly endpoint: string;
}

/**
 * Parses the API server URL nodes will use. Only `https://host[:port]` is accepted: kubeadm's
 * endpoint form cannot carry a path, and a scheme other than https would send the bootstrap token
 * in clear or to a server whose certificate the pinned CA never checks.
 *
 * @throws {RenderError} `invalid_api_server`.
 */
export function parseApiServer(apiServer: string): ApiServerAddress {
  // One join renders the same address three times (bundle, kubeconfig, join command), and every
  // join of an isolate the same one: the last answer is kept (a pure function of its input).
  if (last?.apiServer === apiServer) return last.address;
  const address = parse(apiServer);
  last = { apiServer, address };
  return address;
}

let last: { readonly apiServer: string; readonly address: ApiServerAddress } | undefined;

function parse(apiServer: string): ApiServerAddress {
  let url: URL;
  try {
    url = new URL(apiServer);
  } catch {
    throw new RenderError('invalid_api_server', 'apiServer is not a URL');
  }
  if (url.protocol !== 'https:') throw new RenderError('invalid_api_server', 'apiServer must use https');
  if (url.username !== '' || url.password !== '') {
    throw new RenderError('invalid_api_server', 'apiServer must not carry credentials');
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || /[?#]/.test(apiServer)) {
    throw new RenderError('invalid_api_server', 'apiServer must have no path, query or fragment');
  }
  return Object.freeze({ url: url.origin, endpoint: `${url.hostname}:${url.port === '' ? '443' : url.port}` });
}
