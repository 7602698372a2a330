import { DynamicModule, MiddlewareConsumer, Module, NestModule, Type } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { authConfig } from './auth/auth.config';
import { AuthModule } from './auth/auth.module';
import { ErrorResponseFilter } from './common/error-response.filter';
import { assignRequestId } from './common/request-id';
import { corsConfig } from './config/cors.config';
import { httpConfig } from './config/http.config';
import { validateEnvironment } from './config/validate-environment';
import { DevIssuerModule } from './dev-issuer/dev-issuer.module';
import { openApiConfig } from './docs/openapi.config';
import { ExternalModule } from './external/external.module';
import { HealthModule } from './health/health.module';
import { MessagesModule } from './messages/messages.module';
import { loggingConfig } from './observability/logging.config';
import { metricsConfig } from './observability/metrics.config';
import { ObservabilityModule, ObservabilityOptions } from './observability/observability.module';

export interface AppModuleOptions extends ObservabilityOptions {
  /** Read variables from `.env` as well as from the environment. Default true. */
  envFile?: boolean;
  /** Further modules to import, so tests can add controllers that run behind the same global guard. */
  extraImports?: Array<Type<unknown> | DynamicModule>;
}

@Module({})
export class AppModule implements NestModule {
  /** Builds the module; configuration is read and validated when this is called. */
  static forRoot(options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: options.envFile === false,
          validate: validateEnvironment,
          load: [httpConfig, corsConfig, authConfig, loggingConfig, metricsConfig, openApiConfig],
        }),
        AuthModule,
        ObservabilityModule.forRoot({ logDestination: options.logDestination }),
        DevIssuerModule,
        ExternalModule,
        HealthModule,
        MessagesModule,
        ...(options.extraImports ?? []),
      ],
      providers: [{ provide: APP_FILTER, useClass: ErrorResponseFilter }],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(assignRequestId).forRoutes('*path');
  }
}
