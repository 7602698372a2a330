import { SetMetadata } from '@nestjs/common';

/**
 * Authentication mode of a route. `public` skips authentication and ignores
 * any token, and `optional` authenticates only when a bearer token is sent.
 * Routes without this metadata require a valid token.
 */
export type AuthMode = 'public' | 'optional';

/** Metadata key of the `AuthMode`. A handler's value overrides its controller's. */
export const AUTH_MODE = 'auth:mode';

/** Lets anyone call the route or every route of the controller, with or without a token. */
export const Public = () => SetMetadata<string, AuthMode>(AUTH_MODE, 'public');

/**
 * Serves callers with and without a token. No bearer token means no
 * principal. A token that is sent must be valid, and a malformed request
 * is rejected, as on any protected route.
 */
export const OptionalAuth = () => SetMetadata<string, AuthMode>(AUTH_MODE, 'optional');
