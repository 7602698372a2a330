import { readAuthConfig } from '../auth/auth.config';
import { readCorsConfig } from './cors.config';
import { ConfigValidationError, EnvReader, Environment } from './env-reader';
import { readOpenApiConfig } from '../docs/openapi.config';
import { readLoggingConfig } from '../observability/logging.config';
import { readMetricsConfig } from '../observability/metrics.config';
import { readHttpConfig } from './http.config';

/**
 * Validates every namespace at once, so a start-up with several mistakes
 * reports all of them. Passed to `ConfigModule.forRoot({ validate })`.
 */
export function validateEnvironment(env: Environment): Environment {
  const reader = new EnvReader(env);
  readHttpConfig(reader);
  readCorsConfig(reader);
  readAuthConfig(reader);
  readLoggingConfig(reader);
  readMetricsConfig(reader);
  readOpenApiConfig(reader);

  if (reader.problems.length > 0) {
    throw new ConfigValidationError(reader.problems);
  }
  return env;
}
