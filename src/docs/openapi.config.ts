import { registerAs } from '@nestjs/config';
import { EnvReader, parseEnvironment } from '../config/env-reader';

export interface OpenApiConfig {
  /** Serve Swagger UI at `/docs` and the OpenAPI document at `/docs-json`. Default false when NODE_ENV=production, true otherwise. */
  enabled: boolean;
}

export function readOpenApiConfig(reader: EnvReader): OpenApiConfig {
  return { enabled: reader.boolean('SWAGGER_ENABLED', reader.optional('NODE_ENV') !== 'production') };
}

export const openApiConfig = registerAs('openapi', (): OpenApiConfig => parseEnvironment(process.env, readOpenApiConfig));
