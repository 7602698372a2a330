import type { Server } from 'node:http';
import type { INestApplication, LoggerService } from '@nestjs/common';

/** How often idle keep-alive connections are closed while draining, in milliseconds. */
const IDLE_SWEEP_INTERVAL_MS = 50;

export interface GracefulShutdownOptions {
  /** How long requests in flight may run after the signal, in milliseconds. */
  timeoutMs: number;
  logger: LoggerService;
  signals?: NodeJS.Signals[];
}

/**
 * Stops the service on SIGTERM or SIGINT the way an orchestrator expects:
 * the listening socket closes at once, requests in flight finish, Nest's
 * shutdown hooks run, and the process exits 0. Requests still running
 * after `timeoutMs` have their connections closed and the exit code is 1.
 *
 * Nest's own `enableShutdownHooks` is not used because it runs the module
 * destroy hooks before the server stops, while requests may still need
 * those modules, and it ends the process by re-sending the signal, which
 * exits 143 rather than 0.
 */
export function enableGracefulShutdown(app: INestApplication, options: GracefulShutdownOptions): void {
  let stopping = false;

  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) {
      return;
    }
    stopping = true;
    options.logger.log(`Received ${signal}: no longer accepting connections, waiting up to ${options.timeoutMs} ms for requests in flight`);

    const server = app.getHttpServer() as Server;
    const drained = await closeServer(server, options.timeoutMs);
    if (!drained) {
      options.logger.error(`Requests still in flight after ${options.timeoutMs} ms; closing their connections`);
      server.closeAllConnections();
    }

    try {
      await app.close();
    } catch (error) {
      options.logger.error('Shutdown hooks failed', error instanceof Error ? error.stack : String(error));
      process.exit(1);
    }
    options.logger.log('Stopped');
    process.exit(drained ? 0 : 1);
  };

  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) {
    process.once(signal, (received: NodeJS.Signals) => void stop(received));
  }
}

/** Stops accepting connections and resolves true once every connection has ended, or false when `timeoutMs` passes first. */
function closeServer(server: Server, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    // A keep-alive connection whose request finishes stays open, idle, and would hold `close` until the
    // client's keep-alive timeout, so idle connections are closed again until the server has drained.
    const idleSweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_INTERVAL_MS);
    const timer = setTimeout(() => finish(false), timeoutMs);
    const finish = (drained: boolean): void => {
      clearInterval(idleSweep);
      clearTimeout(timer);
      resolve(drained);
    };

    server.close(() => finish(true));
    server.closeIdleConnections();
  });
}
