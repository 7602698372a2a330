import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export const REQUEST_ID_HEADER = 'x-request-id';
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface RequestWithId extends Request {
  id?: string;
}

/**
 * Express middleware that gives each request an id: the caller's
 * `X-Request-Id` when it is short and plain, a new UUID otherwise.
 * The id is echoed in the response so clients can quote it.
 */
export function assignRequestId(request: RequestWithId, response: Response, next: NextFunction): void {
  const supplied = request.headers[REQUEST_ID_HEADER];
  request.id = typeof supplied === 'string' && SANE_REQUEST_ID.test(supplied) ? supplied : randomUUID();
  response.setHeader(REQUEST_ID_HEADER, request.id);
  next();
}
