import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { JwksServer } from './support/jwks-server';
import { rsaKey } from './support/keys';
import { TokenFactory } from './support/tokens';

const AUDIENCE = 'https://api.example.test';
/** Inside node_modules, so the compiled service resolves its dependencies from the project's node_modules. */
const BUILD_DIR = join(__dirname, '..', 'node_modules', '.cache', 'graceful-shutdown-test');

/** The compiled service in a child process, with its JSON log lines collected. */
class ServiceProcess {
  readonly records: Array<Record<string, unknown> & { msg?: string }> = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private buffer = '';

  constructor(env: Record<string, string>, cwd: string) {
    this.child = spawn(process.execPath, [join(BUILD_DIR, 'main.js')], { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] });
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('utf8');
      const lines = this.buffer.split('\n');
      this.buffer = lines.pop() ?? '';
      for (const line of lines.filter((text) => text.startsWith('{'))) {
        this.records.push(JSON.parse(line) as Record<string, unknown>);
      }
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** Resolves with the first log record whose message contains `fragment`. */
  async waitForLog(fragment: string, timeoutMs = 10_000): Promise<Record<string, unknown> & { msg?: string }> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const match = this.records.find((record) => record.msg?.includes(fragment));
      if (match !== undefined) {
        return match;
      }
      await sleep(20);
    }
    throw new Error(`the service did not log "${fragment}" within ${timeoutMs} ms; it logged: ${this.records.map((record) => record.msg).join(' | ')}`);
  }

  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }

  /** Ends the child by its PID if a test failed before it exited. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('graceful shutdown', () => {
  const signingKey = rsaKey('key-1');
  let jwks: JwksServer;
  let tokens: TokenFactory;
  let workDir: string;
  let service: ServiceProcess | undefined;
  /** JWKS responses the test holds back, so that a request stays in flight. */
  let heldJwks: ServerResponse[];
  /** Number of JWKS requests served at once; later ones are held. */
  let servedJwks: number;

  beforeAll(async () => {
    // Compiling takes about two seconds and tests exactly what `npm run start:prod` runs.
    rmSync(BUILD_DIR, { recursive: true, force: true });
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', BUILD_DIR], { cwd: join(__dirname, '..') });
    workDir = mkdtempSync(join(tmpdir(), 'shutdown-test-'));
    jwks = await new JwksServer().start();
    tokens = new TokenFactory(jwks.issuer, AUDIENCE, signingKey);
  }, 60_000);

  beforeEach(() => {
    heldJwks = [];
    servedJwks = 0;
    // The start-up fetch gets a set without the token's key, so the request's unknown "kid"
    // makes the service fetch again, and that fetch is held.
    jwks.handler = (_request, response) => {
      if (servedJwks === 0) {
        servedJwks++;
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [rsaKey('other-key').jwk] }));
        return;
      }
      heldJwks.push(response);
    };
  });

  afterEach(() => {
    service?.kill();
    service = undefined;
    for (const response of heldJwks) {
      response.destroy();
    }
  });

  afterAll(async () => {
    await jwks.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  function start(extra: Record<string, string>): ServiceProcess {
    return new ServiceProcess(
      {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_FORMAT: 'json',
        AUTH_ISSUER_URL: jwks.issuer,
        AUTH_AUDIENCE: AUDIENCE,
        AUTH_JWKS_URI: jwks.jwksUri,
        AUTH_JWKS_TIMEOUT_MS: '30000',
        AUTH_JWKS_COOLDOWN_MS: '100',
        ...extra,
      },
      workDir,
    );
  }

  async function waitForJwksRequest(): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (heldJwks.length === 0) {
      if (Date.now() > deadline) {
        throw new Error('the service did not fetch the JWKS');
      }
      await sleep(10);
    }
  }

  function releaseJwks(): void {
    for (const response of heldJwks.splice(0)) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [signingKey.jwk] }));
    }
  }

  /**
   * Starts the service, lets its first key fetch finish, then sends a request
   * whose token names no known kid, so the request waits on a JWKS refetch
   * that the test holds.
   */
  async function startWithRequestInFlight(shutdownTimeoutMs: string): Promise<{ running: ServiceProcess; url: string; inFlight: Promise<Response> }> {
    const running = start({ SHUTDOWN_TIMEOUT_MS: shutdownTimeoutMs });
    service = running;
    const listening = await running.waitForLog('Listening on');
    const url = String(listening.msg).replace(/^Listening on (\S+).*$/, '$1');
    await running.waitForLog('JWKS keys loaded');
    await sleep(150);

    const inFlight = fetch(`${url}/api/external`, { headers: { authorization: `Bearer ${tokens.token()}` } });
    await waitForJwksRequest();
    return { running, url, inFlight };
  }

  it('finishes a request in flight and exits 0', async () => {
    const { running, url, inFlight } = await startWithRequestInFlight('5000');
    running.signal('SIGTERM');
    await running.waitForLog('Received SIGTERM');

    await expect(fetch(`${url}/api/external`)).rejects.toThrow();
    releaseJwks();
    const response = await inFlight;

    expect(response.status).toBe(200);
    expect(response.headers.get('www-authenticate')).toBeNull();
    expect(await response.json()).toEqual({ msg: 'Your Access Token was successfully validated!' });
    expect(await running.exited).toBe(0);
    await running.waitForLog('Stopped');
  });

  it('closes connections after SHUTDOWN_TIMEOUT_MS and exits 1', async () => {
    const { running, inFlight } = await startWithRequestInFlight('200');
    const signalledAt = Date.now();
    running.signal('SIGTERM');

    await expect(inFlight).rejects.toThrow();
    expect(await running.exited).toBe(1);
    expect(Date.now() - signalledAt).toBeLessThan(5_000);
    await running.waitForLog('Requests still in flight after 200 ms');
  });
});
