import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { pino } from 'pino';
import type { DestinationStream, LevelWithSilent } from 'pino';
import type { Options } from 'pino-http';
import { ensureRequestId } from '../common/request-id';
import { authOutcomeOf } from './auth-outcome';
import type { LoggingConfig } from './logging.config';
import { redactUrl, scrubRecord, scrubSecrets } from './redaction';
import { routeLabel } from './route-label';

/** Path prefix of the liveness and readiness probes, whose successes are logged at debug so probes do not flood the log. */
const HEALTH_PATH_PREFIX = '/health/';

/**
 * Builds the nestjs-pino settings: one JSON line per request with method,
 * route, status, duration and request id, no headers, and secrets removed
 * from every record. `destination` replaces standard output (tests pass a
 * capturing stream).
 */
export function buildLoggerParams(config: LoggingConfig, destination: DestinationStream | undefined): Params {
  const options: Options<IncomingMessage, ServerResponse> = {
    level: config.level,
    // Logs made while a request is handled carry only its id, not the whole request again.
    quietReqLogger: true,
    genReqId: (request, response) => ensureRequestId(request, response),
    serializers: {
      req: (request: { raw?: IncomingMessage }) => serializeRequest(request.raw),
      res: (response: { statusCode?: number }) => ({ statusCode: response.statusCode }),
    },
    customAttributeKeys: { reqId: 'requestId', responseTime: 'durationMs' },
    customLogLevel: levelFor,
    customSuccessObject: (request, _response, value: Record<string, unknown>) => ({ ...value, route: routeLabel(request), ...authFields(request) }),
    // pino-http attaches a made-up Error with its own stack to every 5xx line; the error filter logs real errors with their stack.
    customErrorObject: (request, _response, _error, value: Record<string, unknown>) => ({
      res: value.res,
      durationMs: value.durationMs,
      route: routeLabel(request),
      ...authFields(request),
    }),
    customSuccessMessage: () => 'request completed',
    customErrorMessage: () => 'request failed',
    formatters: { log: (record) => scrubRecord(record) },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((argument: unknown) => (typeof argument === 'string' ? scrubSecrets(argument) : argument));
        method.apply(this, scrubbed as Parameters<typeof method>);
      },
    },
  };

  const stream = destination ?? (config.format === 'pretty' ? prettyStream() : asyncStandardOutput());
  return { pinoHttp: stream === undefined ? options : [options, stream] };
}

/** Returns the bearer guard's decision for the request line: `auth` (accepted or rejected) and, for a rejection, `authReason`. */
function authFields(request: IncomingMessage): Record<string, string> {
  const outcome = authOutcomeOf(request);
  if (outcome === undefined) {
    return {};
  }
  return outcome.result === 'accepted' ? { auth: 'accepted' } : { auth: 'rejected', authReason: outcome.reason };
}

function serializeRequest(request: IncomingMessage | undefined): Record<string, unknown> {
  if (request === undefined) {
    return {};
  }
  const { originalUrl } = request as IncomingMessage & { originalUrl?: string };
  return {
    method: request.method,
    url: redactUrl(originalUrl ?? request.url ?? ''),
    remoteAddress: request.socket?.remoteAddress,
    userAgent: request.headers['user-agent'],
  };
}

/** Server errors at error, failing readiness probes at warn, client errors at info (each auth failure is also logged with its reason), healthy probes at debug. */
function levelFor(request: IncomingMessage, response: ServerResponse, error?: Error): LevelWithSilent {
  if ((request.url ?? '').startsWith(HEALTH_PATH_PREFIX) && response.statusCode === 503) {
    // A failing readiness probe is expected during a provider outage, which the key store already logs once.
    return 'warn';
  }
  if (error !== undefined || response.statusCode >= 500) {
    return 'error';
  }
  if (response.statusCode < 400 && (request.url ?? '').startsWith(HEALTH_PATH_PREFIX)) {
    return 'debug';
  }
  return 'info';
}

/**
 * Writes JSON lines to standard output without blocking the request that
 * logged them; lines queued while a write is in flight go out together.
 * pino flushes what is queued when the process exits.
 */
function asyncStandardOutput(): DestinationStream {
  return pino.destination({ dest: 1, sync: false });
}

/** Creates a pino-pretty stream in this process rather than a worker-thread transport, which would need flushing at exit. */
function prettyStream(): DestinationStream {
  // Loaded only here because pino-pretty is a development dependency, absent from production images.
  const pretty = require('pino-pretty') as typeof import('pino-pretty');
  return pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true });
}
