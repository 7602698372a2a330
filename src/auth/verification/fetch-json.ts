import { isLoopbackHost } from '../../config/env-reader';

/** A metadata or key set document could not be fetched or is not usable. */
export class RemoteDocumentError extends Error {
  override readonly name = 'RemoteDocumentError';
}

export interface FetchJsonOptions {
  /** Limit for the whole exchange, connection to last byte, in milliseconds. */
  timeoutMs: number;
  /** Largest accepted body, in bytes. */
  maxBytes: number;
}

/**
 * GETs a JSON object. One time limit covers the whole exchange, so a server
 * that sends a byte every few seconds cannot hold a caller for longer.
 * Redirects are not followed: metadata and key URLs must be exact.
 */
export async function fetchJsonObject(url: string, options: FetchJsonOptions): Promise<Record<string, unknown>> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: 'manual',
      headers: { accept: 'application/json' },
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new RemoteDocumentError(`${url} returned HTTP ${response.status}`);
    }
    if (Number(response.headers.get('content-length') ?? 0) > options.maxBytes) {
      await response.body?.cancel();
      throw new RemoteDocumentError(`${url} returned more than ${options.maxBytes} bytes`);
    }
    text = await response.text();
  } catch (error) {
    if (error instanceof RemoteDocumentError) {
      throw error;
    }
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    throw new RemoteDocumentError(
      timedOut ? `${url} did not respond within ${options.timeoutMs} ms` : `${url} could not be fetched: ${describe(error)}`,
      { cause: error },
    );
  }

  if (text.length > options.maxBytes) {
    throw new RemoteDocumentError(`${url} returned more than ${options.maxBytes} bytes`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new RemoteDocumentError(`${url} did not return valid JSON`, { cause: error });
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new RemoteDocumentError(`${url} did not return a JSON object`);
  }
  return document as Record<string, unknown>;
}

/** Checks a URL found in provider metadata: https, or http on loopback (or anywhere when explicitly allowed). */
export function isAcceptableRemoteUrl(value: unknown, allowInsecureHttp: boolean): value is string {
  if (typeof value !== 'string') {
    return false;
  }
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && (allowInsecureHttp || isLoopbackHost(url.hostname)));
  } catch {
    return false;
  }
}

function describe(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code === undefined ? cause.message : `${code} ${cause.message}`;
  }
  return String(cause);
}
