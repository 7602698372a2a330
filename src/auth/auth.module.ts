import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { TerminusModule } from '@nestjs/terminus';
import { authConfig } from './auth.config';
import { ACCESS_TOKEN_VERIFIER } from './auth.constants';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { SigningKeysHealthIndicator } from './signing-keys.health';
import { SigningKeysService } from './signing-keys.service';
import { AccessTokenVerifier } from './verification/access-token-verifier';

/**
 * Bearer access token authentication for every route of the application:
 * `JwtAuthGuard` is a global guard. The root module imports this module.
 * Feature modules need only the decorators, and a module imports
 * `AuthModule` only to inject `SigningKeysHealthIndicator`.
 */
@Module({
  imports: [PassportModule, TerminusModule],
  providers: [
    SigningKeysService,
    {
      provide: ACCESS_TOKEN_VERIFIER,
      inject: [authConfig.KEY, SigningKeysService],
      useFactory: (config: ConfigType<typeof authConfig>, signingKeys: SigningKeysService) =>
        new AccessTokenVerifier(config, signingKeys.store),
    },
    JwtStrategy,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    SigningKeysHealthIndicator,
  ],
  exports: [SigningKeysHealthIndicator],
})
export class AuthModule {}
