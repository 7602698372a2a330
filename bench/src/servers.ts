import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Clock ticks per second in /proc/<pid>/stat, fixed at 100 by the Linux ABI on common architectures. */
const USER_HZ = 100;
const REPO_ROOT = join(__dirname, '..', '..', '..');
const APPS_DIR = join(__dirname, '..', 'apps');

/** One server under test, run as its own process so its memory is its own. */
export interface Implementation {
  /** Short id used in file names, JWKS paths and JSON results. */
  id: string;
  label: string;
  entry: string;
  /** False for the no-auth floors, which return 200 whatever the token. */
  checksTokens: boolean;
}

export const SERVICE_ID = 'service';

export const IMPLEMENTATIONS: readonly Implementation[] = [
  { id: SERVICE_ID, label: 'this service (dist/main.js)', entry: join(REPO_ROOT, 'dist', 'main.js'), checksTokens: true },
  {
    id: 'nest-passport',
    label: 'NestJS + @nestjs/passport + passport-jwt + jwks-rsa',
    entry: join(APPS_DIR, 'nest-passport', 'main.js'),
    checksTokens: true,
  },
  { id: 'fastify-jwt', label: 'Fastify + @fastify/jwt + get-jwks', entry: join(APPS_DIR, 'fastify-jwt.js'), checksTokens: true },
  { id: 'jose-http', label: 'node:http + jose', entry: join(APPS_DIR, 'jose-http.js'), checksTokens: true },
  { id: 'nest-no-auth', label: 'NestJS on Express, no auth (floor)', entry: join(APPS_DIR, 'nest-no-auth.js'), checksTokens: false },
  { id: 'no-auth-http', label: 'node:http, no auth (floor)', entry: join(APPS_DIR, 'no-auth-http.js'), checksTokens: false },
];

export interface StartOptions {
  port: number;
  issuer: string;
  audience: string;
  jwksUri: string;
  /** Working directory of the child, kept free of `.env` files so that only the variables below apply. */
  cwd: string;
  logFile: string;
  /** Extra Node.js flags, such as `--cpu-prof`. */
  nodeFlags?: string[];
  startTimeoutMs?: number;
}

/** Resident memory of a process from /proc, in bytes, or `undefined` where /proc is missing. */
export interface MemoryReading {
  rssBytes: number | undefined;
  peakRssBytes: number | undefined;
}

/** A started server child process. Only this process is ever signalled, by its own PID. */
export class ServerProcess {
  private exited: Promise<void>;
  private exitCode: number | null = null;
  private exitSignal: NodeJS.Signals | null = null;

  private constructor(
    readonly implementation: Implementation,
    readonly url: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        resolve();
      });
    });
  }

  static async start(implementation: Implementation, options: StartOptions): Promise<ServerProcess> {
    if (await isPortInUse(options.port)) {
      throw new Error(`Port ${options.port} on 127.0.0.1 is already in use. Stop what listens there or pass --port with another base port.`);
    }

    const logFd = openSync(options.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [...(options.nodeFlags ?? []), implementation.entry], {
        cwd: options.cwd,
        // A clean environment: a developer's AUTH_* or .env settings must not change what is measured.
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          NODE_ENV: 'production',
          PORT: String(options.port),
          HOST: '127.0.0.1',
          AUTH_ISSUER_URL: options.issuer,
          AUTH_AUDIENCE: options.audience,
          AUTH_JWKS_URI: options.jwksUri,
        },
        // Logs go straight to a file, so the harness spends no CPU on relaying them.
        stdio: ['ignore', logFd, logFd],
      });
    } finally {
      closeSync(logFd);
    }

    const server = new ServerProcess(implementation, `http://127.0.0.1:${options.port}/api/external`, child);
    try {
      await server.waitUntilListening(options.startTimeoutMs ?? 30_000, options.logFile);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  readMemory(): MemoryReading {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      return { rssBytes: readStatusKilobytes(status, 'VmRSS'), peakRssBytes: readStatusKilobytes(status, 'VmHWM') };
    } catch {
      return { rssBytes: undefined, peakRssBytes: undefined };
    }
  }

  /**
   * Returns the CPU time the process used so far, user and system, all
   * threads, in seconds, or `undefined` where /proc is missing. Read from
   * /proc/<pid>/stat, which counts in USER_HZ ticks (100 per second on Linux).
   */
  readCpuSeconds(): number | undefined {
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      // Fields after the command name, which is in parentheses and may contain spaces.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const userTicks = Number(fields[11]);
      const systemTicks = Number(fields[12]);
      return (userTicks + systemTicks) / USER_HZ;
    } catch {
      return undefined;
    }
  }

  /** Sends `signal` to this child only, by PID. */
  signal(signal: NodeJS.Signals): void {
    if (this.exitCode === null && this.exitSignal === null) {
      this.child.kill(signal);
    }
  }

  /** Waits for the child to exit on its own (after a signal the caller sent), up to `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<boolean> {
    const timer = sleep(timeoutMs).then(() => false);
    return Promise.race([this.exited.then(() => true), timer]);
  }

  /** Stops the child with SIGTERM, then SIGKILL if it has not exited within 5 s. */
  async stop(): Promise<void> {
    this.signal('SIGTERM');
    if (!(await this.waitForExit(5_000))) {
      this.signal('SIGKILL');
      await this.exited;
    }
  }

  private async waitUntilListening(timeoutMs: number, logFile: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exitCode !== null || this.exitSignal !== null) {
        throw new Error(
          `${this.implementation.label} exited during start-up (code ${this.exitCode}, signal ${this.exitSignal}). Its output is in ${logFile}.`,
        );
      }
      try {
        const response = await fetch(this.url, { signal: AbortSignal.timeout(1_000) });
        await response.body?.cancel();
        return;
      } catch {
        await sleep(100);
      }
    }
    throw new Error(`${this.implementation.label} did not respond on ${this.url} within ${timeoutMs} ms. Its output is in ${logFile}.`);
  }
}

function readStatusKilobytes(status: string, field: string): number | undefined {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match === null ? undefined : Number(match[1]) * 1024;
}

function isPortInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
