import { registerAs } from '@nestjs/config';
import { EnvReader, parseEnvironment } from './env-reader';

export interface HttpConfig {
  /** TCP port of the API. Default 3001. */
  port: number;
  /** Interface to listen on. Default all interfaces (unset). */
  host: string | undefined;
  /** Largest JSON or form request body accepted, in bytes; larger bodies get 413. Default 102400 (100 KiB). */
  bodyLimitBytes: number;
  /** How long a SIGTERM or SIGINT waits for requests in flight before closing their connections, in milliseconds. Default 10000. */
  shutdownTimeoutMs: number;
}

export function readHttpConfig(reader: EnvReader): HttpConfig {
  return {
    port: reader.integer('PORT', 3001, { min: 0, max: 65_535, unit: 'port number' }),
    host: reader.optional('HOST'),
    bodyLimitBytes: reader.integer('HTTP_BODY_LIMIT_BYTES', 102_400, { min: 1_024, max: 104_857_600, unit: 'bytes' }),
    shutdownTimeoutMs: reader.integer('SHUTDOWN_TIMEOUT_MS', 10_000, { min: 0, max: 600_000, unit: 'milliseconds' }),
  };
}

export const httpConfig = registerAs('http', (): HttpConfig => parseEnvironment(process.env, readHttpConfig));
