import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IssuerKey } from './tokens';

/**
 * A JWKS endpoint on 127.0.0.1 for one benchmark run. Each implementation
 * gets its own path (`/jwks/<name>.json`), so the fetches of each one are
 * counted apart even if a server outlives its turn.
 */
export class LocalIssuer {
  private readonly server: Server;
  private readonly fetchCounts = new Map<string, number>();
  private readonly body: string;

  constructor(keys: IssuerKey[]) {
    this.body = JSON.stringify({ keys: keys.map((key) => key.publicJwk) });
    this.server = createServer((request, response) => {
      const match = /^\/jwks\/([a-z0-9-]+)\.json$/.exec(request.url ?? '');
      if (request.method !== 'GET' || match === null) {
        response.writeHead(404).end();
        return;
      }
      this.fetchCounts.set(match[1], (this.fetchCounts.get(match[1]) ?? 0) + 1);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(this.body);
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', resolve);
    });
  }

  /** Issuer URL as it appears in the tokens' `iss`, with a trailing slash as Auth0 writes it. */
  get issuer(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  /** Path of the JWKS for one implementation, relative to the issuer URL. */
  jwksPath(implementation: string): string {
    return `jwks/${implementation}.json`;
  }

  jwksUri(implementation: string): string {
    return `${this.issuer}${this.jwksPath(implementation)}`;
  }

  fetchCount(implementation: string): number {
    return this.fetchCounts.get(implementation) ?? 0;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
