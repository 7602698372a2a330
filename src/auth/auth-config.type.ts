import type { TokenSource } from './request/bearer-token';
import type { TokenCacheSettings } from './verification/token-cache';

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
  /** URL of the JSON Web Key Set; undefined means discover it from the issuer's metadata. */
  uri: string | undefined;
  /** Issuer whose metadata documents are read when `uri` is undefined. */
  issuer: string;
  /** How long a fetched key set is used before it is fetched again, in milliseconds. Default 600000 (10 minutes). */
  cacheMaxAgeMs: number;
  /**
   * Minimum time between two fetches caused by unknown `kid`s or by failures, in milliseconds.
   * Bounds the load a flood of made-up `kid`s can put on the provider. Default 30000.
   */
  cooldownMs: number;
  /** Time limit for one whole fetch, connection to last byte, in milliseconds. Default 5000. */
  timeoutMs: number;
  /** How long past `cacheMaxAgeMs` the last good key set stays in use while the provider fails, in milliseconds. Default 3600000 (1 hour). */
  staleWindowMs: number;
  /** Accept a discovered `jwks_uri` with plain http on a host that is not loopback (never in production). */
  allowInsecureHttp: boolean;
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
  /** Caches of accepted and of permanently rejected tokens; see `TokenCache`. */
  verifiedTokenCache: TokenCacheSettings;
  /** Request parts a token may be read from; by default only the `Authorization` header. */
  tokenSources: ReadonlySet<TokenSource>;
  /** Value of the `realm` attribute in `WWW-Authenticate` challenges. */
  realm: string;
  /** Claims whose values together make up the granted scopes, each a space-separated string or an array of strings. Default `scope`, `scp`, `permissions`. */
  scopeClaims: string[];
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
