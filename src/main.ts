import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { INestApplication, Logger, LoggerService } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule, AppModuleOptions } from './app.module';
import type { AuthConfig } from './auth/auth-config.type';
import type { CorsConfig } from './config/cors.config';
import { ConfigValidationError } from './config/env-reader';
import { validateEnvironment } from './config/validate-environment';

export interface CreateAppOptions extends AppModuleOptions {
  /** Replaces Nest's console logger. */
  logger?: LoggerService;
}

/** Creates the application with CORS and shutdown hooks, not yet listening. Tests use this too. */
export async function createApp(options: CreateAppOptions = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(options), {
    abortOnError: false,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  app.disable('x-powered-by');

  const cors = app.get(ConfigService).getOrThrow<CorsConfig>('cors');
  app.enableCors({
    origin: cors.origins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
    exposedHeaders: ['WWW-Authenticate', 'X-Request-Id', 'Retry-After'],
    maxAge: cors.preflightMaxAgeSeconds,
  });
  app.enableShutdownHooks();
  return app;
}

/** Validates the environment, `.env` included, before Nest starts, so a mistake prints one clear message and no stack trace. */
function checkEnvironment(logger: Logger): void {
  const fileEnv = existsSync('.env') ? parseEnv(readFileSync('.env', 'utf8')) : {};
  try {
    validateEnvironment({ ...fileEnv, ...process.env });
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) {
      throw error;
    }
    logger.error(error.message);
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
  const port = config.getOrThrow<number>('http.port');
  const host = config.get<string>('http.host');
  const auth = config.getOrThrow<AuthConfig>('auth');
  await (host === undefined ? app.listen(port) : app.listen(port, host));

  logger.log(`Listening on ${await app.getUrl()}`);
  logger.log(
    `Trusting issuer ${auth.issuer} (${auth.issuerSource}), audience ${auth.audience}, algorithms ${auth.algorithms.join(',')}, keys from ${auth.jwks.uri ?? `the jwks_uri in ${auth.issuer}'s metadata`}`,
  );
}

if (require.main === module) {
  void bootstrap();
}
