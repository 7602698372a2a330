import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

export const JWKS_PATH = '/.well-known/jwks.json';
export const OPENID_METADATA_PATH = '/.well-known/openid-configuration';
export const OAUTH_METADATA_PATH = '/.well-known/oauth-authorization-server';

/**
 * A real identity provider stand-in on 127.0.0.1: it serves a JWKS and,
 * optionally, discovery metadata, with keys and faults the test controls.
 * It counts the requests to each path so tests can assert how often the
 * service fetched.
 */
export class JwksServer {
  keys: object[] = [];
  /** Metadata served at the OpenID Connect discovery path; undefined returns 404. */
  openIdMetadata: Record<string, unknown> | undefined;
  /** Metadata served at the RFC 8414 path; undefined returns 404. */
  oauthMetadata: Record<string, unknown> | undefined;
  /** Replaces the normal JWKS response, for fault injection. */
  handler: RequestHandler | undefined;
  readonly requests = new Map<string, number>();
  private readonly server: Server;

  constructor() {
    this.server = createServer((request, response) => {
      const path = request.url ?? '';
      this.requests.set(path, (this.requests.get(path) ?? 0) + 1);

      if (path === OPENID_METADATA_PATH || path === OAUTH_METADATA_PATH) {
        const metadata = path === OPENID_METADATA_PATH ? this.openIdMetadata : this.oauthMetadata;
        this.sendJson(response, metadata === undefined ? 404 : 200, metadata ?? { error: 'not found' });
      } else if (path !== JWKS_PATH) {
        this.sendJson(response, 404, { error: 'not found' });
      } else if (this.handler !== undefined) {
        this.handler(request, response);
      } else {
        this.sendJson(response, 200, { keys: this.keys });
      }
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** Number of JWKS requests received. */
  get requestCount(): number {
    return this.requests.get(JWKS_PATH) ?? 0;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get issuer(): string {
    return `${this.origin}/`;
  }

  get jwksUri(): string {
    return `${this.origin}${JWKS_PATH}`;
  }

  /** Serves OpenID Connect discovery metadata for this issuer. */
  enableDiscovery(overrides: Record<string, unknown> = {}): void {
    this.openIdMetadata = { issuer: this.issuer, jwks_uri: this.jwksUri, ...overrides };
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private sendJson(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  }
}
