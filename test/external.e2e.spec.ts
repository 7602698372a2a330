import { ServiceFixture, startServiceWithJwks } from './support/service-fixture';
import request from 'supertest';
import { JwksServer } from './support/jwks-server';
import { rsaKey, signCompact } from './support/keys';
import { RunningApp } from './support/test-app';
import { TokenFactory } from './support/tokens';

const SUCCESS = { msg: 'Your Access Token was successfully validated!' };
const INVALID_TOKEN_CHALLENGE = 'Bearer realm="api", error="invalid_token", error_description="The access token is invalid or has expired"';

describe('GET /api/external', () => {
  const signingKey = rsaKey('key-1');
  const strangerKey = rsaKey('key-1');
  let jwks: JwksServer;
  let service: RunningApp;
  let tokens: TokenFactory;

  let fixture: ServiceFixture;

  beforeAll(async () => {
    fixture = await startServiceWithJwks(signingKey);
    ({ jwks, service, tokens } = fixture);
  });

  afterAll(() => fixture.stop());

  /** Sends the request and returns the response together with the log lines it produced. */
  async function call(authorization?: string) {
    const before = service.logs.lines.length;
    let pending = request(service.url).get('/api/external');
    if (authorization !== undefined) {
      pending = pending.set('Authorization', authorization);
    }
    const response = await pending;
    return { response, logs: service.logs.lines.slice(before) };
  }

  async function expectRejected(authorization: string, reason: string): Promise<void> {
    const { response, logs } = await call(authorization);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
    expect(response.body).toEqual({
      statusCode: 401,
      error: 'invalid_token',
      message: 'The access token is invalid or has expired',
      requestId: response.headers['x-request-id'],
    });
    expect(logs.filter((line) => line.includes('access token rejected'))).toHaveLength(1);
    expect(logs.join('\n')).toContain(`reason=${reason} `);
    expect(logs.join('\n')).toContain(`request_id=${response.headers['x-request-id']}`);
    expect(logs.join('\n')).not.toContain(authorization.slice(7));
  }

  it('accepts a valid token', async () => {
    const { response } = await call(`Bearer ${tokens.token()}`);

    expect(response.status).toBe(200);
    expect(response.body).toEqual(SUCCESS);
    expect(response.headers['www-authenticate']).toBeUndefined();
  });

  it('challenges a request without Authorization header', async () => {
    const { response, logs } = await call();

    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="api"');
    expect(response.body.error).toBe('unauthorized');
    expect(logs.join('\n')).toContain('reason=token_missing');
  });

  it('challenges a wrong scheme without error code', async () => {
    const { response, logs } = await call(`Basic ${Buffer.from('user:password').toString('base64')}`);

    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="api"');
    expect(logs.join('\n')).toContain('reason=token_missing');
  });

  it('rejects a malformed token', async () => {
    await expectRejected('Bearer not-a-jwt', 'token_malformed');
  });

  it('rejects a bad signature', async () => {
    const [header, payload] = tokens.token().split('.');
    const forged = tokens.token({ claims: { sub: 'admin' } }).split('.')[2];
    await expectRejected(`Bearer ${header}.${payload}.${forged}`, 'signature_invalid');
  });

  it('rejects an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRejected(`Bearer ${tokens.token({ claims: { iat: now - 600, nbf: now - 600, exp: now - 60 } })}`, 'token_expired');
  });

  it('rejects a wrong audience', async () => {
    await expectRejected(`Bearer ${tokens.token({ claims: { aud: 'https://other-api.example.test' } })}`, 'audience_mismatch');
  });

  it('rejects a wrong issuer', async () => {
    await expectRejected(`Bearer ${tokens.token({ claims: { iss: 'https://evil.example.test/' } })}`, 'issuer_mismatch');
  });

  it('rejects an unknown kid', async () => {
    await expectRejected(`Bearer ${tokens.token({ header: { kid: 'no-such-key' } })}`, 'key_not_found');
  });

  it('rejects alg none', async () => {
    const unsigned = signCompact({ alg: 'none', typ: 'JWT', kid: 'key-1' }, JSON.parse(Buffer.from(tokens.token().split('.')[1], 'base64url').toString()), null);
    await expectRejected(`Bearer ${unsigned}`, 'algorithm_not_allowed');
  });

  it('rejects HS256 keyed with the RSA public key', async () => {
    const publicPem = Buffer.from(signingKey.publicKey.export({ format: 'pem', type: 'spki' }) as string);
    const claims = JSON.parse(Buffer.from(tokens.token().split('.')[1], 'base64url').toString());
    const confused = signCompact({ alg: 'HS256', typ: 'JWT', kid: 'key-1' }, claims, publicPem);
    await expectRejected(`Bearer ${confused}`, 'algorithm_not_allowed');
  });

  it('rejects a key that is not in the JWKS', async () => {
    await expectRejected(`Bearer ${tokens.token({ key: strangerKey })}`, 'signature_invalid');
  });

  it('allows a CORS preflight from the allowed origin', async () => {
    const response = await request(service.url)
      .options('/api/external')
      .set('Origin', 'http://localhost:3000')
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'authorization');

    expect(response.status).toBe(204);
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(response.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(response.headers['access-control-allow-headers']?.toLowerCase()).toContain('authorization');
  });

  it('gives a disallowed origin no CORS headers', async () => {
    const response = await request(service.url)
      .options('/api/external')
      .set('Origin', 'http://evil.example.test')
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'authorization');

    expect(response.status).toBe(204);
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('sends CORS headers on an allowed cross-origin GET', async () => {
    const response = await request(service.url)
      .get('/api/external')
      .set('Origin', 'http://localhost:3000')
      .set('Authorization', `Bearer ${tokens.token()}`);

    expect(response.status).toBe(200);
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(response.headers['access-control-allow-origin']).toBe('http://localhost:3000');
  });
});
