import { ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { AuthGuard } from '@nestjs/passport';
import type { RequestWithId } from '../common/request-id';
import { recordAuthAccepted, recordAuthRejected } from '../observability/auth-outcome';
import { authConfig } from './auth.config';
import { JWT_STRATEGY } from './auth.constants';
import { AuthHttpException, toAuthHttpException } from './auth-http.exception';
import type { AuthenticatedRequest } from './jwt.strategy';
import { Principal } from './principal';
import { extractBearerToken } from './request/bearer-token';
import { InvalidTokenError, KeySetUnavailableError } from './verification/auth-errors';
import { readUntrustedIssuer } from './verification/access-token-verifier';
import { fromJsonWebTokenError } from './verification/jsonwebtoken-errors';
import { contextOf } from './verification/token-policy';

type GuardedRequest = AuthenticatedRequest & RequestWithId;

/**
 * Requires a valid bearer access token. Every failure is logged once with
 * its reason code and returned as RFC 6750 prescribes. The token itself is never logged.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard(JWT_STRATEGY) {
  private readonly logger = new Logger('Authentication');

  constructor(@Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<GuardedRequest>();
    try {
      request.accessToken = extractBearerToken(request);
      return (await super.canActivate(context)) as boolean;
    } catch (error) {
      throw this.reject(error, request);
    }
  }

  override handleRequest<TUser = Principal>(error: unknown, user: TUser | false, info: unknown, context: ExecutionContext): TUser {
    if (error === null && user) {
      recordAuthAccepted(context.switchToHttp().getRequest());
      return user;
    }

    const failure = error ?? info;
    if (failure instanceof InvalidTokenError || failure instanceof KeySetUnavailableError) {
      throw failure;
    }
    const request = context.switchToHttp().getRequest<GuardedRequest>();
    const tokenContext = request.accessTokenHeader === undefined ? {} : contextOf(request.accessTokenHeader);
    throw fromJsonWebTokenError(failure, tokenContext);
  }

  private reject(error: unknown, request: GuardedRequest): unknown {
    const exception = toAuthHttpException(error, this.config.realm);
    if (exception === undefined) {
      return error;
    }
    this.log(exception, error, request);
    return exception;
  }

  private log(exception: AuthHttpException, error: unknown, request: GuardedRequest): void {
    const context = error instanceof InvalidTokenError || error instanceof KeySetUnavailableError ? error.context : {};
    const issuer = context.issuer ?? (request.accessToken === undefined ? undefined : readUntrustedIssuer(request.accessToken));
    const fields = [
      `reason=${exception.reason}`,
      `status=${exception.getStatus()}`,
      `kid=${JSON.stringify(context.kid ?? null)}`,
      `iss=${JSON.stringify(issuer ?? null)}`,
      `request_id=${request.id ?? '-'}`,
    ].join(' ');
    recordAuthRejected(request, exception.reason, exception.getStatus());

    if (error instanceof KeySetUnavailableError) {
      this.logger.warn(`access token not verified, JWKS unavailable: ${fields} detail=${JSON.stringify(error.message)}`);
    } else {
      this.logger.log(`access token rejected: ${fields}`);
    }
  }
}
