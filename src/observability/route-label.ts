import type { IncomingMessage } from 'node:http';

/** Label of requests that matched no route, so unknown paths cannot grow the metric series without bound. */
export const UNMATCHED_ROUTE = 'unmatched';

interface RoutedRequest extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: unknown; methods?: Record<string, boolean | undefined> };
}

/**
 * Returns the route pattern Express matched (`/api/external`,
 * `/items/:id`), never the raw path, so labels stay few. Express 5 keeps
 * `request.route` set after the handler ran, so this works when the
 * response finishes.
 *
 * Nest mounts route-scoped middleware (`forRoutes`) as routes for every
 * HTTP method, and a request that matches no handler is left with one of
 * those in `request.route`. Routes for more than one method therefore
 * count as unmatched. NOTE: so does a handler declared with `@All()`.
 */
export function routeLabel(request: IncomingMessage): string {
  const { route, baseUrl } = request as RoutedRequest;
  if (route === undefined || typeof route.path !== 'string' || Object.keys(route.methods ?? {}).length > 1) {
    return UNMATCHED_ROUTE;
  }
  return `${baseUrl ?? ''}${route.path}`;
}
