import { parseEnvironment, ConfigValidationError, Environment } from '../src/config/env-reader';
import { readAuthConfig } from '../src/auth/auth.config';
import { validateEnvironment } from '../src/config/validate-environment';
import { readCorsConfig } from '../src/config/cors.config';

const VALID: Environment = {
  AUTH_ISSUER_URL: 'https://tenant.eu.auth0.com/',
  AUTH_AUDIENCE: 'https://api.example.test',
};

function problemsOf(env: Environment): string[] {
  try {
    validateEnvironment(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return (error as ConfigValidationError).problems.map((problem) => `${problem.variable}: ${problem.message}`);
  }
  return [];
}

describe('configuration validation', () => {
  it('accepts a minimal valid environment', () => {
    expect(problemsOf(VALID)).toEqual([]);
  });

  it.each([
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '70000' }],
    ['AUTH_ISSUER_URL', { AUTH_ISSUER_URL: 'not a url' }],
    ['AUTH_ISSUER_URL', { AUTH_ISSUER_URL: 'ftp://issuer.example.test/' }],
    ['AUTH_ISSUER_URL', { AUTH_ISSUER_URL: 'http://issuer.example.test/' }],
    ['AUTH_JWKS_URI', { AUTH_JWKS_URI: 'http://keys.example.test/jwks' }],
    ['AUTH_ALGORITHMS', { AUTH_ALGORITHMS: 'RS256,HS256' }],
    ['AUTH_ALGORITHMS', { AUTH_ALGORITHMS: 'none' }],
    ['AUTH_ALGORITHMS', { AUTH_ALGORITHMS: ' , ' }],
    ['CORS_ORIGINS', { CORS_ORIGINS: '*' }],
    ['CORS_ORIGINS', { CORS_ORIGINS: 'http://localhost:3000/app' }],
    ['CORS_ORIGINS', { CORS_ORIGINS: 'localhost:3000' }],
    ['AUTH_CLOCK_TOLERANCE', { AUTH_CLOCK_TOLERANCE: '-1' }],
    ['AUTH_CLOCK_TOLERANCE', { AUTH_CLOCK_TOLERANCE: '5s' }],
    ['AUTH_JWKS_CACHE_MAX_AGE_MS', { AUTH_JWKS_CACHE_MAX_AGE_MS: '0' }],
    ['AUTH_JWKS_COOLDOWN_MS', { AUTH_JWKS_COOLDOWN_MS: '1.5' }],
    ['AUTH_JWKS_STALE_WINDOW_MS', { AUTH_JWKS_STALE_WINDOW_MS: '-5' }],
    ['AUTH_JWKS_TIMEOUT_MS', { AUTH_JWKS_TIMEOUT_MS: 'soon' }],
    ['AUTH_TOKEN_PROFILE', { AUTH_TOKEN_PROFILE: 'strict' }],
    ['AUTH0_DOMAIN', { AUTH_ISSUER_URL: undefined, AUTH0_DOMAIN: 'not a domain' }],
    ['AUTH0_DOMAIN', { AUTH0_DOMAIN: 'other.eu.auth0.com' }],
    ['AUTH0_AUDIENCE', { AUTH0_AUDIENCE: 'https://another-api.example.test' }],
    ['AUTH_ALLOW_INSECURE_HTTP', { AUTH_ALLOW_INSECURE_HTTP: 'true', NODE_ENV: 'production' }],
    ['AUTH_SCOPE_CLAIMS', { AUTH_SCOPE_CLAIMS: ' , ' }],
    ['AUTH_SCOPE_CLAIMS', { AUTH_SCOPE_CLAIMS: 'scope,sub' }],
    ['AUTH_SCOPE_CLAIMS', { AUTH_SCOPE_CLAIMS: 'aud' }],
    ['AUTH_SCOPE_CLAIMS', { AUTH_SCOPE_CLAIMS: 'scope,my roles' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }],
    ['LOG_FORMAT', { LOG_FORMAT: 'text' }],
    ['METRICS_ENABLED', { METRICS_ENABLED: 'yes' }],
    ['METRICS_TOKEN', { METRICS_TOKEN: 'short' }],
    ['METRICS_TOKEN', { METRICS_TOKEN: 'has a space in the middle' }],
    ['SWAGGER_ENABLED', { SWAGGER_ENABLED: '1' }],
    ['HTTP_BODY_LIMIT_BYTES', { HTTP_BODY_LIMIT_BYTES: '100kb' }],
    ['SHUTDOWN_TIMEOUT_MS', { SHUTDOWN_TIMEOUT_MS: '-5' }],
  ])('names %s when it is invalid (%j)', (variable, overrides) => {
    const problems = problemsOf({ ...VALID, ...overrides });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${variable}: `));
  });

  it('requires the audience when an issuer is set', () => {
    const problems = problemsOf({ AUTH_ISSUER_URL: 'https://tenant.eu.auth0.com/' });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^AUTH_AUDIENCE: is missing\. Set it to the API identifier/);
  });

  it('requires the issuer when only an audience is set', () => {
    const problems = problemsOf({ AUTH_AUDIENCE: 'https://api.example.test' });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^AUTH_ISSUER_URL: is missing/);
  });

  it('refuses the development issuer in production', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^AUTH_ISSUER_URL: .*development issuer is off when NODE_ENV=production/);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({ PORT: 'x', AUTH_ISSUER_URL: 'nope', CORS_ORIGINS: '*' });

    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual(['AUTH_AUDIENCE', 'AUTH_ISSUER_URL', 'CORS_ORIGINS', 'PORT']);
  });

  it('lists each problem in the error message', () => {
    expect(() => validateEnvironment({ ...VALID, PORT: 'x' })).toThrow(/Configuration is invalid[\s\S]*- PORT: invalid value "x"/);
  });
});

describe('auth configuration', () => {
  it('expands the Auth0 shorthand', () => {
    const config = parseEnvironment({ AUTH0_DOMAIN: 'tenant.eu.auth0.com', AUTH0_AUDIENCE: 'https://api.example.test' }, readAuthConfig);

    expect(config.issuer).toBe('https://tenant.eu.auth0.com/');
    expect(config.audience).toBe('https://api.example.test');
    expect(config.jwks.uri).toBeUndefined();
    expect(config.issuerSource).toBe('auth0');
  });

  it('keeps the issuer exactly as configured', () => {
    const config = parseEnvironment({ ...VALID, AUTH_ISSUER_URL: 'https://idp.example.test/realms/demo' }, readAuthConfig);

    expect(config.issuer).toBe('https://idp.example.test/realms/demo');
    expect(config.jwks.issuer).toBe('https://idp.example.test/realms/demo');
  });

  it('applies the documented defaults', () => {
    const config = parseEnvironment(VALID, readAuthConfig);

    expect(config.algorithms).toEqual(['RS256']);
    expect(config.clockToleranceSeconds).toBe(5);
    expect(config.jwks).toMatchObject({ uri: undefined, cacheMaxAgeMs: 600_000, cooldownMs: 30_000, timeoutMs: 5_000, staleWindowMs: 3_600_000 });
    expect(config.tokenProfile).toBe('default');
    expect(config.maxTokenAgeSeconds).toBeUndefined();
    expect(config.developmentIssuer).toBeUndefined();
    expect(config.scopeClaims).toEqual(['scope', 'scp', 'permissions']);
  });

  it('reads the scope claim names', () => {
    const config = parseEnvironment({ ...VALID, AUTH_SCOPE_CLAIMS: 'permissions, https://example.test/roles,permissions' }, readAuthConfig);

    expect(config.scopeClaims).toEqual(['permissions', 'https://example.test/roles']);
  });

  it('uses the development issuer when nothing is configured', () => {
    const config = parseEnvironment({ DEV_ISSUER_PORT: '4555' }, readAuthConfig);

    expect(config.issuerSource).toBe('development');
    expect(config.issuer).toBe('http://127.0.0.1:4555');
    expect(config.jwks.uri).toBe('http://127.0.0.1:4555/jwks');
  });
});

describe('CORS configuration', () => {
  it('defaults to the local single-page app', () => {
    expect(parseEnvironment({}, readCorsConfig).origins).toEqual(['http://localhost:3000']);
  });

  it('reads a comma-separated list of origins', () => {
    const config = parseEnvironment({ CORS_ORIGINS: 'https://app.example.test, http://localhost:5173' }, readCorsConfig);

    expect(config.origins).toEqual(['https://app.example.test', 'http://localhost:5173']);
  });
});
