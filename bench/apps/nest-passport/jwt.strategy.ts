import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { passportJwtSecret } from 'jwks-rsa';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { readBaselineEnv } from '../app-env';

/** The strategy as Auth0's NestJS samples write it: jwks-rsa supplies a PEM key per request. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor() {
    const env = readBaselineEnv();
    super({
      secretOrKeyProvider: passportJwtSecret({
        cache: true,
        rateLimit: true,
        jwksRequestsPerMinute: 5,
        jwksUri: env.jwksUri,
      }),
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      audience: env.audience,
      issuer: env.issuer,
      algorithms: ['RS256'],
    });
  }

  validate(payload: unknown): unknown {
    return payload;
  }
}
