import { freePort } from './support/ports';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DEV_AUDIENCE } from '../src/dev-issuer/dev-issuer.constants';
import { mintDevelopmentToken } from '../src/dev-issuer/dev-issuer';
import { RunningApp, startApp } from './support/test-app';


describe('development issuer', () => {
  let directory: string;
  let keyFile: string;
  let port: number;
  let service: RunningApp;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'dev-issuer-'));
    keyFile = join(directory, 'signing-key.json');
    port = await freePort();
    service = await startApp({ DEV_ISSUER_PORT: String(port), DEV_ISSUER_KEY_FILE: keyFile });
  });

  afterAll(async () => {
    await service.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('accepts a token from the token command', async () => {
    const token = await mintDevelopmentToken({ port, keyFile, subject: 'alice', scopes: ['read:messages'], expiresIn: 60 });

    const response = await request(service.url).get('/api/external').set('Authorization', `Bearer ${token}`);

    expect(response.status).toBe(200);
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(response.body).toEqual({ msg: 'Your Access Token was successfully validated!' });
  });

  it('keeps the signing key private on disk', () => {
    expect(statSync(keyFile).mode & 0o077).toBe(0);
  });

  it('logs clearly that it is a development issuer', () => {
    expect(service.logs.find('DEVELOPMENT ISSUER in use', `http://127.0.0.1:${port}`)).toHaveLength(1);
  });

  it('serves discovery and JWKS on loopback', async () => {
    const discovery = await request(`http://127.0.0.1:${port}`).get('/.well-known/openid-configuration');
    const jwks = await request(`http://127.0.0.1:${port}`).get('/jwks');

    expect(discovery.body.issuer).toBe(`http://127.0.0.1:${port}`);
    expect(discovery.body.jwks_uri).toBe(`http://127.0.0.1:${port}/jwks`);
    expect(jwks.body.keys).toHaveLength(1);
    expect(jwks.body.keys[0].d).toBeUndefined();
  });

  it('rejects a development token for another audience', async () => {
    const token = await mintDevelopmentToken({ port, keyFile, subject: 'alice', scopes: [], expiresIn: 60, audience: 'https://other.example.test' });

    const response = await request(service.url).get('/api/external').set('Authorization', `Bearer ${token}`);

    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(service.logs.find('reason=audience_mismatch', `request_id=${response.headers['x-request-id']}`)).toHaveLength(1);
    expect(DEV_AUDIENCE).not.toBe('https://other.example.test');
  });
});
