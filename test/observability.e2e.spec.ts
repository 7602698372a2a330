import { ServiceFixture, startServiceWithJwks } from './support/service-fixture';
import request from 'supertest';
import { JwksServer } from './support/jwks-server';
import { rsaKey } from './support/keys';
import { RunningApp, startApp } from './support/test-app';
import { TokenFactory } from './support/tokens';
import { sleep } from './support/wait';

const AUDIENCE = 'https://api.example.test';
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
/** Minimum time between JWKS refetches, in milliseconds; tests wait it out before each unknown `kid`. */
const COOLDOWN_MS = 100;

/** Returns the value of one sample in Prometheus text output, or 0 when the series does not exist yet. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('logging, metrics and documentation', () => {
  const signingKey = rsaKey('key-1');
  let jwks: JwksServer;
  let service: RunningApp;
  let tokens: TokenFactory;

  let fixture: ServiceFixture;

  beforeAll(async () => {
    fixture = await startServiceWithJwks(signingKey, { AUTH_JWKS_TIMEOUT_MS: '300', AUTH_JWKS_COOLDOWN_MS: String(COOLDOWN_MS) });
    ({ jwks, service, tokens } = fixture);
  });

  afterAll(() => fixture.stop());

  async function scrape(): Promise<string> {
    const response = await request(service.url).get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    return response.text;
  }

  describe('logs', () => {
    it('rejected request keeps reason and id, drops token', async () => {
      const now = Math.floor(Date.now() / 1000);
      const token = tokens.token({ claims: { iat: now - 600, nbf: now - 600, exp: now - 60 } });
      const before = service.logs.raw.length;

      const response = await request(service.url).get('/api/external').set('Authorization', `Bearer ${token}`).set('Cookie', 'session=cookie-secret');

      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
      const requestId = response.headers['x-request-id'];
      const raw = service.logs.raw.slice(before);
      const records = service.logs.records.slice(before);

      const rejection = records.filter((record) => record.context === 'Authentication');
      expect(rejection).toHaveLength(1);
      expect(rejection[0].msg).toContain('reason=token_expired ');
      expect(rejection[0].msg).toContain(`request_id=${requestId}`);
      expect(rejection[0].requestId).toBe(requestId);

      const completed = records.filter((record) => record.msg === 'request completed');
      expect(completed).toHaveLength(1);
      expect(completed[0]).toMatchObject({
        requestId,
        route: '/api/external',
        req: { method: 'GET', url: '/api/external' },
        res: { statusCode: 401 },
        auth: 'rejected',
        authReason: 'token_expired',
      });
      expect(typeof completed[0].durationMs).toBe('number');

      const output = raw.join('\n');
      expect(output).not.toContain(token);
      expect(output).not.toContain(token.split('.')[2]);
      expect(output).not.toContain('cookie-secret');
      expect(output.toLowerCase()).not.toContain('authorization');
    });

    it('query token is redacted from the logged URL', async () => {
      const token = tokens.token();
      const before = service.logs.raw.length;

      const response = await request(service.url).get(`/api/external?access_token=${token}&page=2`).set('Authorization', `Bearer ${token}`);

      expect(response.status).toBe(400);
      expect(response.headers['www-authenticate']).toContain('error="invalid_request"');
      const output = service.logs.raw.slice(before).join('\n');
      expect(output).toContain('/api/external?access_token=[Redacted]&page=2');
      expect(output).not.toContain(token);
      expect(service.logs.find('reason=', `request_id=${response.headers['x-request-id']}`)).toHaveLength(1);
    });

    it('reuses the caller request id', async () => {
      const before = service.logs.raw.length;

      const response = await request(service.url).get('/api/external').set('X-Request-Id', 'trace-42');

      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="api"');
      expect(response.headers['x-request-id']).toBe('trace-42');
      const ids = new Set(service.logs.records.slice(before).map((record) => record.requestId));
      expect([...ids]).toEqual(['trace-42']);
    });
  });

  describe('metrics', () => {
    it('is served without a bearer token', async () => {
      const response = await request(service.url).get('/metrics');

      expect(response.status).toBe(200);
      expect(response.headers['www-authenticate']).toBeUndefined();
      expect(response.text).toContain('process_cpu_user_seconds_total');
      expect(response.text).toContain('nodejs_eventloop_lag_seconds');
    });

    it('counts accepted and rejected requests', async () => {
      const ok = 'http_requests_total{method="GET",route="/api/external",status="200"}';
      const rejected = 'http_requests_total{method="GET",route="/api/external",status="401"}';
      const accepted = 'auth_results_total{result="accepted",reason="none"}';
      const badAudience = 'auth_results_total{result="rejected",reason="audience_mismatch"}';
      const latency = 'http_request_duration_seconds_count{method="GET",route="/api/external",status="200"}';
      const before = await scrape();

      expect((await request(service.url).get('/api/external').set('Authorization', `Bearer ${tokens.token()}`)).status).toBe(200);
      const wrongAudience = await request(service.url).get('/api/external').set('Authorization', `Bearer ${tokens.token({ claims: { aud: 'https://other.example.test' } })}`);
      expect(wrongAudience.status).toBe(401);
      expect(wrongAudience.headers['www-authenticate']).toContain('error="invalid_token"');
      const after = await scrape();

      expect(sample(after, ok) - sample(before, ok)).toBe(1);
      expect(sample(after, rejected) - sample(before, rejected)).toBe(1);
      expect(sample(after, accepted) - sample(before, accepted)).toBe(1);
      expect(sample(after, badAudience) - sample(before, badAudience)).toBe(1);
      expect(sample(after, latency) - sample(before, latency)).toBe(1);
    });

    it('labels unknown paths as unmatched', async () => {
      const series = 'http_requests_total{method="GET",route="unmatched",status="404"}';
      const before = await scrape();

      expect((await request(service.url).get(`/no-such-path/${Date.now()}`)).status).toBe(404);

      expect(sample(await scrape(), series) - sample(before, series)).toBe(1);
    });

    it('counts JWKS fetches and failures', async () => {
      const success = 'jwks_fetches_total{outcome="success"}';
      const httpError = 'jwks_fetches_total{outcome="http_error"}';
      const before = await scrape();

      const rotated = rsaKey('key-2');
      jwks.keys = [signingKey.jwk, rotated.jwk];
      await sleep(COOLDOWN_MS + 50);
      const fresh = await request(service.url).get('/api/external').set('Authorization', `Bearer ${tokens.token({ key: rotated })}`);
      expect(fresh.status).toBe(200);

      jwks.handler = (_request, response) => {
        response.writeHead(500).end('down');
      };
      await sleep(COOLDOWN_MS + 50);
      const unavailable = await request(service.url).get('/api/external').set('Authorization', `Bearer ${tokens.token({ key: rsaKey('key-3') })}`);
      jwks.handler = undefined;
      expect(unavailable.status).toBe(503);
      expect(unavailable.headers['www-authenticate']).toBeUndefined();
      const after = await scrape();

      expect(sample(after, success) - sample(before, success)).toBe(1);
      expect(sample(after, httpError) - sample(before, httpError)).toBeGreaterThanOrEqual(1);
      expect(sample(after, 'jwks_last_success_timestamp_seconds')).toBeGreaterThan(0);
      expect(sample(after, 'jwks_ready')).toBe(1);
      expect(sample(after, 'jwks_keys')).toBe(2);
      expect(sample(after, 'jwks_key_set_age_seconds')).toBeGreaterThanOrEqual(0);
      expect(sample(after, 'auth_results_total{result="rejected",reason="jwks_unavailable"}')).toBeGreaterThanOrEqual(1);
    });
  });

  describe('OpenAPI document', () => {
    it('lists /api/external with bearer security', async () => {
      const response = await request(service.url).get('/docs-json');

      expect(response.status).toBe(200);
      const document = response.body;
      expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
      const operation = document.paths['/api/external'].get;
      expect(operation.security).toEqual([{ bearer: [] }]);
      for (const status of ['400', '401', '403', '503']) {
        expect(operation.responses[status].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ErrorBody' });
      }
      expect(operation.responses['401'].headers['WWW-Authenticate']).toBeDefined();
      expect(operation.responses['503'].headers['Retry-After']).toBeDefined();
      expect(document.components.schemas.ErrorBody.required).toEqual(['statusCode', 'error', 'message', 'requestId']);
    });

    it('serves Swagger UI at /docs', async () => {
      const response = await request(service.url).get('/docs/');

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.text).toContain('swagger-ui');
    });
  });

  describe('HTTP hardening', () => {
    it('sends security headers without X-Powered-By', async () => {
      const response = await request(service.url).get('/api/external');

      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="api"');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['strict-transport-security']).toBeDefined();
      expect(response.headers['content-security-policy']).toContain("script-src 'self'");
      expect(response.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
      expect(response.headers['x-powered-by']).toBeUndefined();
    });
  });
});

describe('operations settings', () => {
  let jwks: JwksServer;
  let service: RunningApp | undefined;

  beforeAll(async () => {
    jwks = await new JwksServer().start();
  });

  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  afterAll(async () => {
    await jwks.stop();
  });

  const issuer = (): Record<string, string> => ({ AUTH_ISSUER_URL: jwks.issuer, AUTH_AUDIENCE: AUDIENCE, AUTH_JWKS_URI: jwks.jwksUri });

  it('METRICS_TOKEN protects /metrics', async () => {
    service = await startApp({ ...issuer(), METRICS_TOKEN });

    const anonymous = await request(service.url).get('/metrics');
    const wrong = await request(service.url).get('/metrics').set('Authorization', 'Bearer not-the-metrics-token');
    const right = await request(service.url).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);

    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="metrics"');
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="metrics"');
    expect(wrong.body).toEqual({ statusCode: 401, error: 'unauthorized', message: 'A valid metrics token is required', requestId: wrong.headers['x-request-id'] });
    expect(right.status).toBe(200);
    expect(right.headers['www-authenticate']).toBeUndefined();
    expect(right.text).toContain('http_requests_total');
  });

  it('METRICS_ENABLED=false removes /metrics', async () => {
    service = await startApp({ ...issuer(), METRICS_ENABLED: 'false' });

    const response = await request(service.url).get('/metrics');

    expect(response.status).toBe(404);
    expect(response.headers['www-authenticate']).toBeUndefined();
  });

  it('production hides docs unless enabled', async () => {
    service = await startApp({ ...issuer(), NODE_ENV: 'production' });
    const defaultDocs = await request(service.url).get('/docs-json');
    expect(defaultDocs.status).toBe(404);
    expect(defaultDocs.headers['www-authenticate']).toBeUndefined();
    await service.close();

    service = await startApp({ ...issuer(), NODE_ENV: 'production', SWAGGER_ENABLED: 'true' });
    const enabledDocs = await request(service.url).get('/docs-json');
    expect(enabledDocs.status).toBe(200);
    expect(enabledDocs.body.paths['/api/external'].get.security).toEqual([{ bearer: [] }]);
  });

  it('rejects bodies over HTTP_BODY_LIMIT_BYTES', async () => {
    service = await startApp({ ...issuer(), HTTP_BODY_LIMIT_BYTES: '1024' });

    const response = await request(service.url)
      .post('/api/external')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ padding: 'x'.repeat(2048) }));

    expect(response.status).toBe(413);
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(response.body).toEqual({ statusCode: 413, error: 'payload_too_large', message: expect.any(String), requestId: response.headers['x-request-id'] });
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers malformed JSON in the common error shape', async () => {
    service = await startApp(issuer());

    const response = await request(service.url).post('/api/external').set('Content-Type', 'application/json').set('X-Request-Id', 'bad-json-1').send('{oops');

    expect(response.status).toBe(400);
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(response.body).toMatchObject({ statusCode: 400, error: 'bad_request', requestId: 'bad-json-1' });
  });
});
