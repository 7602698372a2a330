import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { authConfig } from './auth.config';
import { JwksKeyStore, KeyStoreListener } from './verification/jwks-key-store';

/** Owns the JWKS key store for the application's lifetime and logs its state changes. */
@Injectable()
export class SigningKeysService implements OnApplicationBootstrap, OnApplicationShutdown, KeyStoreListener {
  readonly store: JwksKeyStore;
  private readonly logger = new Logger('SigningKeys');

  constructor(@Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>) {
    this.store = new JwksKeyStore(config.jwks, this);
  }

  onApplicationBootstrap(): void {
    this.store.start();
  }

  onApplicationShutdown(): void {
    this.store.stop();
  }

  keysLoaded(event: Parameters<KeyStoreListener['keysLoaded']>[0]): void {
    const summary = `from ${event.jwksUri}: ${event.usableKeys} usable, kids ${JSON.stringify(event.keyIds)}`;
    if (event.previouslyFailing) {
      this.logger.log(`JWKS fetch recovered, keys loaded ${summary}`);
    } else {
      this.logger.log(`JWKS keys loaded ${summary}`);
    }
  }

  fetchFailed(event: Parameters<KeyStoreListener['fetchFailed']>[0]): void {
    const { cacheMaxAgeMs, staleWindowMs, cooldownMs } = this.config.jwks;
    const consequence = event.servingStaleKeys
      ? `cached keys stay in use until they are ${cacheMaxAgeMs + staleWindowMs} ms old`
      : 'no keys are available, so requests that need one get 503';
    this.logger.warn(
      `JWKS fetch failed for issuer ${this.config.issuer}: ${event.error.message}; ${consequence}; retrying every ${cooldownMs} ms and logging again only after recovery`,
    );
  }
}
