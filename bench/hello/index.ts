/**
 * The hello-world Hono Worker that the broker's start-up is compared with (bench/startup.ts):
 * same Hono version, same wrangler build (`minify`, nodejs_compat, same compatibility date).
 */
import { Hono } from 'hono';

const app = new Hono();
app.get('/', (c) => c.text('Hello Hono!'));
app.get('/healthz', (c) => c.json({ status: 'ok' }));

export default app;
