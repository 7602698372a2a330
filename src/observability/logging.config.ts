import { registerAs } from '@nestjs/config';
import { EnvReader, parseEnvironment } from '../config/env-reader';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LoggingConfig {
  /** Lowest pino level written. Nest's `log` maps to `info`, `verbose` to `trace`. Default info. */
  level: LogLevel;
  /** `json`: one JSON object per line, for log collectors. `pretty`: coloured text through pino-pretty. Default json when NODE_ENV=production, pretty otherwise. */
  format: LogFormat;
}

export function readLoggingConfig(reader: EnvReader): LoggingConfig {
  const production = reader.optional('NODE_ENV') === 'production';
  const format = reader.choice('LOG_FORMAT', LOG_FORMATS, production ? 'json' : 'pretty');
  if (format === 'pretty' && !isPinoPrettyInstalled()) {
    reader.report('LOG_FORMAT', 'is "pretty", but pino-pretty is not installed (it is a development dependency). Set LOG_FORMAT=json, or install the development dependencies.');
  }

  return {
    level: reader.choice('LOG_LEVEL', LOG_LEVELS, 'info'),
    format,
  };
}

function isPinoPrettyInstalled(): boolean {
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

export const loggingConfig = registerAs('logging', (): LoggingConfig => parseEnvironment(process.env, readLoggingConfig));
