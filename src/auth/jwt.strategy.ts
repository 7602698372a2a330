import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { withoutStackTrace } from '../common/stackless-error';
import type { Request } from 'express';
import { Strategy } from 'passport-jwt';
import { authConfig } from './auth.config';
import { ACCESS_TOKEN_VERIFIER, JWT_STRATEGY } from './auth.constants';
import { Principal, toPrincipal } from './principal';
import { SigningKeysService } from './signing-keys.service';
import { AccessTokenVerifier } from './verification/access-token-verifier';
import type { JoseHeader } from './verification/jose-header';
import { contextOf } from './verification/token-policy';

/** Values the guard and the strategy pass to each other on the request. */
export interface AuthenticatedRequest extends Request {
  accessToken?: string;
  accessTokenHeader?: JoseHeader;
  /** Fingerprint of the key that verified the token. */
  accessTokenKey?: string;
  /** Cache key of the token, computed once by the guard. */
  accessTokenDigest?: string;
  user?: Principal;
}

type KeyCallback = (error: unknown, key?: string | Buffer) => void;

/**
 * passport-jwt strategy. jsonwebtoken checks the signature, `exp`, `nbf`,
 * `iss`, `aud` and `alg` with a key that jwks-rsa supplied and the verifier
 * vetted. `validate` then applies the remaining claim rules.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  constructor(
    @Inject(ACCESS_TOKEN_VERIFIER) private readonly verifier: AccessTokenVerifier,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    private readonly signingKeys: SigningKeysService,
  ) {
    const { verifyOptions } = verifier.policy;
    super({
      jwtFromRequest: (request: AuthenticatedRequest) => request.accessToken ?? null,
      secretOrKeyProvider: (request: AuthenticatedRequest, token: string, done: KeyCallback) => {
        verifier.resolveKey(token).then(
          ({ header, key }) => {
            request.accessTokenHeader = header;
            request.accessTokenKey = key.fingerprint;
            try {
              // jsonwebtoken 9 accepts a KeyObject and then skips its own PEM parsing. It verifies synchronously inside
              // `done` and builds a JsonWebTokenError for each rejected token; without the stack trace that costs far less.
              withoutStackTrace(() => done(null, key.key as unknown as Buffer));
            } catch (error) {
              // passport-jwt runs jsonwebtoken synchronously inside `done`; a throw there must fail this request, not the process.
              done(error);
            }
          },
          (error: unknown) => done(error),
        );
      },
      passReqToCallback: true,
      issuer: verifyOptions.issuer as string,
      audience: verifyOptions.audience as string,
      algorithms: verifyOptions.algorithms,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: verifyOptions.clockTolerance },
    });
  }

  validate(request: AuthenticatedRequest, payload: unknown): Principal {
    const header = request.accessTokenHeader as JoseHeader;
    const claims = this.verifier.checkClaims(payload, header);
    const principal = freezePrincipal(toPrincipal(claims, this.config.scopeClaims, { ...contextOf(header), issuer: claims.iss }));

    // The principal is shared by every request that sends this token again, so it is frozen above.
    const { accessTokenDigest, accessTokenKey } = request;
    if (accessTokenDigest !== undefined && accessTokenKey !== undefined) {
      this.signingKeys.verifiedTokens.set(accessTokenDigest, principal, accessTokenKey, this.verifier.policy.validUntilMs(claims));
    }
    return principal;
  }
}

function freezePrincipal(principal: Principal): Principal {
  Object.freeze(principal.audience);
  Object.freeze(principal.scopes);
  return Object.freeze(principal);
}
