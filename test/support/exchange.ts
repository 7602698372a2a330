import request, { Response } from 'supertest';
import type { RunningApp } from './test-app';

export interface Exchange {
  response: Response;
  /** Log lines written while the request was in flight, background lines such as key loading included. */
  logs: string[];
}

/** Sends a GET, with the `Authorization` value if given, and returns the response with the log lines it produced. */
export async function get(service: RunningApp, path: string, authorization?: string): Promise<Exchange> {
  const before = service.logs.lines.length;
  let pending = request(service.url).get(path);
  if (authorization !== undefined) {
    pending = pending.set('Authorization', authorization);
  }
  const response = await pending;
  return { response, logs: service.logs.lines.slice(before) };
}

/** Log lines of one request that carry the reason code. */
export function linesWithReason({ response, logs }: Exchange, reason: string): string[] {
  return logs.filter((line) => line.includes(`reason=${reason} `) && line.includes(`request_id=${response.headers['x-request-id']}`));
}

/** Log lines that record a rejected request, whatever the reason. Other lines, such as key loading in the background, are left out. */
export function rejectionLines({ logs }: Exchange): string[] {
  return logs.filter((line) => line.includes('reason='));
}
