import { Writable } from 'node:stream';
import { INestApplication } from '@nestjs/common';
import { createApp, CreateAppOptions } from '../../src/main';

/** One parsed pino record. */
export type LogRecord = Record<string, unknown> & { level: number; msg?: string; context?: string; requestId?: string };

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'log', 40: 'warn', 50: 'error', 60: 'fatal' };

/**
 * Receives the application's real log output, the JSON lines pino writes.
 * nestjs-pino builds one root logger per process from the first
 * application's settings, so every application a test file starts writes
 * to this one sink.
 */
class LogSink extends Writable {
  readonly raw: string[] = [];
  readonly records: LogRecord[] = [];
  readonly lines: string[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    for (const line of chunk.toString('utf8').split('\n').filter((text) => text !== '')) {
      const record = JSON.parse(line) as LogRecord;
      this.raw.push(line);
      this.records.push(record);
      this.lines.push([LEVEL_NAMES[record.level] ?? String(record.level), record.context, record.msg].filter((part) => part !== undefined).join(' '));
    }
    callback();
  }
}

const sink = new LogSink();

/** What the service logged since one application started, so tests can assert on it and check that no secret was logged. */
export class CapturedLogs {
  constructor(private readonly start: number) {}

  /** Every line exactly as pino wrote it. */
  get raw(): string[] {
    return sink.raw.slice(this.start);
  }

  get records(): LogRecord[] {
    return sink.records.slice(this.start);
  }

  /** Each record as `<level> <context> <message>`, the form Nest's console logger prints. */
  get lines(): string[] {
    return sink.lines.slice(this.start);
  }

  /** Lines that contain every one of the fragments. */
  find(...fragments: string[]): string[] {
    return this.lines.filter((line) => fragments.every((fragment) => line.includes(fragment)));
  }
}

export interface RunningApp {
  app: INestApplication;
  url: string;
  logs: CapturedLogs;
  close(): Promise<void>;
}

/**
 * Starts the real application, as `main.ts` builds it, on an ephemeral
 * loopback port with exactly the given environment (no `.env` file), its
 * logs in JSON at debug level unless `env` sets LOG_FORMAT or LOG_LEVEL.
 * `extraImports` adds test modules next to the application's own.
 */
export async function startApp(
  env: Record<string, string | undefined>,
  options: Pick<CreateAppOptions, 'extraImports'> = {},
): Promise<RunningApp> {
  const saved = { ...process.env };
  for (const name of Object.keys(process.env)) {
    if (/^(AUTH|AUTH0|CORS|DEV_ISSUER|PORT|HOST|LOG|METRICS|SWAGGER|HTTP|SHUTDOWN)_?/.test(name)) {
      delete process.env[name];
    }
  }
  Object.assign(process.env, { LOG_FORMAT: 'json', LOG_LEVEL: 'debug' }, withoutUndefined(env));

  const logs = new CapturedLogs(sink.records.length);
  let app: INestApplication;
  try {
    app = await createApp({ ...options, envFile: false, logDestination: sink });
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
