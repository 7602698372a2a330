import { freePort } from '../support/ports';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { RunningApp, startApp } from '../support/test-app';
import { SpaProcess, startSpaProcess } from './spa-process';

/** The origin the service allows by default (CORS_ORIGINS unset), where `npm run spa` serves the page. */
const ALLOWED_ORIGIN = 'http://localhost:3000';
const ARTIFACTS = join(__dirname, '..', '..', 'artifacts', 'browser');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** One request the API received, with the CORS headers it sent back. */
interface ApiExchange {
  method: string;
  path: string;
  origin: string | undefined;
  requestedHeaders: string | undefined;
  authorization: boolean;
  status: number;
  allowOrigin: string | undefined;
}

/** A CORS failure as Chromium reports it through the DevTools protocol. */
interface CorsFailure {
  url: string;
  corsError: string;
}


/** Records each request the API's HTTP server completes, with the status and CORS headers the browser received. */
function recordExchanges(server: Server): ApiExchange[] {
  const exchanges: ApiExchange[] = [];
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    response.once('finish', () => {
      const allowOrigin = response.getHeader('access-control-allow-origin');
      exchanges.push({
        method: request.method ?? '',
        path: request.url ?? '',
        origin: request.headers.origin,
        requestedHeaders: request.headers['access-control-request-headers'],
        authorization: request.headers.authorization !== undefined,
        status: response.statusCode,
        allowOrigin: allowOrigin === undefined ? undefined : String(allowOrigin),
      });
    });
  });
  return exchanges;
}

describe('example SPA in Chromium', () => {
  let keyDirectory: string;
  let service: RunningApp;
  let exchanges: ApiExchange[];
  let allowedSpa: SpaProcess;
  let disallowedSpa: SpaProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let corsFailures: CorsFailure[];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    keyDirectory = mkdtempSync(join(tmpdir(), 'spa-browser-'));
    const issuerPort = await freePort();
    service = await startApp({
      DEV_ISSUER_PORT: String(issuerPort),
      DEV_ISSUER_KEY_FILE: join(keyDirectory, 'signing-key.json'),
    });
    exchanges = recordExchanges(service.app.getHttpServer() as Server);

    const spaSettings = { SPA_API_URL: service.url, SPA_ISSUER_URL: `http://127.0.0.1:${issuerPort}` };
    allowedSpa = await startSpaProcess({ ...spaSettings, SPA_PORT: '3000' });
    disallowedSpa = await startSpaProcess({ ...spaSettings, SPA_PORT: '0' });

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
        // Keeps the browser on loopback: "localhost" goes to 127.0.0.1 and no other name resolves.
        '--host-resolver-rules=MAP localhost 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await allowedSpa?.stop();
    await disallowedSpa?.stop();
    await service?.close();
    rmSync(keyDirectory, { recursive: true, force: true });
  });

  // A new context per test starts with an empty preflight cache and no session.
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 900, height: 640 } });
    page = await context.newPage();
    corsFailures = [];
    const devtools = await context.newCDPSession(page);
    const urlOfRequest = new Map<string, string>();
    devtools.on('Network.requestWillBeSent', (event) => urlOfRequest.set(event.requestId, event.request.url));
    devtools.on('Network.loadingFailed', (event) => {
      if (event.corsErrorStatus !== undefined) {
        corsFailures.push({ url: urlOfRequest.get(event.requestId) ?? '', corsError: event.corsErrorStatus.corsError });
      }
    });
    await devtools.send('Network.enable');
    exchanges.length = 0;
  });

  afterEach(async () => {
    await context.close();
  });

  async function open(origin: string): Promise<void> {
    await page.goto(`${origin}/`);
    await page.waitForSelector('body[data-ready="true"]');
  }

  async function logIn(): Promise<void> {
    await page.click('#login');
    await page.waitForSelector('#call-with-token:not([disabled])');
  }

  async function resultOf(button: string): Promise<{ outcome: string | undefined; text: string }> {
    // The project compiles without the DOM library, so the page-side code is passed as a string.
    await page.evaluate("delete document.getElementById('result').dataset.outcome");
    await page.click(button);
    const result = await page.waitForSelector('#result[data-outcome]');
    return { outcome: await result.getAttribute('data-outcome') ?? undefined, text: await result.innerText() };
  }

  function apiCalls(origin: string, method: string): ApiExchange[] {
    return exchanges.filter((exchange) => exchange.origin === origin && exchange.method === method && exchange.path === '/api/external');
  }

  it('shows success after login from allowed origin', async () => {
    await open(ALLOWED_ORIGIN);
    await logIn();

    const result = await resultOf('#call-with-token');
    await page.screenshot({ path: join(ARTIFACTS, 'spa-allowed-origin.png'), fullPage: true });

    expect(result.outcome).toBe('success');
    expect(result.text).toBe('200 Your Access Token was successfully validated!');
    expect(corsFailures).toEqual([]);
  });

  it('passes preflight from allowed origin', async () => {
    await open(ALLOWED_ORIGIN);
    await logIn();

    await resultOf('#call-with-token');

    const [preflight] = apiCalls(ALLOWED_ORIGIN, 'OPTIONS');
    expect(apiCalls(ALLOWED_ORIGIN, 'OPTIONS')).toHaveLength(1);
    expect(preflight.requestedHeaders).toBe('authorization');
    expect(preflight.status).toBe(204);
    expect(preflight.allowOrigin).toBe(ALLOWED_ORIGIN);
    // The browser sends the real request only after it accepted the preflight.
    const calls = apiCalls(ALLOWED_ORIGIN, 'GET');
    expect(calls).toHaveLength(1);
    expect(calls[0].authorization).toBe(true);
    expect(calls[0].status).toBe(200);
  });

  it('shows 401 message without token', async () => {
    await open(ALLOWED_ORIGIN);
    const before = service.logs.lines.length;

    const result = await resultOf('#call-without-token');

    expect(result.outcome).toBe('rejected');
    // The challenge is readable only because the API lists WWW-Authenticate in Access-Control-Expose-Headers.
    expect(result.text).toBe('401 unauthorized: An access token is required\nWWW-Authenticate: Bearer realm="api"');
    expect(apiCalls(ALLOWED_ORIGIN, 'OPTIONS')).toHaveLength(0);
    expect(apiCalls(ALLOWED_ORIGIN, 'GET')).toEqual([expect.objectContaining({ status: 401, authorization: false, allowOrigin: ALLOWED_ORIGIN })]);
    expect(service.logs.lines.slice(before).join('\n')).toContain('reason=token_missing');
  });

  it('blocks token call from disallowed origin', async () => {
    const origin = `http://127.0.0.1:${disallowedSpa.port}`;
    await open(origin);
    await logIn();

    const result = await resultOf('#call-with-token');
    await page.screenshot({ path: join(ARTIFACTS, 'spa-disallowed-origin.png'), fullPage: true });

    expect(result.outcome).toBe('blocked');
    expect(apiCalls(origin, 'OPTIONS')).toEqual([expect.objectContaining({ allowOrigin: undefined })]);
    // The browser stopped at the preflight, so the token never reached the API.
    expect(apiCalls(origin, 'GET')).toEqual([]);
    expect(corsFailures).toEqual([{ url: `${service.url}/api/external`, corsError: 'PreflightMissingAllowOriginHeader' }]);
  });

  it('hides simple response from disallowed origin', async () => {
    const origin = `http://127.0.0.1:${disallowedSpa.port}`;
    await open(origin);

    const result = await resultOf('#call-without-token');

    expect(result.outcome).toBe('blocked');
    // A GET without Authorization needs no preflight. The API returns 401, but the browser hides the response from the page.
    expect(apiCalls(origin, 'GET')).toEqual([expect.objectContaining({ status: 401, allowOrigin: undefined })]);
    expect(corsFailures).toEqual([{ url: `${service.url}/api/external`, corsError: 'MissingAllowOriginHeader' }]);
  });
});
