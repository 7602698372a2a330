import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { PassportModule } from '@nestjs/passport';
import { authConfig } from './auth.config';
import { ACCESS_TOKEN_VERIFIER } from './auth.constants';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { AccessTokenVerifier } from './verification/access-token-verifier';
import { JwksKeyStore } from './verification/jwks-key-store';

/** Bearer access token authentication. Import it and guard routes with `JwtAuthGuard`. */
@Module({
  imports: [PassportModule],
  providers: [
    {
      provide: ACCESS_TOKEN_VERIFIER,
      inject: [authConfig.KEY],
      useFactory: (config: ConfigType<typeof authConfig>) => new AccessTokenVerifier(config, new JwksKeyStore(config.jwks)),
    },
    JwtStrategy,
    JwtAuthGuard,
  ],
  exports: [JwtAuthGuard],
})
export class AuthModule {}
