import { KeyObject } from 'node:crypto';
import type { VerifyOptions } from 'jsonwebtoken';
import type { AuthConfig, SigningAlgorithm } from '../auth-config.type';
import { InvalidTokenError, TokenContext } from './auth-errors';
import { JoseHeader } from './jose-header';

/** Registered claims of a JWT access token (RFC 7519 section 4.1, RFC 9068 section 2.2), plus any others. */
export interface AccessTokenClaims {
  iss: string;
  aud: string | string[];
  exp: number;
  sub?: string;
  iat?: number;
  nbf?: number;
  jti?: string;
  client_id?: string;
  scope?: string;
  [claim: string]: unknown;
}

/** A key from the JWKS, imported once, with the `alg` its JWK declared, if any. */
export interface VerificationKey {
  key: KeyObject;
  /** `key.asymmetricKeyType`, read once at import: the getter calls into C++ and allocates on every access. */
  keyType: string | undefined;
  /** RSA modulus length in bits, or undefined for other key types. */
  modulusLength: number | undefined;
  /** EC curve name, or undefined for other key types. */
  namedCurve: string | undefined;
  /** The key's SPKI in PEM form, which identifies the key material whatever its `kid`. */
  fingerprint: string;
  kid: string | undefined;
  jwkAlgorithm: string | undefined;
}

/** Header parameters that carry or point to a key; a verifier that honours them lets the token choose its own key (RFC 8725 section 3.10). */
const KEY_CARRYING_PARAMETERS = ['jwk', 'jku', 'x5u', 'x5c'];
const ACCESS_TOKEN_TYPES = ['at+jwt', 'application/at+jwt'];
const DEFAULT_PROFILE_TYPES = ['jwt', 'application/jwt', ...ACCESS_TOKEN_TYPES];
const MIN_RSA_MODULUS_BITS = 2048;
const EC_CURVES: Record<string, string> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' };

/**
 * The rules a token must meet beyond its signature: which algorithms, header
 * parameters, keys and claims are acceptable. Built once from `AuthConfig`.
 */
export class TokenPolicy {
  private readonly allowedAlgorithms: ReadonlySet<string>;

  constructor(private readonly config: AuthConfig) {
    this.allowedAlgorithms = new Set(config.algorithms);
  }

  /** Options for the signature, `exp`, `nbf`, `iss` and `aud` checks done by jsonwebtoken. */
  get verifyOptions(): VerifyOptions {
    return {
      algorithms: [...this.config.algorithms],
      issuer: this.config.issuer,
      audience: this.config.audience,
      clockTolerance: this.config.clockToleranceSeconds,
      ignoreExpiration: false,
    };
  }

  checkTokenLength(token: string): void {
    if (token.length > this.config.maxTokenLength) {
      throw new InvalidTokenError('token_too_long', `token is longer than ${this.config.maxTokenLength} characters`);
    }
  }

  checkHeader(header: JoseHeader): void {
    const context = contextOf(header);

    if (!this.allowedAlgorithms.has(header.alg)) {
      throw new InvalidTokenError('algorithm_not_allowed', `"alg" is not one of ${this.config.algorithms.join(', ')}`, context);
    }

    const carried = KEY_CARRYING_PARAMETERS.filter((parameter) => parameter in header);
    if (carried.length > 0) {
      throw new InvalidTokenError('embedded_key_not_allowed', `header contains key parameter "${carried[0]}"`, context);
    }

    // RFC 7515 section 4.1.11: a recipient that does not understand a listed extension must reject the token, and this service understands none.
    if (header.crit !== undefined || header.b64 !== undefined) {
      throw new InvalidTokenError('critical_header_unsupported', 'header uses "crit" or "b64", which are not supported', context);
    }

    const type = header.typ?.toLowerCase();
    const acceptedTypes = this.config.tokenProfile === 'rfc9068' ? ACCESS_TOKEN_TYPES : DEFAULT_PROFILE_TYPES;
    if (this.config.tokenProfile === 'rfc9068' ? !acceptedTypes.includes(type ?? '') : type !== undefined && !acceptedTypes.includes(type)) {
      throw new InvalidTokenError('token_type_invalid', `"typ" must be one of ${acceptedTypes.join(', ')}`, context);
    }
  }

  /** Checks that a key from the JWKS may verify a token with this `alg` (RFC 8725 sections 3.1 and 3.5). */
  checkKey(verificationKey: VerificationKey, header: JoseHeader): void {
    const context = contextOf(header);
    const algorithm = header.alg as SigningAlgorithm;
    const { jwkAlgorithm } = verificationKey;

    if (jwkAlgorithm !== undefined && jwkAlgorithm !== algorithm) {
      throw new InvalidTokenError('key_algorithm_mismatch', `key is for "${jwkAlgorithm}", token uses another "alg"`, context);
    }

    const family = algorithm.slice(0, 2);
    const { keyType, modulusLength, namedCurve } = verificationKey;
    if (family === 'RS' || family === 'PS') {
      const rsaAllowed = keyType === 'rsa' || (family === 'PS' && keyType === 'rsa-pss');
      if (!rsaAllowed) {
        throw new InvalidTokenError('key_algorithm_mismatch', `key type "${keyType}" cannot verify an RSA signature`, context);
      }
      if ((modulusLength ?? 0) < MIN_RSA_MODULUS_BITS) {
        throw new InvalidTokenError('key_unusable', `RSA key is shorter than ${MIN_RSA_MODULUS_BITS} bits`, context);
      }
      return;
    }

    if (keyType !== 'ec' || namedCurve !== EC_CURVES[algorithm]) {
      throw new InvalidTokenError('key_algorithm_mismatch', `key type "${keyType}" or its curve does not match the token's "alg"`, context);
    }
  }

  /**
   * Checks the claims jsonwebtoken leaves alone: required and well-typed
   * `exp`, `iat` not in the future, optional maximum age and the RFC 9068
   * required claims. Runs after the signature, `exp`, `nbf`, `iss` and `aud`
   * checks have passed.
   */
  checkClaims(payload: unknown, header: JoseHeader, nowSeconds = Date.now() / 1000): AccessTokenClaims {
    const context = contextOf(header);
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new InvalidTokenError('token_malformed', 'payload is not a JSON object', context);
    }

    const claims = payload as Record<string, unknown>;
    const tolerance = this.config.clockToleranceSeconds;
    context.issuer = typeof claims.iss === 'string' ? claims.iss : undefined;

    if (claims.exp === undefined) {
      throw new InvalidTokenError('claim_missing', '"exp" claim is required', context);
    }
    for (const name of ['exp', 'nbf', 'iat']) {
      if (claims[name] !== undefined && !isNumericDate(claims[name])) {
        throw new InvalidTokenError('claim_invalid', `"${name}" claim must be a NumericDate`, context);
      }
    }

    const issuedAt = claims.iat as number | undefined;
    if (issuedAt !== undefined && issuedAt > nowSeconds + tolerance) {
      throw new InvalidTokenError('token_issued_in_future', '"iat" claim is in the future', context);
    }

    const maxAge = this.config.maxTokenAgeSeconds;
    if (maxAge !== undefined) {
      if (issuedAt === undefined) {
        throw new InvalidTokenError('claim_missing', '"iat" claim is required when a maximum token age is set', context);
      }
      if (nowSeconds - issuedAt > maxAge + tolerance) {
        throw new InvalidTokenError('token_too_old', `token is older than ${maxAge} seconds`, context);
      }
    }

    for (const name of ['sub', 'jti', 'client_id', 'scope']) {
      if (claims[name] !== undefined && typeof claims[name] !== 'string') {
        throw new InvalidTokenError('claim_invalid', `"${name}" claim must be a string`, context);
      }
    }

    if (this.config.tokenProfile === 'rfc9068') {
      for (const name of ['sub', 'client_id', 'iat', 'jti']) {
        if (claims[name] === undefined) {
          throw new InvalidTokenError('claim_missing', `"${name}" claim is required by the RFC 9068 profile`, context);
        }
      }
    }

    return claims as AccessTokenClaims;
  }

  /** Last moment, in epoch milliseconds, at which these claims still pass the time checks. */
  validUntilMs(claims: AccessTokenClaims): number {
    const tolerance = this.config.clockToleranceSeconds;
    const maxAge = this.config.maxTokenAgeSeconds;
    const expiry = claims.exp + tolerance;
    const ageLimit = maxAge === undefined || claims.iat === undefined ? Number.POSITIVE_INFINITY : claims.iat + maxAge + tolerance;
    return Math.min(expiry, ageLimit) * 1000;
  }
}

/** RFC 7519 section 2: a JSON number of seconds since the epoch; huge or non-finite values are rejected. */
function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value < 1e11;
}

export function contextOf(header: JoseHeader): TokenContext {
  return { kid: header.kid, alg: header.alg.slice(0, 16) };
}
