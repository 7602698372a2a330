import { generateKeyPairSync, KeyObject, randomUUID, sign } from 'node:crypto';

/** The signing key of the local issuer, with the public JWK its JWKS publishes. */
export interface IssuerKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: Record<string, unknown>;
}

/** Issuer, audience and lifetime of the minted tokens. */
export interface TokenClaimsTemplate {
  issuer: string;
  audience: string;
  /** Lifetime of each token, in seconds, long enough to outlast the whole run. */
  lifetimeSeconds: number;
}

/** Generates a fresh RS256 key pair (2048-bit modulus) for one benchmark run. */
export function generateIssuerKey(kid: string): IssuerKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    kid,
    privateKey,
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' },
  };
}

/**
 * Signs one RS256 access token. Each call gets its own `jti`, so every token
 * is distinct even when minted within the same second.
 */
export function mintToken(key: IssuerKey, template: TokenClaimsTemplate, subject: string): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'RS256', typ: 'JWT', kid: key.kid };
  const claims = {
    iss: template.issuer,
    aud: template.audience,
    sub: subject,
    client_id: 'bench-client',
    scope: 'read:messages',
    jti: randomUUID(),
    iat: now,
    nbf: now,
    exp: now + template.lifetimeSeconds,
  };
  const signingInput = `${encodeJson(header)}.${encodeJson(claims)}`;
  const signature = sign('sha256', Buffer.from(signingInput), key.privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/**
 * Returns the token with one byte of its signature changed, so header and
 * claims stay valid and only the signature check can reject it.
 */
export function withBadSignature(token: string): string {
  const lastDot = token.lastIndexOf('.');
  const signature = Buffer.from(token.slice(lastDot + 1), 'base64url');
  signature[signature.length >> 1] ^= 0x01;
  return `${token.slice(0, lastDot + 1)}${signature.toString('base64url')}`;
}

function encodeJson(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
