import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest } from './jwt.strategy';
import type { Principal } from './principal';

export interface CurrentPrincipalOptions {
  /** Allows an absent principal, as on `@OptionalAuth()` routes. Type the parameter `Principal | undefined`. */
  optional?: boolean;
}

/**
 * Injects the verified `Principal` into a handler parameter. Without
 * `{ optional: true }` a missing principal is a programming error, such as
 * this decorator on a `@Public()` route, and fails the request with a 500.
 */
export const CurrentPrincipal = createParamDecorator(
  (options: CurrentPrincipalOptions | undefined, context: ExecutionContext): Principal | undefined => {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
    if (principal === undefined && options?.optional !== true) {
      throw new Error(
        'No verified principal on this request. @CurrentPrincipal() needs a route that requires authentication. On @OptionalAuth() routes use @CurrentPrincipal({ optional: true }).',
      );
    }
    return principal;
  },
);
