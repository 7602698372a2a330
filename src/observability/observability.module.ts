import { DynamicModule, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { JwksFetchObserver } from './jwks-fetch.observer';
import { loggingConfig } from './logging.config';
import { buildLoggerParams } from './logging.options';
import { MetricsService } from './metrics.service';

export interface ObservabilityOptions {
  /** Destination stream for pino in place of standard output. Tests pass a capturing stream. */
  logDestination?: DestinationStream;
}

/**
 * Structured logging (nestjs-pino) and Prometheus metrics. Import it once,
 * in the root module.
 *
 * NOTE: nestjs-pino keeps one root logger per process and builds it from
 * the first application's settings, so a second application created in the
 * same process (only tests do that) logs with the first one's level and
 * destination.
 */
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions = {}): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [loggingConfig.KEY],
          useFactory: (config: ConfigType<typeof loggingConfig>) => buildLoggerParams(config, options.logDestination),
        }),
      ],
      providers: [MetricsService, JwksFetchObserver],
      exports: [MetricsService],
    };
  }
}
