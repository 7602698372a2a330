import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { Adapter, AdapterPayload, Configuration, errors, ResourceServer } from 'oidc-provider';
import type { TestKey } from './keys';

export const INTEROP_CLIENT = { id: 'interop-client', secret: 'interop-client-secret' };

/** Resource servers the provider issues tokens for, by resource indicator (RFC 8707). Their `aud` is the indicator itself. */
const RESOURCE_SERVERS: Record<string, ResourceServer> = {
  'https://api.example.test': { scope: 'read:messages', accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } },
  'https://billing.example.test': { scope: 'read:invoices', accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } },
};

export interface IssuedToken {
  accessToken: string;
  /** The `kid` in the token's protected header. */
  kid: string;
}

/**
 * A real OpenID provider (the certified `oidc-provider` package) on
 * 127.0.0.1, with one confidential client allowed the client credentials
 * grant. `rotateKeys` replaces the provider with one configured with a new
 * key set on the same issuer and port, as an operator's restart would.
 */
export class OidcProviderIssuer {
  /** Requests the service made to the provider's JWKS endpoint. */
  jwksRequestCount = 0;
  private handler: ReturnType<Provider['callback']> | undefined;
  private readonly server: Server;

  constructor() {
    this.server = createServer((request: IncomingMessage, response: ServerResponse) => {
      if (request.url?.startsWith('/jwks') === true) {
        this.jwksRequestCount++;
      }
      if (this.handler === undefined) {
        response.writeHead(503).end();
        return;
      }
      void this.handler(request, response);
    });
  }

  /** Listens on an ephemeral loopback port and starts signing with the first of `keys`. */
  async start(keys: TestKey[]): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.rotateKeys(keys);
    return this;
  }

  /** Issuer identifier, without a trailing slash as oidc-provider publishes it. */
  get issuer(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Publishes `keys` and signs new tokens with the first of them. */
  rotateKeys(keys: TestKey[]): void {
    const provider = new Provider(this.issuer, configuration(keys));
    this.handler = provider.callback();
  }

  async discovery(): Promise<{ issuer: string; jwks_uri: string; token_endpoint: string }> {
    const response = await fetch(`${this.issuer}/.well-known/openid-configuration`);
    if (!response.ok) {
      throw new Error(`discovery returned HTTP ${response.status}`);
    }
    return (await response.json()) as { issuer: string; jwks_uri: string; token_endpoint: string };
  }

  /** Obtains an access token with the client credentials grant for one resource indicator. */
  async clientCredentialsToken(resource: string, scope: string): Promise<IssuedToken> {
    const { token_endpoint: tokenEndpoint } = await this.discovery();
    const credentials = Buffer.from(`${INTEROP_CLIENT.id}:${INTEROP_CLIENT.secret}`).toString('base64');
    const response = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${credentials}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope }),
    });
    const body = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
    if (!response.ok || body.access_token === undefined) {
      throw new Error(`token request failed with HTTP ${response.status}: ${body.error} ${body.error_description}`);
    }

    const header = JSON.parse(Buffer.from(body.access_token.split('.')[0], 'base64url').toString()) as { kid: string };
    return { accessToken: body.access_token, kid: header.kid };
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Stores the provider's state in a map per model. oidc-provider's built-in
 * adapter does the same but logs a warning on every start, and this suite
 * needs no state beyond one provider's life.
 */
class MemoryAdapter implements Adapter {
  private readonly entries = new Map<string, AdapterPayload>();

  async upsert(id: string, payload: AdapterPayload): Promise<void> {
    this.entries.set(id, payload);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.entries.get(id);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return [...this.entries.values()].find((payload) => payload.userCode === userCode);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return [...this.entries.values()].find((payload) => payload.uid === uid);
  }

  async consume(id: string): Promise<void> {
    const payload = this.entries.get(id);
    if (payload !== undefined) {
      payload.consumed = Math.floor(Date.now() / 1000);
    }
  }

  async destroy(id: string): Promise<void> {
    this.entries.delete(id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const [id, payload] of this.entries) {
      if (payload.grantId === grantId) {
        this.entries.delete(id);
      }
    }
  }
}

function configuration(keys: TestKey[]): Configuration {
  return {
    adapter: MemoryAdapter,
    clients: [
      {
        client_id: INTEROP_CLIENT.id,
        client_secret: INTEROP_CLIENT.secret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    // Lifetime of client credentials access tokens, in seconds.
    ttl: { ClientCredentials: 300 },
    jwks: { keys: keys.map((key) => ({ ...key.privateKey.export({ format: 'jwk' }), kid: key.kid, alg: key.alg, use: 'sig' })) },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        getResourceServerInfo: (_context, resourceIndicator) => {
          const server = RESOURCE_SERVERS[resourceIndicator];
          if (server === undefined) {
            throw new errors.InvalidTarget();
          }
          return server;
        },
      },
    },
  };
}
