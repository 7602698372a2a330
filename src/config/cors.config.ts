import { registerAs } from '@nestjs/config';
import { EnvReader, parseEnvironment, printable } from './env-reader';

export interface CorsConfig {
  /** Exact origins (scheme, host and port) allowed to call the API from a browser. Default http://localhost:3000. */
  origins: string[];
  /** How long a browser may cache a preflight response, in seconds. Default 600. */
  preflightMaxAgeSeconds: number;
}

export function readCorsConfig(reader: EnvReader): CorsConfig {
  const requested = reader.list('CORS_ORIGINS') ?? ['http://localhost:3000'];
  const origins: string[] = [];

  for (const origin of requested) {
    const normalized = normalizeOrigin(origin);
    if (normalized === undefined) {
      reader.report(
        'CORS_ORIGINS',
        `invalid origin "${printable(origin)}". List exact origins such as https://app.example.com or http://localhost:3000, separated by commas; "*" and paths are not allowed.`,
      );
    } else {
      origins.push(normalized);
    }
  }
  if (requested.length === 0) {
    reader.report('CORS_ORIGINS', 'is empty. List the origins of your single-page apps, or unset it for http://localhost:3000.');
  }

  return {
    origins,
    preflightMaxAgeSeconds: reader.integer('CORS_MAX_AGE', 600, { min: 0, max: 86_400, unit: 'seconds' }),
  };
}

/** Returns the serialized origin, or undefined unless the value is exactly an http(s) origin. */
function normalizeOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    const isBareOrigin = url.pathname === '/' && url.search === '' && url.hash === '' && !value.endsWith('/');
    if ((url.protocol === 'https:' || url.protocol === 'http:') && isBareOrigin && url.username === '') {
      return url.origin;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

export const corsConfig = registerAs('cors', (): CorsConfig => parseEnvironment(process.env, readCorsConfig));
