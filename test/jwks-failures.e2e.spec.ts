import request from 'supertest';
import { JwksServer } from './support/jwks-server';
import { rsaKey } from './support/keys';
import { RunningApp, startApp } from './support/test-app';
import { TokenFactory } from './support/tokens';

const AUDIENCE = 'https://api.example.test';

describe('JWKS endpoint failures', () => {
  const signingKey = rsaKey('key-1');
  let jwks: JwksServer;
  let service: RunningApp;
  let tokens: TokenFactory;

  beforeEach(async () => {
    jwks = await new JwksServer().start();
    jwks.keys = [signingKey.jwk];
    service = await startApp({ AUTH_ISSUER_URL: jwks.issuer, AUTH_AUDIENCE: AUDIENCE, AUTH_JWKS_URI: jwks.jwksUri, AUTH_JWKS_TIMEOUT_MS: '300' });
    tokens = new TokenFactory(jwks.issuer, AUDIENCE, signingKey);
  });

  afterEach(async () => {
    jwks.handler = undefined;
    await service.close();
    await jwks.stop();
  });

  async function expectUnavailable(): Promise<void> {
    const response = await request(service.url).get('/api/external').set('Authorization', `Bearer ${tokens.token()}`);

    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('30');
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(response.body.error).toBe('temporarily_unavailable');
    expect(service.logs.find('reason=jwks_unavailable', `request_id=${response.headers['x-request-id']}`)).toHaveLength(1);
  }

  it('answers 503 when the endpoint returns 500', async () => {
    jwks.handler = (_request, response) => {
      response.writeHead(500).end('boom');
    };
    await expectUnavailable();
  });

  it('answers 503 when the endpoint returns HTML', async () => {
    jwks.handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
    };
    await expectUnavailable();
  });

  it('answers 503 when a response drips past the timeout', async () => {
    jwks.handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => response.write(' '), 100);
      response.on('close', () => clearInterval(timer));
    };
    await expectUnavailable();
  });

  it('answers 503 when the set has no usable keys', async () => {
    jwks.keys = [rsaKey('enc-only', { use: 'enc' }).jwk];
    await expectUnavailable();
  });
});
