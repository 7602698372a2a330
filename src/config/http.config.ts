import { registerAs } from '@nestjs/config';
import { EnvReader, parseEnvironment } from './env-reader';

export interface HttpConfig {
  /** TCP port of the API. Default 3001. */
  port: number;
  /** Interface to listen on. Default all interfaces (unset). */
  host: string | undefined;
}

export function readHttpConfig(reader: EnvReader): HttpConfig {
  return {
    port: reader.integer('PORT', 3001, { min: 0, max: 65_535, unit: 'port number' }),
    host: reader.optional('HOST'),
  };
}

export const httpConfig = registerAs('http', (): HttpConfig => parseEnvironment(process.env, readHttpConfig));
