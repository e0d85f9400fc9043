/**
 * `npm run cluster` — runs the Kubernetes API emulator (a development tool, see dev/cluster/README.md).
 * Flags: --port N (default 6443), --state-dir DIR (default .dev), --http (plain HTTP),
 * --host ADDR (default 127.0.0.1), --jws-delay MS (bootstrapsigner delay).
 * Prints the CA path, the admin kubeconfig path and the broker token (a dev credential of a dev
 * emulator; printing it is intended).
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { startCluster } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '6443' },
    'state-dir': { type: 'string', default: '.dev' },
    http: { type: 'boolean', default: false },
    host: { type: 'string', default: '127.0.0.1' },
    'jws-delay': { type: 'string', default: '0' },
  },
});

const cluster = await startCluster({
  port: Number(values.port),
  host: values.host,
  stateDir: values['state-dir'],
  tls: !values.http,
  bootstrapSignerDelayMs: Number(values['jws-delay']),
  onControllerError: (controller, key, err) => console.error(`controller ${controller}: ${key}: ${String(err)}`),
});

console.log(`Kubernetes API emulator (development tool) listening on ${cluster.url}`);
console.log(`CA certificate:     ${cluster.caPath}`);
console.log(`admin kubeconfig:   ${cluster.adminKubeconfigPath}`);
console.log(`broker kubeconfig:  ${cluster.brokerKubeconfigPath}`);
console.log(`broker token:       ${cluster.brokerToken}`);
console.log(`try: kubectl --kubeconfig ${cluster.adminKubeconfigPath} get csr`);

const shutdown = (): void => {
  void cluster.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
