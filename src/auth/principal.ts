import type { AccessTokenClaims } from './verification/token-policy';

export type { AccessTokenClaims };

/** The caller, as established by a verified access token. */
export interface Principal {
  /** `sub`: the user or client the token was issued for. */
  subject: string | undefined;
  issuer: string;
  /** `aud`, always as an array. */
  audience: string[];
  /** Scopes granted by the token, read from `scope`. */
  scopes: string[];
  /** `client_id` (RFC 9068) or Auth0's `azp`, when present. */
  clientId: string | undefined;
  expiresAt: Date;
  /** Every claim of the verified token. */
  claims: AccessTokenClaims;
}

export function toPrincipal(claims: AccessTokenClaims): Principal {
  const clientId = claims.client_id ?? (typeof claims.azp === 'string' ? claims.azp : undefined);
  return {
    subject: claims.sub,
    issuer: claims.iss,
    audience: Array.isArray(claims.aud) ? claims.aud : [claims.aud],
    scopes: claims.scope === undefined ? [] : claims.scope.split(' ').filter((scope) => scope !== ''),
    clientId,
    expiresAt: new Date(claims.exp * 1000),
    claims,
  };
}
