import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { authConfig } from './auth.config';
import type { Principal } from './principal';
import type { InvalidTokenError } from './verification/auth-errors';
import { JwksKeyStore, KeyStoreListener } from './verification/jwks-key-store';
import { TokenCache } from './verification/token-cache';

/**
 * Owns the JWKS key store and the caches of accepted and rejected tokens
 * for the application's lifetime, drops cached results whose key left the
 * set, and logs the store's state changes.
 */
@Injectable()
export class SigningKeysService implements OnApplicationBootstrap, OnApplicationShutdown, KeyStoreListener {
  readonly store: JwksKeyStore;
  /** Tokens that passed every check, with their principal. */
  readonly verifiedTokens: TokenCache<Principal>;
  /** Tokens rejected for a reason that cannot change while the key set stays the same. */
  readonly rejectedTokens: TokenCache<InvalidTokenError>;
  private readonly logger = new Logger('SigningKeys');

  constructor(@Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>) {
    this.store = new JwksKeyStore(config.jwks, this);
    this.verifiedTokens = new TokenCache(config.verifiedTokenCache);
    this.rejectedTokens = new TokenCache(config.verifiedTokenCache);
  }

  onApplicationBootstrap(): void {
    this.store.start();
  }

  onApplicationShutdown(): void {
    this.store.stop();
  }

  keysLoaded(event: Parameters<KeyStoreListener['keysLoaded']>[0]): void {
    this.verifiedTokens.retainKeys(event.fingerprints);
    this.rejectedTokens.retainKeys(event.fingerprints);
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
