import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { OAuth2Server } from 'oauth2-mock-server';
import { authConfig } from '../auth/auth.config';
import { DEV_ISSUER_HOST } from './dev-issuer.constants';
import { createDevelopmentServer } from './dev-issuer';

/** Runs the built-in development issuer on loopback when no real issuer is configured. */
@Injectable()
export class DevIssuerService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('DevelopmentIssuer');
  private server: OAuth2Server | undefined;

  constructor(@Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>) {}

  async onModuleInit(): Promise<void> {
    const settings = this.config.developmentIssuer;
    if (settings === undefined) {
      return;
    }

    const server = await createDevelopmentServer(settings.port, settings.keyFile);
    try {
      await server.start(settings.port, DEV_ISSUER_HOST);
    } catch (error) {
      throw new Error(
        `Development issuer cannot listen on ${DEV_ISSUER_HOST}:${settings.port}. Free the port or set DEV_ISSUER_PORT to another one.`,
        { cause: error },
      );
    }
    this.server = server;
    this.logger.warn(
      `DEVELOPMENT ISSUER in use: trusting only ${this.config.issuer} (audience ${this.config.audience}), key in ${settings.keyFile}. ` +
        'Not for production: set AUTH_ISSUER_URL and AUTH_AUDIENCE to use a real provider. Get a token with: npm run -s token',
    );
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.server?.listening) {
      await this.server.stop();
    }
  }
}
