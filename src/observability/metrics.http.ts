import { timingSafeEqual, createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ErrorBody } from '../common/error-response.filter';
import type { RequestWithId } from '../common/request-id';
import type { MetricsConfig } from './metrics.config';
import type { MetricsService } from './metrics.service';

/** Path of the Prometheus scrape endpoint. */
export const METRICS_PATH = '/metrics';

/**
 * Serves the registry in Prometheus text format. It is plain Express
 * middleware mounted before Nest's router, so no Nest guard, global or
 * not, ever runs for it: its only protection is `METRICS_TOKEN`.
 */
export function metricsEndpoint(metrics: MetricsService, config: MetricsConfig): RequestHandler {
  const expectedDigest = config.token === undefined ? undefined : sha256(`Bearer ${config.token}`);

  return (request: Request, response: Response, next: NextFunction): void => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      next();
      return;
    }
    if (expectedDigest !== undefined && !timingSafeEqual(sha256(request.headers.authorization ?? ''), expectedDigest)) {
      const body: ErrorBody = {
        statusCode: 401,
        error: 'unauthorized',
        message: 'A valid metrics token is required',
        requestId: (request as RequestWithId).id,
      };
      response.status(401).setHeader('WWW-Authenticate', 'Bearer realm="metrics"').json(body);
      return;
    }

    metrics.scrape().then(
      (text) => {
        response.setHeader('Content-Type', metrics.registry.contentType);
        response.setHeader('Cache-Control', 'no-store');
        response.send(text);
      },
      (error: unknown) => next(error),
    );
  };
}

/** Times every request and records it when the response finishes or the connection closes first. */
export function httpMetricsMiddleware(metrics: MetricsService): RequestHandler {
  return (request: Request, response: Response, next: NextFunction): void => {
    const startedAt = process.hrtime.bigint();
    let recorded = false;
    const record = (): void => {
      if (!recorded) {
        recorded = true;
        metrics.recordRequest(request, response, Number(process.hrtime.bigint() - startedAt) / 1e9);
      }
    };
    response.once('finish', record);
    response.once('close', record);
    next();
  };
}

/** Hashing both sides first gives equal lengths, which `timingSafeEqual` requires, without leaking the token's length. */
function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
