import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import type { OAuth2Issuer, OAuth2Server } from 'oauth2-mock-server';
import { DEV_AUDIENCE, DEV_KEY_ID, developmentIssuerUrl } from './dev-issuer.constants';

type PrivateJwk = Record<string, unknown>;

/**
 * Loads the development signing key from `file`, creating it on first use.
 * The key stays on this machine (the file is git-ignored, mode 0600) so
 * tokens minted by `npm run token` stay valid across restarts.
 */
export async function loadOrCreateSigningKey(file: string): Promise<PrivateJwk> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as PrivateJwk;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`Development signing key ${file} cannot be read; delete it to generate a new one`, { cause: error });
    }
  }

  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: DEV_KEY_ID, alg: 'RS256', use: 'sig' };
  await mkdir(dirname(file), { recursive: true });
  try {
    await writeFile(file, JSON.stringify(jwk, null, 2), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process (the service or `npm run token`) created the key first: use that one.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return JSON.parse(await readFile(file, 'utf8')) as PrivateJwk;
    }
    throw error;
  }
  return jwk;
}

// oauth2-mock-server is needed only outside production, so it is loaded on demand. It is an ES module:
// require() loads it through Node's require(esm), which, unlike import(), also works inside Jest's CommonJS runtime.
async function loadMockServer(): Promise<typeof import('oauth2-mock-server')> {
  return require('oauth2-mock-server') as typeof import('oauth2-mock-server');
}

async function configureIssuer(issuer: OAuth2Issuer, port: number, keyFile: string): Promise<void> {
  issuer.url = developmentIssuerUrl(port);
  await issuer.keys.add(await loadOrCreateSigningKey(keyFile));
}

/** Creates the development issuer's HTTP server (discovery, JWKS and token endpoints), not yet started. */
export async function createDevelopmentServer(port: number, keyFile: string): Promise<OAuth2Server> {
  const { OAuth2Server, Events } = await loadMockServer();
  const server = new OAuth2Server();
  await configureIssuer(server.issuer, port, keyFile);

  // Tokens from the /token endpoint get the development audience unless the client asked for another.
  server.service.on(Events.BeforeTokenSigning, (token: { payload: Record<string, unknown> }) => {
    token.payload.aud ??= DEV_AUDIENCE;
    token.payload.sub ??= 'dev-client';
  });
  return server;
}

export interface DevelopmentTokenOptions {
  port: number;
  keyFile: string;
  subject: string;
  scopes: string[];
  /** Lifetime in seconds. */
  expiresIn: number;
  audience?: string;
}

/** Signs an access token that the service accepts while it runs on the development issuer. */
export async function mintDevelopmentToken(options: DevelopmentTokenOptions): Promise<string> {
  const { OAuth2Issuer } = await loadMockServer();
  const issuer = new OAuth2Issuer();
  await configureIssuer(issuer, options.port, options.keyFile);

  return issuer.buildToken({
    expiresIn: options.expiresIn,
    scopesOrTransform: (_header, payload) => {
      payload.aud = options.audience ?? DEV_AUDIENCE;
      payload.sub = options.subject;
      payload.client_id = 'dev-client';
      payload.jti = crypto.randomUUID();
      if (options.scopes.length > 0) {
        payload.scope = options.scopes.join(' ');
      }
    },
  });
}
