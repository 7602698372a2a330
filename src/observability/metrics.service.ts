import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authOutcomeOf } from './auth-outcome';
import { metricsConfig } from './metrics.config';
import { routeLabel } from './route-label';

/** Outcome of one JWKS fetch: a complete 2xx response, another status, or no response at all (refused, reset, timed out). */
export type JwksFetchOutcome = 'success' | 'http_error' | 'network_error';

/** The parts of the key store's `describe()` the cache gauges read. */
export interface KeyStoreState {
  ready: boolean;
  keyIds: string[];
  ageMs: number | undefined;
}

/** Latency buckets in seconds, from a cached-key request (about a millisecond) to a slow JWKS fetch. */
const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The application's Prometheus metrics, in a registry of its own rather
 * than prom-client's global one, so that two applications in one process
 * (as in the tests) do not collide.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly collectors: Array<() => void> = [];

  private readonly requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP responses sent, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  private readonly latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to finishing its response, in seconds.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly authResults = new Counter({
    name: 'auth_results_total',
    help: 'Bearer token checks, by result (accepted or rejected) and reason code (none when accepted).',
    labelNames: ['result', 'reason'] as const,
    registers: [this.registry],
  });

  private readonly jwksFetches = new Counter({
    name: 'jwks_fetches_total',
    help: 'Fetches of the JSON Web Key Set, by outcome (success, http_error, network_error).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly jwksFetchDuration = new Histogram({
    name: 'jwks_fetch_duration_seconds',
    help: 'Duration of JSON Web Key Set fetches, in seconds.',
    labelNames: ['outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly jwksLastSuccess = new Gauge({
    name: 'jwks_last_success_timestamp_seconds',
    help: 'Unix time of the last successful JSON Web Key Set fetch; 0 before the first one.',
    registers: [this.registry],
  });

  private readonly jwksReady = new Gauge({
    name: 'jwks_ready',
    help: '1 while a JSON Web Key Set is loaded and young enough to use, else 0.',
    registers: [this.registry],
  });

  private readonly jwksKeys = new Gauge({
    name: 'jwks_keys',
    help: 'Keys in the cached JSON Web Key Set.',
    registers: [this.registry],
  });

  private readonly jwksAge = new Gauge({
    name: 'jwks_key_set_age_seconds',
    help: 'Age of the cached JSON Web Key Set, in seconds; absent before the first successful fetch.',
    registers: [this.registry],
  });

  constructor(@Inject(metricsConfig.KEY) config: ConfigType<typeof metricsConfig>) {
    if (config.enabled) {
      collectDefaultMetrics({ register: this.registry });
    }
    this.jwksLastSuccess.set(0);
  }

  /** Records one finished HTTP exchange and, if the bearer guard saw it, the guard's decision. */
  recordRequest(request: IncomingMessage, response: ServerResponse, durationSeconds: number): void {
    const labels = { method: request.method ?? 'UNKNOWN', route: routeLabel(request), status: String(response.statusCode) };
    this.requests.inc(labels);
    this.latency.observe(labels, durationSeconds);

    const outcome = authOutcomeOf(request);
    if (outcome !== undefined) {
      this.authResults.inc({ result: outcome.result, reason: outcome.result === 'accepted' ? 'none' : outcome.reason });
    }
  }

  /** Registers a reader of the key store's state, called at each scrape so the cache gauges are current. */
  observeKeyStore(describe: () => KeyStoreState): void {
    const read = (): void => {
      const state = describe();
      this.jwksReady.set(state.ready ? 1 : 0);
      this.jwksKeys.set(state.keyIds.length);
      if (state.ageMs === undefined) {
        this.jwksAge.reset();
      } else {
        this.jwksAge.set(state.ageMs / 1000);
      }
    };
    this.collectors.push(read);
  }

  /** Returns the registry's text format after refreshing the gauges read at scrape time. */
  async scrape(): Promise<string> {
    for (const collect of this.collectors) {
      collect();
    }
    return this.registry.metrics();
  }

  /** Records one JWKS fetch; called by `JwksFetchObserver`. */
  recordJwksFetch(outcome: JwksFetchOutcome, durationSeconds: number): void {
    this.jwksFetches.inc({ outcome });
    this.jwksFetchDuration.observe({ outcome }, durationSeconds);
    if (outcome === 'success') {
      this.jwksLastSuccess.set(Date.now() / 1000);
    }
  }
}
