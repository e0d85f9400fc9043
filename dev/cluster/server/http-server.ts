/**
 * The listening socket: HTTPS with the cluster-CA-signed serving certificate, asking for (but not
 * requiring) a client certificate so the x509 authenticator can check it against the cluster CA
 * (`requestCert: true, rejectUnauthorized: false`, as kube-apiserver's `--client-ca-file`
 * verification happens after the handshake); or plain HTTP for unit tests. Open sockets are
 * tracked so `close()` ends keep-alive connections and watches at once, and the `refuse` fault
 * can drop new connections.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface ListeningServer {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}

export interface ServerOptions {
  readonly host: string;
  readonly port: number;
  readonly tls?: { readonly certPem: string; readonly keyPem: string; readonly caPem: string };
  readonly refuseConnections: () => boolean;
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
}

export async function listen(opts: ServerOptions): Promise<ListeningServer> {
  const server: Server = opts.tls
    ? createHttpsServer(
        { cert: opts.tls.certPem, key: opts.tls.keyPem, ca: [opts.tls.caPem], requestCert: true, rejectUnauthorized: false },
        opts.handler,
      )
    : createHttpServer(opts.handler);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    if (opts.refuseConnections()) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections?.();
      }),
  };
}
