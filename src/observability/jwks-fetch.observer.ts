import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { authConfig } from '../auth/auth.config';
import { JwksFetchOutcome, MetricsService } from './metrics.service';

/** The parts of undici's diagnostics-channel messages this observer reads. */
interface UndiciRequest {
  origin?: unknown;
  path?: unknown;
}
interface UndiciMessage {
  request: UndiciRequest;
  response?: { statusCode: number };
}

const CHANNELS = {
  create: 'undici:request:create',
  headers: 'undici:request:headers',
  trailers: 'undici:request:trailers',
  error: 'undici:request:error',
} as const;

/**
 * Counts JWKS fetches from outside the verification layer: the key store
 * fetches with Node's built-in `fetch`, which is undici, and undici
 * publishes every request on `node:diagnostics_channel`. Requests to any
 * other URL are ignored.
 *
 * NOTE: the key cache (hits, misses, keys held) is not visible from here.
 * Exposing it needs a callback from the key store into `MetricsService`.
 */
@Injectable()
export class JwksFetchObserver implements OnModuleInit, OnModuleDestroy {
  private readonly jwksUrl: URL;
  private readonly inFlight = new WeakMap<UndiciRequest, { startedAt: bigint; status?: number }>();

  private readonly onCreate = (message: unknown): void => {
    const { request } = message as UndiciMessage;
    if (this.isJwksRequest(request)) {
      this.inFlight.set(request, { startedAt: process.hrtime.bigint() });
    }
  };

  private readonly onHeaders = (message: unknown): void => {
    const { request, response } = message as UndiciMessage;
    const fetch = this.inFlight.get(request);
    if (fetch !== undefined && response !== undefined) {
      fetch.status = response.statusCode;
    }
  };

  private readonly onTrailers = (message: unknown): void => {
    const { request } = message as UndiciMessage;
    const status = this.inFlight.get(request)?.status ?? 0;
    this.finish(request, status >= 200 && status < 300 ? 'success' : 'http_error');
  };

  private readonly onError = (message: unknown): void => {
    const { request } = message as UndiciMessage;
    // An error after a 2xx status line (a body cut off or too slow) still means no key set arrived.
    this.finish(request, this.inFlight.get(request)?.status === undefined ? 'network_error' : 'http_error');
  };

  constructor(
    @Inject(authConfig.KEY) auth: ConfigType<typeof authConfig>,
    private readonly metrics: MetricsService,
  ) {
    this.jwksUrl = new URL(auth.jwks.uri);
  }

  onModuleInit(): void {
    subscribe(CHANNELS.create, this.onCreate);
    subscribe(CHANNELS.headers, this.onHeaders);
    subscribe(CHANNELS.trailers, this.onTrailers);
    subscribe(CHANNELS.error, this.onError);
  }

  onModuleDestroy(): void {
    unsubscribe(CHANNELS.create, this.onCreate);
    unsubscribe(CHANNELS.headers, this.onHeaders);
    unsubscribe(CHANNELS.trailers, this.onTrailers);
    unsubscribe(CHANNELS.error, this.onError);
  }

  private isJwksRequest(request: UndiciRequest): boolean {
    return String(request.origin).replace(/\/$/, '') === this.jwksUrl.origin && request.path === `${this.jwksUrl.pathname}${this.jwksUrl.search}`;
  }

  private finish(request: UndiciRequest, outcome: JwksFetchOutcome): void {
    const fetch = this.inFlight.get(request);
    if (fetch === undefined) {
      return;
    }
    this.inFlight.delete(request);
    this.metrics.recordJwksFetch(outcome, Number(process.hrtime.bigint() - fetch.startedAt) / 1e9);
  }
}
