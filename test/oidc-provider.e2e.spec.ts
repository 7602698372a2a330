import request from 'supertest';
import { rsaKey } from './support/keys';
import { INTEROP_CLIENT, OidcProviderIssuer } from './support/oidc-provider-issuer';
import { RunningApp, startApp } from './support/test-app';
import { sleep, waitFor } from './support/wait';

const API = 'https://api.example.test';
const OTHER_API = 'https://billing.example.test';
const SUCCESS = { msg: 'Your Access Token was successfully validated!' };
const INVALID_TOKEN_CHALLENGE = 'Bearer realm="api", error="invalid_token", error_description="The access token is invalid or has expired"';
/** Shortest JWKS cache age the service accepts, so the retirement test waits only this long. */
const CACHE_MAX_AGE_MS = 1_000;
/** Shortest cooldown between refetches for unknown `kid`s that the service accepts. */
const COOLDOWN_MS = 100;

function decodeSegment(token: string, index: number): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index], 'base64url').toString()) as Record<string, unknown>;
}

/** Starts the service with the issuer and audience only, so it finds the JWKS through the provider's discovery document. */
function startServiceFor(provider: OidcProviderIssuer, env: Record<string, string> = {}): Promise<RunningApp> {
  return startApp({
    AUTH_ISSUER_URL: provider.issuer,
    AUTH_AUDIENCE: API,
    AUTH_JWKS_CACHE_MAX_AGE_MS: String(CACHE_MAX_AGE_MS),
    AUTH_JWKS_COOLDOWN_MS: String(COOLDOWN_MS),
    ...env,
  });
}

async function callApi(service: RunningApp, accessToken: string) {
  const before = service.logs.lines.length;
  const response = await request(service.url).get('/api/external').set('Authorization', `Bearer ${accessToken}`);
  return { response, logs: service.logs.lines.slice(before).join('\n') };
}

describe('oidc-provider as issuer', () => {
  const signingKey = rsaKey('provider-key-1');
  let provider: OidcProviderIssuer;

  beforeAll(async () => {
    provider = await new OidcProviderIssuer().start([signingKey]);
  });

  afterAll(async () => {
    await provider.stop();
  });

  it('publishes its issuer without trailing slash', async () => {
    const discovery = await provider.discovery();

    expect(discovery.issuer).toBe(provider.issuer);
    expect(discovery.issuer.endsWith('/')).toBe(false);
    expect(discovery.jwks_uri).toBe(`${provider.issuer}/jwks`);
  });

  it('issues at+jwt tokens for the requested resource', async () => {
    const { accessToken } = await provider.clientCredentialsToken(API, 'read:messages');

    expect(decodeSegment(accessToken, 0)).toMatchObject({ alg: 'RS256', typ: 'at+jwt', kid: signingKey.kid });
    expect(decodeSegment(accessToken, 1)).toMatchObject({
      iss: provider.issuer,
      aud: API,
      sub: INTEROP_CLIENT.id,
      client_id: INTEROP_CLIENT.id,
      scope: 'read:messages',
    });
  });

  describe.each(['default', 'rfc9068'])('with token profile %s', (profile) => {
    let service: RunningApp;

    beforeAll(async () => {
      service = await startServiceFor(provider, { AUTH_TOKEN_PROFILE: profile });
    });

    afterAll(async () => {
      await service.close();
    });

    it('accepts a client credentials token', async () => {
      const { accessToken } = await provider.clientCredentialsToken(API, 'read:messages');

      const { response } = await callApi(service, accessToken);

      expect(response.status).toBe(200);
      expect(response.body).toEqual(SUCCESS);
      expect(response.headers['www-authenticate']).toBeUndefined();
    });

    it('finds the JWKS through discovery', async () => {
      const discovery = await provider.discovery();
      // Keys load in the background after start-up, so readiness may take a moment.
      await waitFor(async () => (await request(service.url).get('/health/ready')).status === 200, 'readiness');

      const response = await request(service.url).get('/health/ready');

      expect(response.status).toBe(200);
      expect(response.body.info.signing_keys.jwksUri).toBe(discovery.jwks_uri);
      expect(response.body.info.signing_keys.keyIds).toEqual([signingKey.kid]);
    });

    it('rejects a token for another resource', async () => {
      const { accessToken } = await provider.clientCredentialsToken(OTHER_API, 'read:invoices');
      expect(decodeSegment(accessToken, 1).aud).toBe(OTHER_API);

      const { response, logs } = await callApi(service, accessToken);

      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
      expect(response.body.error).toBe('invalid_token');
      expect(logs).toContain('reason=audience_mismatch ');
      expect(logs).not.toContain(accessToken.split('.')[2]);
    });
  });
});

describe('oidc-provider key rotation', () => {
  const oldKey = rsaKey('provider-key-old');
  const newKey = rsaKey('provider-key-new');
  let provider: OidcProviderIssuer;
  let service: RunningApp;

  /** Starts provider and service on the old key and returns a token the service has accepted. */
  async function startWithOldKey(cacheMaxAgeMs: number): Promise<string> {
    provider = await new OidcProviderIssuer().start([oldKey]);
    service = await startServiceFor(provider, { AUTH_JWKS_CACHE_MAX_AGE_MS: String(cacheMaxAgeMs) });
    const { accessToken } = await provider.clientCredentialsToken(API, 'read:messages');
    expect((await callApi(service, accessToken)).response.status).toBe(200);
    return accessToken;
  }

  afterEach(async () => {
    await service.close();
    await provider.stop();
  });

  it('accepts tokens signed with a new key', async () => {
    // A long cache age rules out a scheduled refresh, so only the unknown kid can cause the fetch counted below.
    const oldToken = await startWithOldKey(60_000);
    provider.rotateKeys([newKey, oldKey]);
    await sleep(COOLDOWN_MS);
    const fetchesBefore = provider.jwksRequestCount;

    const issued = await provider.clientCredentialsToken(API, 'read:messages');
    const withNewKey = await callApi(service, issued.accessToken);
    const withOldKey = await callApi(service, oldToken);

    expect(issued.kid).toBe(newKey.kid);
    expect(withNewKey.response.status).toBe(200);
    expect(withNewKey.response.body).toEqual(SUCCESS);
    expect(provider.jwksRequestCount).toBe(fetchesBefore + 1);
    expect(withOldKey.response.status).toBe(200);
  });

  it('rejects tokens of a retired key', async () => {
    const oldToken = await startWithOldKey(CACHE_MAX_AGE_MS);
    provider.rotateKeys([newKey]);
    await sleep(Math.max(CACHE_MAX_AGE_MS, COOLDOWN_MS) + 100);

    const withOldKey = await callApi(service, oldToken);
    const issued = await provider.clientCredentialsToken(API, 'read:messages');
    const withNewKey = await callApi(service, issued.accessToken);

    expect(withOldKey.response.status).toBe(401);
    expect(withOldKey.response.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
    expect(withOldKey.logs).toContain('reason=key_not_found ');
    expect(withNewKey.response.status).toBe(200);
  });
});
