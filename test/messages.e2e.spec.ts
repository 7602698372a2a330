import { ServiceFixture, startServiceWithJwks } from './support/service-fixture';
import { get, linesWithReason, rejectionLines } from './support/exchange';
import { JwksServer } from './support/jwks-server';
import { rsaKey } from './support/keys';
import { RunningApp } from './support/test-app';
import { TokenFactory } from './support/tokens';

const ADMIN_SCOPE = 'read:admin-messages';
const ADMIN_CHALLENGE = `Bearer realm="api", error="insufficient_scope", error_description="The access token lacks a scope this request requires: ${ADMIN_SCOPE}", scope="${ADMIN_SCOPE}"`;

describe('messages example routes', () => {
  const signingKey = rsaKey('key-1');
  let jwks: JwksServer;
  let service: RunningApp;
  let tokens: TokenFactory;

  let fixture: ServiceFixture;

  beforeAll(async () => {
    fixture = await startServiceWithJwks(signingKey);
    ({ jwks, service, tokens } = fixture);
  });

  afterAll(() => fixture.stop());

  function bearer(claims: Record<string, unknown> = {}): string {
    return `Bearer ${tokens.token({ claims })}`;
  }

  describe('GET /api/messages/public', () => {
    it('returns the message without a token', async () => {
      const exchange = await get(service, '/api/messages/public');

      expect(exchange.response.status).toBe(200);
      expect(exchange.response.body).toEqual({ text: 'This public message needs no access token.' });
      expect(exchange.response.headers['www-authenticate']).toBeUndefined();
      expect(rejectionLines(exchange)).toEqual([]);
    });

    it('ignores an invalid token', async () => {
      const exchange = await get(service, '/api/messages/public', 'Bearer not-a-jwt');

      expect(exchange.response.status).toBe(200);
      expect(exchange.response.headers['www-authenticate']).toBeUndefined();
      expect(rejectionLines(exchange)).toEqual([]);
    });
  });

  describe('GET /api/messages/protected', () => {
    it('challenges a request without a token', async () => {
      const exchange = await get(service, '/api/messages/protected');

      expect(exchange.response.status).toBe(401);
      expect(exchange.response.headers['www-authenticate']).toBe('Bearer realm="api"');
      expect(exchange.response.body.error).toBe('unauthorized');
      expect(linesWithReason(exchange, 'token_missing')).toHaveLength(1);
    });

    it('rejects an invalid token', async () => {
      const exchange = await get(service, '/api/messages/protected', bearer({ aud: 'https://other-api.example.test' }));

      expect(exchange.response.status).toBe(401);
      expect(exchange.response.headers['www-authenticate']).toBe(
        'Bearer realm="api", error="invalid_token", error_description="The access token is invalid or has expired"',
      );
      expect(linesWithReason(exchange, 'audience_mismatch')).toHaveLength(1);
    });

    it('returns the message with a valid token', async () => {
      const exchange = await get(service, '/api/messages/protected', bearer());

      expect(exchange.response.status).toBe(200);
      expect(exchange.response.body).toEqual({ text: 'This protected message needs a valid access token.' });
      expect(exchange.response.headers['www-authenticate']).toBeUndefined();
    });
  });

  describe('GET /api/messages/admin', () => {
    it.each([
      ['scope', { scope: `read:messages ${ADMIN_SCOPE}` }],
      ['scp as a string', { scp: `openid ${ADMIN_SCOPE}` }],
      ['scp as an array', { scp: ['openid', ADMIN_SCOPE] }],
      ['permissions', { permissions: [ADMIN_SCOPE] }],
    ])('accepts the scope from %s', async (_source, claims) => {
      const exchange = await get(service, '/api/messages/admin', bearer(claims));

      expect(exchange.response.status).toBe(200);
      expect(exchange.response.body).toEqual({ text: `This admin message needs an access token with ${ADMIN_SCOPE}.` });
    });

    it('forbids a token without the scope', async () => {
      const exchange = await get(service, '/api/messages/admin', bearer({ scope: 'read:messages', permissions: ['read:reports'] }));
      const { response } = exchange;

      expect(response.status).toBe(403);
      expect(response.headers['www-authenticate']).toBe(ADMIN_CHALLENGE);
      expect(response.body).toEqual({
        statusCode: 403,
        error: 'insufficient_scope',
        message: `The access token lacks a scope this request requires: ${ADMIN_SCOPE}`,
        requestId: response.headers['x-request-id'],
      });
      const lines = linesWithReason(exchange, 'insufficient_scope');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('status=403 kid="key-1"');
      expect(lines[0]).toContain(`iss=${JSON.stringify(jwks.issuer)}`);
    });

    it('challenges a request without a token', async () => {
      const exchange = await get(service, '/api/messages/admin');

      expect(exchange.response.status).toBe(401);
      expect(exchange.response.headers['www-authenticate']).toBe('Bearer realm="api"');
      expect(linesWithReason(exchange, 'token_missing')).toHaveLength(1);
    });
  });
});
