import { StacklessError } from '../../common/stackless-error';

/**
 * Stable codes for why a token was rejected. They appear in logs and
 * metrics, never in responses, so a client cannot learn which check failed.
 */
export type InvalidTokenReason =
  | 'token_too_long'
  | 'token_malformed'
  | 'header_invalid'
  | 'algorithm_not_allowed'
  | 'embedded_key_not_allowed'
  | 'critical_header_unsupported'
  | 'token_type_invalid'
  | 'key_not_found'
  | 'key_unusable'
  | 'key_algorithm_mismatch'
  | 'signature_invalid'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'token_issued_in_future'
  | 'token_too_old'
  | 'issuer_mismatch'
  | 'audience_mismatch'
  | 'claim_missing'
  | 'claim_invalid';

/** Details that identify a rejected token in logs without revealing it. */
export interface TokenContext {
  kid?: string;
  alg?: string;
  issuer?: string;
}

/** The token is invalid, which the service returns as 401 with `error="invalid_token"`. */
export class InvalidTokenError extends StacklessError {
  override readonly name = 'InvalidTokenError';

  constructor(
    readonly reason: InvalidTokenReason,
    message: string,
    readonly context: TokenContext = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The signing keys could not be obtained because the JWKS endpoint failed.
 * The token may be valid, so the service returns 503, not 401.
 */
export class KeySetUnavailableError extends StacklessError {
  override readonly name = 'KeySetUnavailableError';
  readonly reason = 'jwks_unavailable';

  constructor(
    message: string,
    readonly context: TokenContext = {},
    readonly retryAfterSeconds = 30,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
