/**
 * Issue 2's promise to a new user: `npm start` serves the broker, offline, and
 * `GET /healthz` answers within 10 s. Runs the real command (tsx, the emulator, wrangler dev,
 * workerd) on free ports with its own state directory, then stops its whole process group.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

let pid: number | undefined;
afterAll(() => {
  if (pid !== undefined) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // already stopped
    }
  }
});

it('npm start serves GET /healthz within 10 s, and /readyz once the emulator answers', async () => {
  const [brokerPort, clusterPort, inspectorPort] = [await freePort(), await freePort(), await freePort()];
  const started = Date.now();
  const child = spawn('npm', ['start'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      KJB_STATE_DIR: join(mkdtempSync(join(tmpdir(), 'kjb-start-')), '.dev'),
      KJB_BROKER_PORT: String(brokerPort),
      KJB_CLUSTER_PORT: String(clusterPort),
      KJB_INSPECTOR_PORT: String(inspectorPort),
    },
  });
  pid = child.pid;
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));

  let health: Response | undefined;
  while (Date.now() - started < 10_000 && health === undefined) {
    health = await fetch(`http://127.0.0.1:${brokerPort}/healthz`).catch(() => undefined);
    if (health === undefined) await new Promise((r) => setTimeout(r, 100));
  }
  expect(health?.status, output).toBe(200);
  expect(await health!.json()).toEqual({ status: 'ok' });
  const ready = await fetch(`http://127.0.0.1:${brokerPort}/readyz`);
  expect(ready.status, output).toBe(200);
}, 30_000);
