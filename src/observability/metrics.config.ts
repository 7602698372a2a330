import { registerAs } from '@nestjs/config';
import { EnvReader, parseEnvironment } from '../config/env-reader';

/** Shortest accepted `METRICS_TOKEN`, in characters, so the token cannot be guessed in a few tries. */
const MIN_TOKEN_LENGTH = 16;

export interface MetricsConfig {
  /** Serve Prometheus metrics at `/metrics`. Default true. */
  enabled: boolean;
  /** When set, `/metrics` requires `Authorization: Bearer <token>`. Default unset: the endpoint is open to anyone who can reach the port. */
  token: string | undefined;
}

export function readMetricsConfig(reader: EnvReader): MetricsConfig {
  const token = reader.optional('METRICS_TOKEN');
  if (token !== undefined && (token.length < MIN_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(token))) {
    reader.report('METRICS_TOKEN', `is too short or contains spaces or non-ASCII characters. Use at least ${MIN_TOKEN_LENGTH} printable ASCII characters, for example the output of "openssl rand -hex 32".`);
  }

  return {
    enabled: reader.boolean('METRICS_ENABLED', true),
    token,
  };
}

export const metricsConfig = registerAs('metrics', (): MetricsConfig => parseEnvironment(process.env, readMetricsConfig));
