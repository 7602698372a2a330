import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { parseEnv } from 'node:util';
import { INestApplication, Logger, LoggerService } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { AppModule, AppModuleOptions } from './app.module';
import { assignRequestId } from './common/request-id';
import type { AuthConfig } from './auth/auth-config.type';
import { enableGracefulShutdown } from './common/graceful-shutdown';
import type { CorsConfig } from './config/cors.config';
import { ConfigValidationError } from './config/env-reader';
import type { HttpConfig } from './config/http.config';
import { validateEnvironment } from './config/validate-environment';
import type { OpenApiConfig } from './docs/openapi.config';
import { DOCS_PATH, setUpOpenApi } from './docs/openapi';
import type { MetricsConfig } from './observability/metrics.config';
import { httpMetricsMiddleware, METRICS_PATH, metricsEndpoint } from './observability/metrics.http';
import { MetricsService } from './observability/metrics.service';

export interface CreateAppOptions extends AppModuleOptions {
  /** Replaces the pino logger for Nest's `Logger`; pino still writes the per-request lines. */
  logger?: LoggerService;
}

/**
 * Creates the application with its logger, security headers, body limit,
 * metrics endpoint, CORS and API documentation, not yet listening. Tests
 * use this too.
 */
export async function createApp(options: CreateAppOptions = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(options), {
    abortOnError: false,
    ...(options.logger === undefined ? { bufferLogs: true } : { logger: options.logger }),
  });
  app.useLogger(options.logger ?? app.get(PinoNestLogger));
  app.disable('x-powered-by');
  // API responses are small and never requested conditionally; Express would hash every body to build an ETag.
  app.set('etag', false);
  // First of all middleware, so that even a body the parser rejects gets an id in its error response.
  app.use(assignRequestId);

  const config = app.get(ConfigService);
  const http = config.getOrThrow<HttpConfig>('http');
  // The service speaks plain HTTP behind a TLS terminator, and upgrade-insecure-requests would make
  // browsers fetch Swagger UI's assets over https from it when it is reached directly.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));

  // Mounted on Express ahead of Nest's router, so no Nest guard or middleware ever runs for it.
  const metrics = config.getOrThrow<MetricsConfig>('metrics');
  if (metrics.enabled) {
    const service = app.get(MetricsService);
    app.use(METRICS_PATH, metricsEndpoint(service, metrics));
    app.use(httpMetricsMiddleware(service));
  }

  const cors = config.getOrThrow<CorsConfig>('cors');
  app.enableCors({
    origin: cors.origins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
    exposedHeaders: ['WWW-Authenticate', 'X-Request-Id', 'Retry-After'],
    maxAge: cors.preflightMaxAgeSeconds,
  });
  app.useBodyParser('json', { limit: http.bodyLimitBytes });
  app.useBodyParser('urlencoded', { limit: http.bodyLimitBytes, extended: false });

  if (config.getOrThrow<OpenApiConfig>('openapi').enabled) {
    setUpOpenApi(app);
  }
  return app;
}

/** Validates the environment, `.env` included, before Nest starts, so a mistake prints one clear message and no stack trace. */
function checkEnvironment(logger: Logger): void {
  const env = { ...(existsSync('.env') ? parseEnv(readFileSync('.env', 'utf8')) : {}), ...process.env };
  try {
    validateEnvironment(env);
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) {
      throw error;
    }
    // pino is not running yet; in production write the same JSON line shape it would, so log collectors can parse it.
    if (env.NODE_ENV === 'production' || env.LOG_FORMAT === 'json') {
      process.stderr.write(`${JSON.stringify({ level: 60, time: Date.now(), context: 'Bootstrap', msg: error.message, problems: error.problems })}\n`);
    } else {
      logger.error(error.message);
    }
    process.exit(1);
  }
}

async function bootstrap(): Promise<void> {
  const logger = new Logger('Bootstrap');
  checkEnvironment(logger);

  let app: INestApplication;
  try {
    app = await createApp();
  } catch (error) {
    logger.error('Start-up failed', error instanceof Error ? error.stack : String(error));
    process.exit(1);
  }

  const config = app.get(ConfigService);
  const http = config.getOrThrow<HttpConfig>('http');
  const auth = config.getOrThrow<AuthConfig>('auth');
  await (http.host === undefined ? app.listen(http.port) : app.listen(http.port, http.host));
  enableGracefulShutdown(app, { timeoutMs: http.shutdownTimeoutMs, logger });

  const { port } = app.getHttpServer().address() as AddressInfo;
  logger.log(`Listening on http://${http.host ?? 'localhost'}:${port} (${http.host === undefined ? 'all interfaces' : 'this interface only'})`);
  logger.log(
    `Trusting issuer ${auth.issuer} (${auth.issuerSource}), audience ${auth.audience}, algorithms ${auth.algorithms.join(',')}, keys from ${auth.jwks.uri ?? `the jwks_uri in ${auth.issuer}'s metadata`}`,
  );
  logger.log(describeOperations(config));
}

function describeOperations(config: ConfigService): string {
  const metrics = config.getOrThrow<MetricsConfig>('metrics');
  const docs = config.getOrThrow<OpenApiConfig>('openapi');
  const metricsState = metrics.enabled ? `${METRICS_PATH} (${metrics.token === undefined ? 'open' : 'token required'})` : 'off';
  return `Metrics at ${metricsState}, API documentation ${docs.enabled ? `at /${DOCS_PATH}` : 'off'}`;
}

if (require.main === module) {
  void bootstrap();
}
