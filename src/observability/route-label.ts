import type { IncomingMessage } from 'node:http';

/** Label of requests that matched no route, so unknown paths cannot grow the metric series without bound. */
export const UNMATCHED_ROUTE = 'unmatched';

interface RoutedRequest extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: unknown };
}

/**
 * Returns the route pattern Express matched (`/api/external`,
 * `/items/:id`), never the raw path, so labels stay few. Express 5 keeps
 * `request.route` set after the handler ran, so this works when the
 * response finishes.
 */
export function routeLabel(request: IncomingMessage): string {
  const { route, baseUrl } = request as RoutedRequest;
  if (route === undefined || typeof route.path !== 'string') {
    return UNMATCHED_ROUTE;
  }
  return `${baseUrl ?? ''}${route.path}`;
}
