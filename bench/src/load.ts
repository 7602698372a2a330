import autocannon from 'autocannon';

export type WorkloadId = 'one-token' | 'distinct-tokens' | 'bad-signatures';

/** The tokens one cell sends, and the status every response must have. */
export interface Workload {
  id: WorkloadId;
  label: string;
  /** Sent in turn, one per request, across all connections. */
  tokens: readonly string[];
  expectedStatus: 200 | 401;
}

export interface LoadOptions {
  connections: number;
  durationSeconds: number;
  /** Request count after which the run stops. The duration still bounds the run. */
  maxRequests?: number;
  /** Called with the count of requests built so far, about once a second. */
  onProgress?: (requestsSent: number) => void;
}

/** Numbers from one autocannon run against one server. */
export interface LoadResult {
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  /** Latency percentiles in milliseconds, responses of every status included. */
  latencyP50Ms: number;
  latencyP99Ms: number;
  non2xx: number;
  /** Responses whose status differs from the workload's expected status. */
  unexpectedStatus: number;
  statusCounts: Record<string, number>;
  /** Connection errors and timeouts, as autocannon counts them. */
  errors: number;
  timeouts: number;
  /** CPU time the server process used during the run, all threads, in seconds; set by the caller. */
  serverCpuSeconds?: number;
}

/** Loads `url` with `GET` requests carrying the workload's tokens, for a bounded time. */
export async function runLoad(url: string, workload: Workload, options: LoadOptions): Promise<LoadResult> {
  const tokens = workload.tokens;
  let sent = 0;
  const request: autocannon.Request =
    tokens.length === 1 && options.onProgress === undefined
      ? { method: 'GET', headers: { authorization: `Bearer ${tokens[0]}` } }
      : {
          method: 'GET',
          // Rebuilt for every request, so consecutive requests carry consecutive tokens.
          setupRequest: (request) => {
            const token = tokens[sent % tokens.length];
            sent++;
            return { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } };
          },
        };

  let instance: autocannon.Instance | undefined;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    const settings: autocannon.Options = {
      url,
      connections: options.connections,
      duration: options.durationSeconds,
      ...(options.maxRequests === undefined ? {} : { amount: options.maxRequests }),
      requests: [request],
      timeout: 10,
    };
    instance = autocannon(settings, (error, result) => (error ? reject(error) : resolve(result)));
  });
  // With `amount` set, autocannon 9 ignores `duration` (lib/run.js), so this timer bounds the run in time.
  const deadline = setTimeout(() => instance?.stop(), (options.durationSeconds + 1) * 1000);
  const progress = options.onProgress === undefined ? undefined : setInterval(() => options.onProgress?.(sent), 1000);

  let result: autocannon.Result;
  try {
    result = await finished;
  } finally {
    clearTimeout(deadline);
    clearInterval(progress);
  }
  return summarize(result, workload.expectedStatus);
}

function summarize(result: autocannon.Result, expectedStatus: number): LoadResult {
  const statusCounts: Record<string, number> = {};
  for (const [status, stats] of Object.entries(result.statusCodeStats ?? {})) {
    statusCounts[status] = stats?.count ?? 0;
  }
  const responses = Object.values(statusCounts).reduce((sum, count) => sum + count, 0);
  const durationSeconds = result.duration;

  return {
    requests: result.requests.total,
    durationSeconds,
    requestsPerSecond: durationSeconds > 0 ? result.requests.total / durationSeconds : 0,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    non2xx: result.non2xx,
    unexpectedStatus: responses - (statusCounts[String(expectedStatus)] ?? 0),
    statusCounts,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}
