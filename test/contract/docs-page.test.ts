/**
 * The contract and its reference page as the built Worker serves them (workerd with the static
 * assets of wrangler.toml, through Miniflare), and the page as a browser shows it: headless
 * Chromium renders /docs and must list every operation of openapi.yaml, with every request it
 * makes going to the broker's own origin. The screenshot goes to test-artifacts/docs-page.png.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ENV } from '../fakes/deps.js';
import { run } from '../support/run.js';
import { startWorker, type RunningWorker } from '../worker/harness.js';
import { ContractValidator, openapiText, operations } from './openapi.js';

let worker: RunningWorker;
beforeAll(async () => {
  worker = await startWorker({ ...(TEST_ENV as Record<string, string>), KUBE_API_SERVER: 'https://127.0.0.1:9' });
});
afterAll(() => worker.dispose());

const contract = new ContractValidator();

describe('served by the Worker', () => {
  it('GET /openapi.yaml is openapi.yaml byte for byte, as application/yaml', async () => {
    const res = await worker.fetch('/openapi.yaml');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/yaml');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const text = await res.text();
    expect(text).toBe(openapiText);
    expect(contract.violations('GET', '/openapi.yaml', { status: res.status, headers: res.headers, text })).toEqual([]);
  });

  it('GET /docs is the reference page, whose CSP allows only this origin', async () => {
    const res = await worker.fetch('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none'; script-src 'self'; /);
    const text = await res.text();
    expect(contract.violations('GET', '/docs', { status: res.status, headers: res.headers, text })).toEqual([]);
    // Every script, stylesheet and icon the page names is a relative URL this origin serves.
    const references = [...text.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(references.length).toBeGreaterThanOrEqual(4);
    for (const reference of references) {
      expect(reference).not.toMatch(/^[a-z]+:|^\/\//i);
      const asset = await worker.fetch(new URL(reference, 'http://broker.test/docs').pathname);
      expect(asset.status, reference).toBe(200);
      await asset.arrayBuffer();
    }
  });

  it.each([
    ['GET', '/healthz', 200, 'application/json'],
    ['GET', '/v1/cloud-init?provider=aws', 200, 'text/cloud-config; charset=utf-8'],
    ['POST', '/v1/join/aws', 400, 'application/problem+json'],
    ['POST', '/openapi.yaml', 405, null],
    ['GET', '/_headers', 404, 'application/problem+json'],
    ['GET', '/docs.html', 404, 'application/problem+json'],
    ['GET', '/docs/nothing-here', 404, null],
  ])('%s %s → %i (%s): API paths reach the Worker, asset paths only the assets', async (method, path, status, contentType) => {
    const res = await worker.fetch(path, { method, ...(method === 'POST' ? { body: 'not a document' } : {}) });
    expect(res.status).toBe(status);
    if (contentType !== null) expect(res.headers.get('content-type')).toBe(contentType);
    await res.arrayBuffer();
  });
});

/** The URLs of the requests a page of `origin` started, from a Chromium net log (--log-net-log). */
function pageRequests(netLogPath: string, origin: string): string[] {
  const netLog = JSON.parse(readFileSync(netLogPath, 'utf8')) as {
    constants: { logEventTypes: Record<string, number> };
    events: { type: number; params?: { url?: string; initiator?: string } }[];
  };
  const startJob = netLog.constants.logEventTypes['URL_REQUEST_START_JOB'];
  return netLog.events.filter((event) => event.type === startJob && event.params?.initiator === origin).map((event) => event.params!.url!);
}

describe('with an invalid configuration', () => {
  let unconfigured: RunningWorker;
  beforeAll(async () => {
    unconfigured = await startWorker({ ...(TEST_ENV as Record<string, string>), JOIN_POLICY: 'pools: []' });
  });
  afterAll(() => unconfigured.dispose());

  it('still serves the contract and the page (static assets), while the API answers 503 not_configured', async () => {
    const contractResponse = await unconfigured.fetch('/openapi.yaml');
    expect(contractResponse.status).toBe(200);
    expect(await contractResponse.text()).toBe(openapiText);
    const page = await unconfigured.fetch('/docs');
    expect(page.status).toBe(200);
    await page.arrayBuffer();
    const api = await unconfigured.fetch('/v1/cloud-init?provider=aws');
    const text = await api.text();
    expect(JSON.parse(text)).toMatchObject({ code: 'not_configured' });
    expect(contract.violations('GET', '/v1/cloud-init', { status: api.status, headers: api.headers, text })).toEqual([]);
  });
});

describe('in headless Chromium', () => {
  let profile: string;
  beforeAll(() => {
    profile = mkdtempSync(join(tmpdir(), 'kjb-chromium-'));
  });
  afterAll(() => rmSync(profile, { recursive: true, force: true }));

  /**
   * Headless Chromium with a fresh profile each run. The browser itself still calls home (time,
   * component updates, accounts) despite the --disable-* flags, so every host name resolves to
   * nothing and every non-loopback request goes to a proxy on a closed loopback port: nothing
   * leaves the machine. Loopback (the Worker) bypasses the proxy.
   */
  const chromium = (dir: string, args: string[]) =>
    run('chromium', [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--proxy-server=http://127.0.0.1:1',
      '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
      `--user-data-dir=${mkdtempSync(join(profile, `${dir}-`))}`,
      '--virtual-time-budget=10000',
      ...args,
      new URL('/docs', worker.url).href,
    ]);

  it('renders every operation of openapi.yaml, requesting nothing outside the broker', async () => {
    const netLog = join(profile, 'net-log.json');
    const { code, stdout, stderr } = await chromium('dom', [`--log-net-log=${netLog}`, '--dump-dom']);
    expect(code, stderr).toBe(0);
    const rendered = [...stdout.matchAll(/<span class="opblock-summary-method">([A-Z]+)<\/span>.*?data-path="([^"]+)"/g)].map(([, method, path]) => `${method} ${path}`);
    const documented = operations().map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    expect(rendered.sort()).toEqual(documented.sort());
    // Chromium's net log: every request the page started (its initiator is the page's origin)
    // went to the Worker, and the page fetched the contract and Swagger UI from there.
    const fromPage = pageRequests(netLog, worker.url.origin);
    expect(fromPage.filter((url) => new URL(url).origin !== worker.url.origin)).toEqual([]);
    expect(fromPage.map((url) => new URL(url).pathname)).toEqual(expect.arrayContaining(['/openapi.yaml', '/docs/swagger-ui/swagger-ui-bundle.js', '/docs/swagger-ui/swagger-ui.css', '/docs/init.js']));
  });

  it('takes a screenshot for people: test-artifacts/docs-page.png', async () => {
    mkdirSync('test-artifacts', { recursive: true });
    const file = join(process.cwd(), 'test-artifacts', 'docs-page.png');
    const { code, stderr } = await chromium('shot', [`--screenshot=${file}`, '--window-size=1280,2000']);
    expect(code, stderr).toBe(0);
    expect(readFileSync(file).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });
});
