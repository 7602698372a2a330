import { ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { RequestWithId } from '../common/request-id';
import { recordAuthAccepted, recordAuthRejected } from '../observability/auth-outcome';
import { authConfig } from './auth.config';
import { JWT_STRATEGY } from './auth.constants';
import { AuthHttpException, toAuthHttpException } from './auth-http.exception';
import { AUTH_MODE, AuthMode } from './auth-mode.decorator';
import type { AuthenticatedRequest } from './jwt.strategy';
import { Principal } from './principal';
import { extractBearerToken, MissingCredentialsError } from './request/bearer-token';
import { assertScopes, InsufficientScopeError, ScopeRequirement } from './scope-requirement';
import { SCOPE_REQUIREMENTS } from './scopes.decorator';
import { SigningKeysService } from './signing-keys.service';
import { InvalidTokenError, InvalidTokenReason, KeySetUnavailableError, TokenContext } from './verification/auth-errors';
import { readUntrustedIssuer } from './verification/access-token-verifier';
import { fromJsonWebTokenError } from './verification/jsonwebtoken-errors';
import { tokenDigest } from './verification/token-cache';
import { contextOf } from './verification/token-policy';

type GuardedRequest = AuthenticatedRequest & RequestWithId;

/**
 * Rejection reasons that stay true for a given token string: time only makes
 * an expired token more expired, and a wrong issuer, audience or signature
 * never becomes right. Tokens rejected for these are remembered, so a client
 * that retries the same bad token costs no second signature check. Reasons
 * that can change (unknown `kid`, `nbf` or `iat` in the future, an
 * unreachable JWKS) are never remembered.
 */
const PERMANENT_REASONS: ReadonlySet<InvalidTokenReason> = new Set<InvalidTokenReason>([
  'token_malformed',
  'header_invalid',
  'algorithm_not_allowed',
  'embedded_key_not_allowed',
  'critical_header_unsupported',
  'token_type_invalid',
  'signature_invalid',
  'token_expired',
  'token_too_old',
  'issuer_mismatch',
  'audience_mismatch',
  'claim_missing',
  'claim_invalid',
]);

/** Authentication mode and scope requirements of a route, from its own and its controller's decorators. */
interface AccessRules {
  mode: AuthMode | 'required';
  requirements: ScopeRequirement[];
}

/**
 * Registered for every route by `AuthModule`. Requires a valid bearer
 * access token unless the route is `@Public()` or `@OptionalAuth()`, then
 * checks the route's scope requirements. Every failure is logged once
 * with its reason code and returned as RFC 6750 prescribes. The token
 * itself is never logged.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard(JWT_STRATEGY) {
  private readonly logger = new Logger('Authentication');

  constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    private readonly reflector: Reflector,
    private readonly signingKeys: SigningKeysService,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const rules = this.readAccessRules(context);
    if (rules.mode === 'public') {
      return true;
    }

    const request = context.switchToHttp().getRequest<GuardedRequest>();
    try {
      request.accessToken = extractBearerToken(request, this.config.tokenSources);
    } catch (error) {
      if (rules.mode === 'optional' && error instanceof MissingCredentialsError) {
        return true;
      }
      throw this.reject(error, request);
    }

    try {
      const token = request.accessToken;
      const digest = tokenDigest(token);
      request.accessTokenDigest = digest;
      const rejected = this.signingKeys.rejectedTokens.get(digest);
      if (rejected !== undefined) {
        throw rejected;
      }
      const cached = this.signingKeys.verifiedTokens.get(digest);
      if (cached === undefined) {
        await this.authenticate(context, request, token, digest);
      } else {
        request.user = cached;
        recordAuthAccepted(request);
      }
      // The principal came from the cache or from handleRequest, or an error was thrown.
      const principal = request.user as Principal;
      assertScopes(principal.scopes, rules.requirements, { kid: request.accessTokenHeader?.kid, issuer: principal.issuer });
      return true;
    } catch (error) {
      throw this.reject(error, request);
    }
  }

  /** Runs passport-jwt, and remembers a rejection whose reason cannot change for this token. */
  private async authenticate(context: ExecutionContext, request: GuardedRequest, token: string, digest: string): Promise<void> {
    try {
      await super.canActivate(context);
    } catch (error) {
      if (error instanceof InvalidTokenError && PERMANENT_REASONS.has(error.reason)) {
        // A bad signature depends on the key; the other reasons depend on the token alone.
        const keyFingerprint = error.reason === 'signature_invalid' ? request.accessTokenKey : undefined;
        if (error.reason !== 'signature_invalid' || keyFingerprint !== undefined) {
          // Decoded once here, so repeated rejections of this token log its issuer without decoding it again.
          error.context.issuer ??= readUntrustedIssuer(token);
          this.signingKeys.rejectedTokens.set(digest, error, keyFingerprint, Number.POSITIVE_INFINITY);
        }
      }
      throw error;
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

  private readAccessRules(context: ExecutionContext): AccessRules {
    const requirements = this.reflector
      .getAll<(ScopeRequirement[] | undefined)[]>(SCOPE_REQUIREMENTS, [context.getClass(), context.getHandler()])
      .flatMap((list) => list ?? []);
    if (requirements.length > 0) {
      // Scopes can only be checked on a principal, so a scope requirement overrides @Public() and @OptionalAuth().
      return { mode: 'required', requirements };
    }

    const mode = this.reflector.getAllAndOverride<AuthMode | undefined>(AUTH_MODE, [context.getHandler(), context.getClass()]);
    return { mode: mode ?? 'required', requirements };
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
    const context = contextOfError(error);
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
    } else if (error instanceof InsufficientScopeError) {
      this.logger.log(`access denied: ${fields} required_scope=${JSON.stringify(error.requirement.scopes.join(' '))} match=${error.requirement.match}`);
    } else {
      this.logger.log(`access token rejected: ${fields}`);
    }
  }
}

function contextOfError(error: unknown): TokenContext {
  const hasContext = error instanceof InvalidTokenError || error instanceof KeySetUnavailableError || error instanceof InsufficientScopeError;
  return hasContext ? error.context : {};
}
