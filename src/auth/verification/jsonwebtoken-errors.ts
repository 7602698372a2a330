import { InvalidTokenError, InvalidTokenReason, TokenContext } from './auth-errors';

/**
 * jsonwebtoken 9 (used by passport-jwt) reports failures as
 * `JsonWebTokenError`, `TokenExpiredError` or `NotBeforeError`, and
 * distinguishes them only by message. This module maps them to stable reason codes.
 */
const REASON_BY_MESSAGE: ReadonlyArray<[RegExp, InvalidTokenReason]> = [
  [/^invalid signature$/, 'signature_invalid'],
  [/^jwt audience invalid/, 'audience_mismatch'],
  [/^jwt issuer invalid/, 'issuer_mismatch'],
  [/^invalid algorithm$/, 'algorithm_not_allowed'],
  [/^(jwt malformed|invalid token|jwt signature is required)$/, 'token_malformed'],
  [/^invalid (exp|nbf) value$/, 'claim_invalid'],
  [/must be an? (a)?symmetric key|^"alg" parameter|^Unknown key type|^Invalid key for this operation/, 'key_algorithm_mismatch'],
];

export function fromJsonWebTokenError(error: unknown, context: TokenContext): InvalidTokenError {
  if (error instanceof InvalidTokenError) {
    return error;
  }
  if (!(error instanceof Error)) {
    return new InvalidTokenError('token_malformed', 'token verification failed', context);
  }

  if (error.name === 'TokenExpiredError') {
    return new InvalidTokenError('token_expired', '"exp" claim timestamp check failed', context, { cause: error });
  }
  if (error.name === 'NotBeforeError') {
    return new InvalidTokenError('token_not_yet_valid', '"nbf" claim timestamp check failed', context, { cause: error });
  }

  const match = REASON_BY_MESSAGE.find(([pattern]) => pattern.test(error.message));
  const reason = match?.[1] ?? 'token_malformed';
  // jsonwebtoken's audience and issuer messages list only configured values, never token content, but a fixed message keeps logs uniform.
  return new InvalidTokenError(reason, `token verification failed: ${reason.replace(/_/g, ' ')}`, context, { cause: error });
}
