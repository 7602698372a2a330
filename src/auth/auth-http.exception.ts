import { HttpException, HttpStatus } from '@nestjs/common';
import type { ExceptionWithHeaders } from '../common/error-response.filter';
import { withoutStackTrace } from '../common/stackless-error';
import { InvalidRequestError, MissingCredentialsError } from './request/bearer-token';
import { BearerErrorCode, formatBearerChallenge } from './request/www-authenticate';
import { InsufficientScopeError } from './scope-requirement';
import { InvalidTokenError, KeySetUnavailableError } from './verification/auth-errors';

/** One description for every invalid token, so a client cannot tell which check failed. */
export const INVALID_TOKEN_DESCRIPTION = 'The access token is invalid or has expired';

/** An authentication failure as the HTTP response that RFC 6750 section 3 prescribes. */
export class AuthHttpException extends HttpException implements ExceptionWithHeaders {
  constructor(
    status: number,
    readonly reason: string,
    body: { error: string; message: string },
    readonly headers: Readonly<Record<string, string>>,
    cause: unknown,
  ) {
    super(body, status, { cause });
  }
}

/** Translates a failure from the request or verification layer; returns undefined for anything else. */
export function toAuthHttpException(error: unknown, realm: string): AuthHttpException | undefined {
  if (error instanceof MissingCredentialsError) {
    return challenge(HttpStatus.UNAUTHORIZED, error.reason, realm, undefined, 'An access token is required', error);
  }
  if (error instanceof InvalidRequestError) {
    return challenge(HttpStatus.BAD_REQUEST, error.reason, realm, 'invalid_request', error.description, error);
  }
  if (error instanceof InvalidTokenError) {
    return challenge(HttpStatus.UNAUTHORIZED, error.reason, realm, 'invalid_token', INVALID_TOKEN_DESCRIPTION, error);
  }
  if (error instanceof InsufficientScopeError) {
    // RFC 6750 section 3.1: 403, with the scope needed to access the resource in the challenge.
    const scope = error.requirement.scopes.join(' ');
    return challenge(HttpStatus.FORBIDDEN, error.reason, realm, 'insufficient_scope', error.message, error, scope);
  }
  if (error instanceof KeySetUnavailableError) {
    // The token may be valid: a 401 here would push a single-page app into a login loop, so ask it to retry instead.
    return withoutStackTrace(() => new AuthHttpException(
      HttpStatus.SERVICE_UNAVAILABLE,
      error.reason,
      { error: 'temporarily_unavailable', message: 'The signing keys of the identity provider cannot be fetched; retry later' },
      { 'Retry-After': String(error.retryAfterSeconds) },
      error,
    ));
  }
  return undefined;
}

function challenge(
  status: number,
  reason: string,
  realm: string,
  code: BearerErrorCode | undefined,
  description: string,
  cause: unknown,
  scope?: string,
): AuthHttpException {
  const header = formatBearerChallenge({ realm, error: code, errorDescription: code === undefined ? undefined : description, scope });
  return withoutStackTrace(
    () => new AuthHttpException(status, reason, { error: code ?? 'unauthorized', message: description }, { 'WWW-Authenticate': header }, cause),
  );
}
