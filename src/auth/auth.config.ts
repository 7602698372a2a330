import { registerAs } from '@nestjs/config';
import {
  DEV_AUDIENCE,
  DEV_ISSUER_DEFAULT_PORT,
  DEV_KEY_FILE,
  developmentIssuerUrl,
} from '../dev-issuer/dev-issuer.constants';
import { EnvReader, parseEnvironment, printable } from '../config/env-reader';
import type { TokenSource } from './request/bearer-token';
import {
  AuthConfig,
  DevelopmentIssuerSettings,
  IssuerSource,
  SigningAlgorithm,
  SUPPORTED_ALGORITHMS,
  TokenProfile,
} from './auth-config.type';

const ISSUER_VARIABLES = ['AUTH_ISSUER_URL', 'AUTH0_DOMAIN', 'AUTH_AUDIENCE', 'AUTH0_AUDIENCE', 'AUTH_JWKS_URI'];

/** Reads the `auth` namespace; every problem found is added to `reader.problems`. */
export function readAuthConfig(reader: EnvReader): AuthConfig {
  const production = reader.optional('NODE_ENV') === 'production';
  const allowHttp = reader.optional('AUTH_ALLOW_INSECURE_HTTP') === 'true';
  if (allowHttp && production) {
    reader.report('AUTH_ALLOW_INSECURE_HTTP', 'is not allowed when NODE_ENV=production. Serve the issuer and JWKS over https and remove this variable.');
  }

  const trust = ISSUER_VARIABLES.some((variable) => reader.has(variable))
    ? readConfiguredIssuer(reader, allowHttp)
    : readDevelopmentIssuer(reader, production);

  return {
    ...trust,
    algorithms: readAlgorithms(reader),
    jwks: {
      uri: trust.jwksUri,
      issuer: trust.issuer,
      cacheMaxAgeMs: reader.integer('AUTH_JWKS_CACHE_MAX_AGE_MS', 600_000, { min: 1_000, max: 86_400_000, unit: 'milliseconds' }),
      cooldownMs: reader.integer('AUTH_JWKS_COOLDOWN_MS', 30_000, { min: 100, max: 3_600_000, unit: 'milliseconds' }),
      timeoutMs: reader.integer('AUTH_JWKS_TIMEOUT_MS', 5_000, { min: 100, max: 60_000, unit: 'milliseconds' }),
      staleWindowMs: reader.integer('AUTH_JWKS_STALE_WINDOW_MS', 3_600_000, { min: 0, max: 604_800_000, unit: 'milliseconds' }),
      allowInsecureHttp: allowHttp && !production,
    },
    clockToleranceSeconds: reader.integer('AUTH_CLOCK_TOLERANCE', 5, { min: 0, max: 300, unit: 'seconds' }),
    maxTokenAgeSeconds: reader.has('AUTH_MAX_TOKEN_AGE')
      ? reader.integer('AUTH_MAX_TOKEN_AGE', 0, { min: 1, max: 31_536_000, unit: 'seconds' })
      : undefined,
    tokenProfile: readTokenProfile(reader),
    maxTokenLength: reader.integer('AUTH_MAX_TOKEN_LENGTH', 8_192, { min: 256, max: 65_536, unit: 'characters' }),
    verifiedTokenCache: {
      maxEntries: reader.integer('AUTH_VERIFIED_TOKEN_CACHE_SIZE', 10_000, { min: 0, max: 1_000_000, unit: 'tokens' }),
      maxAgeMs: reader.integer('AUTH_VERIFIED_TOKEN_CACHE_MAX_AGE_MS', 60_000, { min: 1_000, max: 3_600_000, unit: 'milliseconds' }),
    },
    tokenSources: readTokenSources(reader),
    realm: readRealm(reader),
    scopeClaims: readScopeClaims(reader),
  };
}

interface IssuerTrust {
  issuer: string;
  audience: string;
  jwksUri: string | undefined;
  issuerSource: IssuerSource;
  developmentIssuer: DevelopmentIssuerSettings | undefined;
}

function readConfiguredIssuer(reader: EnvReader, allowHttp: boolean): IssuerTrust {
  const auth0Issuer = readAuth0Domain(reader);
  const explicitIssuer = reader.optional('AUTH_ISSUER_URL');
  let issuer = explicitIssuer ?? auth0Issuer ?? '';

  if (explicitIssuer !== undefined && auth0Issuer !== undefined && explicitIssuer !== auth0Issuer) {
    reader.report('AUTH0_DOMAIN', `implies issuer "${auth0Issuer}", which differs from AUTH_ISSUER_URL "${printable(explicitIssuer)}". Set only one of them.`);
  }
  if (issuer === '' && !reader.has('AUTH0_DOMAIN')) {
    reader.report('AUTH_ISSUER_URL', 'is missing. Set it to your provider\'s issuer exactly as it appears in the tokens\' "iss" claim, for example https://tenant.eu.auth0.com/ (or set AUTH0_DOMAIN).');
  } else if (issuer !== '' && reader.url('AUTH_ISSUER_URL', issuer, { allowHttp }) === undefined) {
    issuer = '';
  }

  const audience = readAudience(reader);
  const jwksUri = readJwksUri(reader, allowHttp);
  return {
    issuer,
    audience,
    jwksUri,
    issuerSource: explicitIssuer === undefined && auth0Issuer !== undefined ? 'auth0' : 'configured',
    developmentIssuer: undefined,
  };
}

/** `AUTH0_DOMAIN=tenant.eu.auth0.com` stands for issuer `https://tenant.eu.auth0.com/`, as in Auth0's quickstarts. */
function readAuth0Domain(reader: EnvReader): string | undefined {
  const raw = reader.optional('AUTH0_DOMAIN');
  if (raw === undefined) {
    return undefined;
  }

  const domain = raw.replace(/^https:\/\//i, '').replace(/\/+$/, '');
  if (!/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$/.test(domain)) {
    reader.report('AUTH0_DOMAIN', `invalid domain "${printable(raw)}". Set the tenant's domain name only, for example tenant.eu.auth0.com.`);
    return undefined;
  }
  return `https://${domain.toLowerCase()}/`;
}

function readAudience(reader: EnvReader): string {
  const explicit = reader.optional('AUTH_AUDIENCE');
  const auth0 = reader.optional('AUTH0_AUDIENCE');

  if (explicit !== undefined && auth0 !== undefined && explicit !== auth0) {
    reader.report('AUTH0_AUDIENCE', `differs from AUTH_AUDIENCE ("${printable(auth0)}" and "${printable(explicit)}"). Set only one of them.`);
  }
  const audience = explicit ?? auth0;
  if (audience === undefined) {
    reader.report('AUTH_AUDIENCE', 'is missing. Set it to the API identifier that access tokens carry in "aud" (in Auth0, the API\'s Identifier).');
    return '';
  }
  return audience;
}

/** Returns the configured JWKS URL, or undefined so that it is discovered from the issuer's metadata. */
function readJwksUri(reader: EnvReader, allowHttp: boolean): string | undefined {
  const explicit = reader.optional('AUTH_JWKS_URI');
  if (explicit === undefined) {
    return undefined;
  }
  return reader.url('AUTH_JWKS_URI', explicit, { allowHttp })?.href ?? '';
}

function readDevelopmentIssuer(reader: EnvReader, production: boolean): IssuerTrust {
  if (production) {
    reader.report(
      'AUTH_ISSUER_URL',
      'is missing, and the built-in development issuer is off when NODE_ENV=production. Set AUTH_ISSUER_URL and AUTH_AUDIENCE (or AUTH0_DOMAIN and AUTH0_AUDIENCE) to your provider\'s values.',
    );
  }

  const port = reader.integer('DEV_ISSUER_PORT', DEV_ISSUER_DEFAULT_PORT, { min: 1, max: 65_535, unit: 'port number' });
  const issuer = developmentIssuerUrl(port);
  return {
    issuer,
    audience: DEV_AUDIENCE,
    jwksUri: `${issuer}/jwks`,
    issuerSource: 'development',
    developmentIssuer: { port, keyFile: reader.optional('DEV_ISSUER_KEY_FILE') ?? DEV_KEY_FILE },
  };
}

function readAlgorithms(reader: EnvReader): SigningAlgorithm[] {
  const requested = reader.list('AUTH_ALGORITHMS') ?? ['RS256'];
  const supported: readonly string[] = SUPPORTED_ALGORITHMS;
  const invalid = requested.filter((algorithm) => !supported.includes(algorithm));

  if (invalid.length > 0) {
    reader.report(
      'AUTH_ALGORITHMS',
      `unsupported algorithm ${invalid.map((name) => `"${printable(name)}"`).join(', ')}. Use a comma-separated list from ${SUPPORTED_ALGORITHMS.join(', ')}. HMAC and "none" are never accepted with keys from a JWKS.`,
    );
  }
  if (requested.length === 0) {
    reader.report('AUTH_ALGORITHMS', `is empty. List at least one of ${SUPPORTED_ALGORITHMS.join(', ')}, or unset it for RS256.`);
  }
  return requested.filter((algorithm): algorithm is SigningAlgorithm => supported.includes(algorithm));
}

function readTokenProfile(reader: EnvReader): TokenProfile {
  const value = reader.optional('AUTH_TOKEN_PROFILE') ?? 'default';
  if (value === 'default' || value === 'rfc9068') {
    return value;
  }
  reader.report('AUTH_TOKEN_PROFILE', `invalid value "${printable(value)}". Set "default" (accepts typ JWT, as Auth0 issues) or "rfc9068" (requires typ at+jwt and the RFC 9068 claims).`);
  return 'default';
}

function readTokenSources(reader: EnvReader): ReadonlySet<TokenSource> {
  const requested = reader.list('AUTH_TOKEN_SOURCES') ?? ['header'];
  const known: readonly string[] = ['header', 'body', 'query'];
  const invalid = requested.filter((source) => !known.includes(source));
  if (invalid.length > 0 || requested.length === 0) {
    reader.report('AUTH_TOKEN_SOURCES', `invalid value. List one or more of header, body, query, separated by commas, or unset it for header only.`);
    return new Set(['header']);
  }
  return new Set(requested as TokenSource[]);
}

/** Reads the realm, which is quoted in `WWW-Authenticate` and so limited to characters that need no escaping there. */
function readRealm(reader: EnvReader): string {
  const value = reader.optional('AUTH_REALM') ?? 'api';
  if (/^[\x20\x21\x23-\x5b\x5d-\x7e]{1,64}$/.test(value)) {
    return value;
  }
  reader.report('AUTH_REALM', 'invalid value. Use 1 to 64 printable ASCII characters without quotes or backslashes.');
  return 'api';
}

/** Claims that identify the token or its holder. Reading scopes from them would grant whatever they contain. */
const IDENTITY_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti'];

function readScopeClaims(reader: EnvReader): string[] {
  const requested = reader.list('AUTH_SCOPE_CLAIMS') ?? ['scope', 'scp', 'permissions'];
  if (requested.length === 0) {
    reader.report('AUTH_SCOPE_CLAIMS', 'is empty. List the claims that carry scopes or permissions, or unset it for scope,scp,permissions.');
  }

  const invalid = requested.filter((name) => !/^[\x21-\x7e]{1,256}$/.test(name));
  if (invalid.length > 0) {
    reader.report('AUTH_SCOPE_CLAIMS', `invalid claim name "${printable(invalid[0])}". Use claim names of printable ASCII without spaces, separated by commas.`);
  }
  const identity = requested.filter((name) => IDENTITY_CLAIMS.includes(name));
  if (identity.length > 0) {
    reader.report('AUTH_SCOPE_CLAIMS', `"${identity[0]}" identifies the token, it does not grant scopes. Remove it from the list.`);
  }
  return [...new Set(requested)];
}

export const authConfig = registerAs('auth', (): AuthConfig => parseEnvironment(process.env, readAuthConfig));
