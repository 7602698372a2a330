import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type JwksHandler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * A real JWKS endpoint on 127.0.0.1 whose keys and behaviour a test controls.
 * It counts the requests it receives so tests can assert how often the
 * service fetched keys.
 */
export class JwksServer {
  keys: object[] = [];
  requestCount = 0;
  /** Replaces the normal answer, for fault injection. */
  handler: JwksHandler | undefined;
  private readonly server: Server;

  constructor() {
    this.server = createServer((request, response) => {
      this.requestCount++;
      if (this.handler !== undefined) {
        this.handler(request, response);
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: this.keys }));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get issuer(): string {
    return `${this.origin}/`;
  }

  get jwksUri(): string {
    return `${this.origin}/.well-known/jwks.json`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
