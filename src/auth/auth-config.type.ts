/** Asymmetric JWS algorithms the service can verify (RFC 7518 section 3.1). */
export const SUPPORTED_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
] as const;

export type SigningAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number];

/** Origin of the trusted issuer setting: explicit settings, the Auth0 shorthand, or the built-in development issuer. */
export type IssuerSource = 'configured' | 'auth0' | 'development';

/** `default` accepts Auth0-style `typ: JWT` tokens; `rfc9068` enforces the JWT access token profile of RFC 9068. */
export type TokenProfile = 'default' | 'rfc9068';

export interface JwksSettings {
  /** URL of the JSON Web Key Set. */
  uri: string;
  /** How long a fetched key is trusted before the set is fetched again, in milliseconds. Default 600000 (10 minutes). */
  cacheMaxAgeMs: number;
  /** Maximum number of JWKS fetches per minute, so unknown `kid`s cannot turn the service into a load generator. Default 10. */
  requestsPerMinute: number;
  /** Time limit for one whole JWKS fetch, connection to last byte, in milliseconds. Default 5000. */
  timeoutMs: number;
}

export interface AuthConfig {
  /** Expected `iss`, compared byte for byte. */
  issuer: string;
  /** Value that the token's `aud` (a string or an array) must contain. */
  audience: string;
  algorithms: SigningAlgorithm[];
  jwks: JwksSettings;
  /** Allowed clock skew for `exp`, `nbf` and `iat`, in seconds. Default 5. */
  clockToleranceSeconds: number;
  /** Maximum age of a token since its `iat`, in seconds; undefined means no limit beyond `exp`. */
  maxTokenAgeSeconds: number | undefined;
  tokenProfile: TokenProfile;
  /** Longest accepted token, in characters; longer ones are rejected before any parsing. Default 8192. */
  maxTokenLength: number;
  /** Value of the `realm` attribute in `WWW-Authenticate` challenges. */
  realm: string;
  issuerSource: IssuerSource;
  /** Set only when the built-in development issuer is in use. */
  developmentIssuer: DevelopmentIssuerSettings | undefined;
}

export interface DevelopmentIssuerSettings {
  /** Loopback port that serves the development issuer's discovery document and JWKS. Default 3002. */
  port: number;
  /** File that keeps the development signing key between runs (git-ignored). */
  keyFile: string;
}
