/** Injection token of the `AccessTokenVerifier` built from the `auth` config. */
export const ACCESS_TOKEN_VERIFIER = Symbol('ACCESS_TOKEN_VERIFIER');

/** Name under which the JWT strategy is registered with passport. */
export const JWT_STRATEGY = 'jwt';
