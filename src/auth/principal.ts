import { InvalidTokenError, TokenContext } from './verification/auth-errors';
import type { AccessTokenClaims } from './verification/token-policy';

export type { AccessTokenClaims };

/** The caller, as established by a verified access token. */
export interface Principal {
  /** `sub`: the user or client the token was issued for. */
  subject: string | undefined;
  issuer: string;
  /** `aud`, always as an array. */
  audience: string[];
  /** Scopes granted by the token: the union of the configured scope claims (`AUTH_SCOPE_CLAIMS`), without duplicates. */
  scopes: string[];
  /** `client_id` (RFC 9068) or Auth0's `azp`, when present. */
  clientId: string | undefined;
  expiresAt: Date;
  /** Every claim of the verified token. */
  claims: AccessTokenClaims;
}

/**
 * Builds the principal from verified claims. A scope claim that is neither
 * a string nor an array of strings makes the token invalid.
 */
export function toPrincipal(claims: AccessTokenClaims, scopeClaims: readonly string[], context: TokenContext): Principal {
  const clientId = claims.client_id ?? (typeof claims.azp === 'string' ? claims.azp : undefined);
  return {
    subject: claims.sub,
    issuer: claims.iss,
    audience: Array.isArray(claims.aud) ? claims.aud : [claims.aud],
    scopes: readScopes(claims, scopeClaims, context),
    clientId,
    expiresAt: new Date(claims.exp * 1000),
    claims,
  };
}

/** Reads scopes from claims that are a space-separated string (as `scope` is) or an array of strings (as Auth0's `permissions` is). */
function readScopes(claims: AccessTokenClaims, scopeClaims: readonly string[], context: TokenContext): string[] {
  const scopes = new Set<string>();
  for (const name of scopeClaims) {
    const value = claims[name];
    if (value === undefined) {
      continue;
    }

    if (typeof value === 'string') {
      value.split(' ').forEach((scope) => scopes.add(scope));
    } else if (Array.isArray(value) && value.every((scope) => typeof scope === 'string')) {
      value.forEach((scope) => scopes.add(scope));
    } else {
      throw new InvalidTokenError('claim_invalid', `"${name}" claim must be a string or an array of strings`, context);
    }
  }
  scopes.delete('');
  return [...scopes];
}
