import type { AuthConfig } from '../auth-config.type';
import { assertPayloadIsObject, decodeJoseHeader, JoseHeader } from './jose-header';
import { JwksKeyStore } from './jwks-key-store';
import { InvalidTokenError } from './auth-errors';
import { AccessTokenClaims, contextOf, TokenPolicy, VerificationKey } from './token-policy';

/**
 * Verification steps around the signature check that passport-jwt performs
 * with jsonwebtoken: everything before it (size, header, key) and after it
 * (claims jsonwebtoken does not check).
 */
export class AccessTokenVerifier {
  readonly policy: TokenPolicy;

  constructor(
    config: AuthConfig,
    private readonly keyStore: JwksKeyStore,
  ) {
    this.policy = new TokenPolicy(config);
  }

  /** Checks the token's size and header and returns the key that must verify it. */
  async resolveKey(token: string): Promise<{ header: JoseHeader; key: VerificationKey }> {
    this.policy.checkTokenLength(token);
    const header = decodeJoseHeader(token);
    this.policy.checkHeader(header);
    if (token.endsWith('.')) {
      throw new InvalidTokenError('token_malformed', 'token has no signature', contextOf(header));
    }
    assertPayloadIsObject(token, contextOf(header));

    const key = await this.keyStore.getKey(header);
    this.policy.checkKey(key, header);
    return { header, key };
  }

  checkClaims(payload: unknown, header: JoseHeader): AccessTokenClaims {
    return this.policy.checkClaims(payload, header);
  }
}

/**
 * Reads `iss` from a token that failed verification, for the log line only.
 * The value is untrusted, so it is cut short and limited to printable ASCII.
 */
export function readUntrustedIssuer(token: string): string | undefined {
  try {
    const payload: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    const issuer = (payload as { iss?: unknown } | null)?.iss;
    return typeof issuer === 'string' ? issuer.replace(/[^\x20-\x7e]/g, '?').slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}
