import { ConsoleLogger, INestApplication } from '@nestjs/common';
import { createApp, CreateAppOptions } from '../../src/main';

/** Collects log lines so tests can assert what the service logged, and that it logged no secret. */
export class CapturingLogger extends ConsoleLogger {
  readonly lines: string[] = [];

  constructor() {
    super();
    this.setLogLevels(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  }

  override log(message: unknown, ...rest: unknown[]): void {
    this.record('log', message, rest);
  }
  override warn(message: unknown, ...rest: unknown[]): void {
    this.record('warn', message, rest);
  }
  override error(message: unknown, ...rest: unknown[]): void {
    this.record('error', message, rest);
  }
  override debug(message: unknown, ...rest: unknown[]): void {
    this.record('debug', message, rest);
  }

  /** Lines that contain every one of the fragments. */
  find(...fragments: string[]): string[] {
    return this.lines.filter((line) => fragments.every((fragment) => line.includes(fragment)));
  }

  private record(level: string, message: unknown, rest: unknown[]): void {
    this.lines.push([level, String(message), ...rest.map(String)].join(' '));
  }
}

export interface RunningApp {
  app: INestApplication;
  url: string;
  logs: CapturingLogger;
  close(): Promise<void>;
}

/**
 * Starts the real application, as `main.ts` builds it, on an ephemeral
 * loopback port with exactly the given environment (no `.env` file).
 * `extraImports` adds test modules next to the application's own.
 */
export async function startApp(
  env: Record<string, string | undefined>,
  options: Pick<CreateAppOptions, 'extraImports'> = {},
): Promise<RunningApp> {
  const saved = { ...process.env };
  for (const name of Object.keys(process.env)) {
    if (/^(AUTH|AUTH0|CORS|DEV_ISSUER|PORT|HOST)_?/.test(name)) {
      delete process.env[name];
    }
  }
  Object.assign(process.env, withoutUndefined(env));

  const logs = new CapturingLogger();
  let app: INestApplication;
  try {
    app = await createApp({ ...options, envFile: false, logger: logs });
  } finally {
    process.env = saved;
  }
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, logs, close: () => app.close() };
}

function withoutUndefined(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
