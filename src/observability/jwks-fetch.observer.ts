import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { SigningKeysService } from '../auth/signing-keys.service';
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
 * URL other than the key store's current JWKS URL (configured or
 * discovered) are ignored. It also hands the key store's state to the
 * metrics.
 *
 * NOTE: `SigningKeysService` is not exported by `AuthModule`, so it is
 * looked up with `strict: false`. Exporting it would make the dependency visible.
 */
@Injectable()
export class JwksFetchObserver implements OnModuleInit, OnModuleDestroy {
  private signingKeys: SigningKeysService | undefined;
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
    private readonly moduleRef: ModuleRef,
    private readonly metrics: MetricsService,
  ) {}

  /** Runs before any `onApplicationBootstrap`, so the key store's first fetch, started there, is seen. */
  onModuleInit(): void {
    const signingKeys = this.moduleRef.get(SigningKeysService, { strict: false });
    this.signingKeys = signingKeys;
    this.metrics.observeKeyStore(() => signingKeys.store.describe());
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
    const jwksUri = this.signingKeys?.store.describe().jwksUri;
    if (jwksUri === undefined) {
      return false;
    }
    const url = new URL(jwksUri);
    return String(request.origin).replace(/\/$/, '') === url.origin && request.path === `${url.pathname}${url.search}`;
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
