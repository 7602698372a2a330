import request from 'supertest';
import { JwksServer, OAUTH_METADATA_PATH, OPENID_METADATA_PATH } from './support/jwks-server';
import { rsaKey } from './support/keys';
import { RunningApp, startApp } from './support/test-app';
import { TokenFactory } from './support/tokens';
import { sleep, waitFor } from './support/wait';

const AUDIENCE = 'https://api.example.test';
const INVALID_TOKEN_CHALLENGE = 'Bearer realm="api", error="invalid_token", error_description="The access token is invalid or has expired"';

/** Short settings so that expiry, cooldown and stale windows pass within a test. */
const FAST = { AUTH_JWKS_TIMEOUT_MS: '3000', AUTH_JWKS_COOLDOWN_MS: '200', AUTH_JWKS_CACHE_MAX_AGE_MS: '60000', AUTH_JWKS_STALE_WINDOW_MS: '60000' };

describe('signing key store', () => {
  const firstKey = rsaKey('key-1');
  const secondKey = rsaKey('key-2');
  let provider: JwksServer;
  let service: RunningApp | undefined;
  let tokens: TokenFactory;

  beforeEach(async () => {
    provider = await new JwksServer().start();
    provider.keys = [firstKey.jwk];
    provider.enableDiscovery();
    tokens = new TokenFactory(provider.issuer, AUDIENCE, firstKey);
  });

  afterEach(async () => {
    await service?.close();
    service = undefined;
    await provider.stop();
  });

  async function start(env: Record<string, string> = {}): Promise<RunningApp> {
    service = await startApp({ AUTH_ISSUER_URL: provider.issuer, AUTH_AUDIENCE: AUDIENCE, ...FAST, ...env });
    return service;
  }

  function get(token: string) {
    return request(service!.url).get('/api/external').set('Authorization', `Bearer ${token}`);
  }

  async function expectAccepted(token: string): Promise<void> {
    const response = await get(token);
    expect(response.status).toBe(200);
    expect(response.headers['www-authenticate']).toBeUndefined();
  }

  async function expectUnavailable(token: string): Promise<void> {
    const response = await get(token);
    expect(response.status).toBe(503);
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(service!.logs.find('reason=jwks_unavailable', `request_id=${response.headers['x-request-id']}`)).toHaveLength(1);
  }

  async function expectKeyNotFound(token: string): Promise<void> {
    const response = await get(token);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
    expect(service!.logs.find('reason=key_not_found', `request_id=${response.headers['x-request-id']}`)).toHaveLength(1);
  }

  function failureLogCount(): number {
    return service!.logs.find('JWKS fetch failed').length;
  }

  describe('discovery', () => {
    it('finds jwks_uri from OpenID metadata', async () => {
      await start();

      await expectAccepted(tokens.token());
      expect(provider.requests.get(OPENID_METADATA_PATH)).toBe(1);
      expect(service!.logs.find('JWKS keys loaded', provider.jwksUri)).toHaveLength(1);
    });

    it('falls back to RFC 8414 metadata', async () => {
      provider.oauthMetadata = provider.openIdMetadata;
      provider.openIdMetadata = undefined;
      await start();

      await expectAccepted(tokens.token());
      expect(provider.requests.get(OAUTH_METADATA_PATH)).toBe(1);
    });

    it('rejects metadata naming another issuer', async () => {
      provider.enableDiscovery({ issuer: 'https://evil.example.test/' });
      await start();

      await expectUnavailable(tokens.token());
      expect(provider.requestCount).toBe(0);
      expect(service!.logs.find('JWKS fetch failed', 'names issuer "https://evil.example.test/"')).toHaveLength(1);
    });

    it('rejects a plain-http jwks_uri on a public host', async () => {
      provider.enableDiscovery({ jwks_uri: 'http://keys.example.test/jwks' });
      await start();

      await expectUnavailable(tokens.token());
      expect(service!.logs.find('JWKS fetch failed', 'no usable "jwks_uri"')).toHaveLength(1);
    });

    it('skips discovery when AUTH_JWKS_URI is set', async () => {
      provider.openIdMetadata = undefined;
      await start({ AUTH_JWKS_URI: provider.jwksUri });

      await expectAccepted(tokens.token());
      expect(provider.requests.get(OPENID_METADATA_PATH)).toBeUndefined();
    });
  });

  describe('readiness', () => {
    it('is not ready until keys load, and live throughout', async () => {
      provider.handler = (_request, response) => {
        response.writeHead(503).end();
      };
      await start();
      await waitFor(() => failureLogCount() === 1, 'the first failed fetch');

      const notReady = await request(service!.url).get('/health/ready');
      const live = await request(service!.url).get('/health/live');
      expect(notReady.status).toBe(503);
      expect(notReady.headers['www-authenticate']).toBeUndefined();
      expect(notReady.body).toMatchObject({ statusCode: 503, error: 'not_ready' });
      expect(notReady.body.message).toMatch(/^No usable signing keys: .*HTTP 503/);
      expect(live.status).toBe(200);
      expect(live.headers['www-authenticate']).toBeUndefined();
      await expectUnavailable(tokens.token());

      provider.handler = undefined;
      await waitFor(async () => (await request(service!.url).get('/health/ready')).status === 200, 'readiness after the provider recovers');
      await expectAccepted(tokens.token());
      expect(service!.logs.find('JWKS fetch recovered')).toHaveLength(1);
    });

    it('reports ready with the loaded key ids', async () => {
      await start();

      await waitFor(async () => (await request(service!.url).get('/health/ready')).status === 200, 'readiness');
      const ready = await request(service!.url).get('/health/ready');
      expect(ready.body.info.signing_keys.keyIds).toEqual(['key-1']);
      expect(JSON.stringify(ready.body)).not.toContain(String((firstKey.jwk as { n: string }).n));
    });
  });

  describe('provider outages', () => {
    it('keeps using cached keys while the provider is down', async () => {
      await start({ AUTH_JWKS_CACHE_MAX_AGE_MS: '1000' });
      await expectAccepted(tokens.token());

      provider.handler = (request) => request.socket.destroy();
      await sleep(1_200);

      await expectAccepted(tokens.token());
      await expectAccepted(tokens.token());
      await waitFor(() => failureLogCount() === 1, 'the failure log line');
      expect(service!.logs.find('JWKS fetch failed', 'cached keys stay in use')).toHaveLength(1);
    });

    it('answers 503 once the stale window has passed', async () => {
      await start({ AUTH_JWKS_CACHE_MAX_AGE_MS: '1000', AUTH_JWKS_STALE_WINDOW_MS: '500' });
      await expectAccepted(tokens.token());

      provider.handler = (_request, response) => {
        response.writeHead(500).end('down');
      };
      await sleep(1_700);

      await expectUnavailable(tokens.token());
      const readiness = await request(service!.url).get('/health/ready');
      expect(readiness.status).toBe(503);
      expect(readiness.headers['www-authenticate']).toBeUndefined();
    });

    it('logs one failure per outage episode', async () => {
      provider.handler = (_request, response) => {
        response.writeHead(500).end('down');
      };
      await start();

      for (let attempt = 0; attempt < 5; attempt++) {
        await expectUnavailable(tokens.token());
        await sleep(250);
      }
      expect(provider.requestCount).toBeGreaterThanOrEqual(3);
      expect(failureLogCount()).toBe(1);
    });

    it.each([
      ['a 500 status', (response: import('node:http').ServerResponse) => response.writeHead(500).end('boom')],
      ['an HTML page', (response: import('node:http').ServerResponse) => response.writeHead(200, { 'content-type': 'text/html' }).end('<html>down</html>')],
      ['malformed JSON', (response: import('node:http').ServerResponse) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": [')],
      ['a set without keys', (response: import('node:http').ServerResponse) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": []}')],
      ['a JSON array', (response: import('node:http').ServerResponse) => response.writeHead(200, { 'content-type': 'application/json' }).end('[]')],
    ])('answers 503 for %s', async (_name, respond) => {
      provider.handler = (_request, response) => respond(response);
      await start();

      await expectUnavailable(tokens.token());
      expect(service!.logs.find('JWKS fetch failed')).toHaveLength(1);
    });

    it.each([
      ['only encryption keys', () => [rsaKey('enc-only', { use: 'enc' }).jwk]],
      ['only RSA keys under 2048 bits', () => [rsaKey('weak', { bits: 1024 }).jwk]],
    ])('answers 503 for a set with %s', async (_name, keys) => {
      provider.keys = keys();
      await start();

      await expectUnavailable(tokens.token());
      expect(service!.logs.find('JWKS fetch failed', 'signing key')).toHaveLength(1);
    });

    it('answers 503 when the provider is slower than the timeout', async () => {
      provider.handler = (_request, response) => {
        setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: provider.keys })), 3_000);
      };
      await start({ AUTH_JWKS_TIMEOUT_MS: '300' });

      const started = Date.now();
      await expectUnavailable(tokens.token());
      expect(Date.now() - started).toBeLessThan(2_500);
    });

    it('answers 503 when the provider drips bytes', async () => {
      provider.handler = (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        const timer = setInterval(() => response.write(' '), 50);
        response.on('close', () => clearInterval(timer));
      };
      await start({ AUTH_JWKS_TIMEOUT_MS: '300' });

      const started = Date.now();
      await expectUnavailable(tokens.token());
      expect(Date.now() - started).toBeLessThan(2_500);
    });
  });

  describe('rotation', () => {
    it('accepts a new key without restart', async () => {
      await start();
      await expectAccepted(tokens.token());

      provider.keys = [firstKey.jwk, secondKey.jwk];
      await sleep(250);

      await expectAccepted(tokens.token({ key: secondKey }));
    });

    it('rejects a removed key after refetch', async () => {
      await start({ AUTH_JWKS_CACHE_MAX_AGE_MS: '1000' });
      await expectAccepted(tokens.token());

      provider.keys = [secondKey.jwk];
      await sleep(1_100);
      await waitFor(() => service!.logs.find('JWKS keys loaded', '"key-2"').length > 0, 'the refreshed key set');

      await expectKeyNotFound(tokens.token());
      await expectAccepted(tokens.token({ key: secondKey }));
    });
  });

  describe('verified token cache', () => {
    it('does not outlive the token', async () => {
      await start({ AUTH_CLOCK_TOLERANCE: '0' });
      const shortLived = tokens.token({ claims: { exp: Math.floor(Date.now() / 1000) + 2 } });
      await expectAccepted(shortLived);
      await expectAccepted(shortLived);

      await sleep(2_100);

      const response = await get(shortLived);
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
      expect(service!.logs.find('reason=token_expired', `request_id=${response.headers['x-request-id']}`)).toHaveLength(1);
    });

    it('drops tokens whose key was removed', async () => {
      await start({ AUTH_JWKS_CACHE_MAX_AGE_MS: '1000' });
      const token = tokens.token();
      await expectAccepted(token);
      await expectAccepted(token);

      provider.keys = [secondKey.jwk];
      await waitFor(() => service!.logs.find('JWKS keys loaded', '"key-2"').length > 0, 'the refreshed key set');

      await expectKeyNotFound(token);
    });

    it('rejects a repeated bad token every time, logging each', async () => {
      await start();
      const forged = tokens.token({ key: rsaKey('key-1') });

      for (let attempt = 0; attempt < 3; attempt++) {
        const response = await get(forged);
        expect(response.status).toBe(401);
        expect(response.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
        expect(service!.logs.find('reason=signature_invalid', `request_id=${response.headers['x-request-id']}`)).toHaveLength(1);
      }
    });

    it('re-checks a rejected token once its key changes', async () => {
      await start({ AUTH_JWKS_CACHE_MAX_AGE_MS: '1000' });
      const rotated = rsaKey('key-1');
      const token = tokens.token({ key: rotated });
      const first = await get(token);
      expect(first.status).toBe(401);
      expect(first.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);

      provider.keys = [rotated.jwk];
      const loadsBefore = service!.logs.find('JWKS keys loaded').length;
      await waitFor(() => service!.logs.find('JWKS keys loaded').length > loadsBefore, 'the refreshed key set');

      await expectAccepted(token);
    });

    it('does not remember a token that is not valid yet', async () => {
      await start({ AUTH_CLOCK_TOLERANCE: '0' });
      const early = tokens.token({ claims: { nbf: Math.floor(Date.now() / 1000) + 2 } });
      const response = await get(early);
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
      expect(service!.logs.find('reason=token_not_yet_valid', `request_id=${response.headers['x-request-id']}`)).toHaveLength(1);

      await sleep(2_100);

      await expectAccepted(early);
    });

    it('can be turned off', async () => {
      await start({ AUTH_VERIFIED_TOKEN_CACHE_SIZE: '0' });
      const token = tokens.token();

      await expectAccepted(token);
      await expectAccepted(token);
    });
  });

  describe('load on the provider', () => {
    it('bounds fetches under a flood of unknown kids', async () => {
      await start({ AUTH_JWKS_COOLDOWN_MS: '60000' });
      await expectAccepted(tokens.token());
      const before = provider.requestCount;

      const responses = await Promise.all(
        Array.from({ length: 100 }, (_unused, index) => get(tokens.token({ header: { kid: `random-${index}` } }))),
      );

      for (const response of responses) {
        expect(response.status).toBe(401);
        expect(response.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
      }
      expect(provider.requestCount - before).toBeLessThanOrEqual(1);
      expect(service!.logs.find('reason=key_not_found')).toHaveLength(100);
    });

    it('shares one fetch among concurrent first requests', async () => {
      provider.handler = (_request, response) => {
        setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: provider.keys })), 150);
      };
      await start();

      const responses = await Promise.all(Array.from({ length: 30 }, () => get(tokens.token())));

      expect(responses.map((response) => response.status)).toEqual(Array(30).fill(200));
      expect(provider.requestCount).toBe(1);
    });
  });
});
