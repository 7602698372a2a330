import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';

export const REQUEST_ID_HEADER = 'x-request-id';
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** pino-http declares `id` on every request as string, number or object; this service only ever stores a string. */
export interface RequestWithId extends Omit<Request, 'id'> {
  id?: string;
}

/**
 * Returns the request's id, assigning one on first call: the caller's
 * `X-Request-Id` when it is short and plain, a new UUID otherwise. The id
 * is echoed in the response so clients can quote it. Both this module's
 * middleware and the request logger call it, in whichever order they run,
 * so a request never gets two ids.
 */
export function ensureRequestId(request: { headers: IncomingHttpHeaders; id?: unknown }, response: Pick<ServerResponse, 'setHeader'>): string {
  if (typeof request.id === 'string') {
    return request.id;
  }

  const supplied = request.headers[REQUEST_ID_HEADER];
  const id = typeof supplied === 'string' && SANE_REQUEST_ID.test(supplied) ? supplied : randomUUID();
  request.id = id;
  response.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/** Express middleware form of `ensureRequestId`. */
export function assignRequestId(request: RequestWithId, response: Response, next: NextFunction): void {
  ensureRequestId(request, response);
  next();
}
