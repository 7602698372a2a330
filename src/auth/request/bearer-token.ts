import type { IncomingMessage } from 'node:http';
import { StacklessError } from '../../common/stackless-error';

/** No bearer credentials at all, which gets a bare challenge with no error code (RFC 6750 section 3.1). */
export class MissingCredentialsError extends StacklessError {
  override readonly name = 'MissingCredentialsError';
  readonly reason = 'token_missing';
}

/** Credentials are present but the request carrying them is malformed: `error="invalid_request"`, 400. */
export class InvalidRequestError extends StacklessError {
  override readonly name = 'InvalidRequestError';
  readonly reason = 'request_malformed';

  constructor(readonly description: string) {
    super(description);
  }
}

/** Places a bearer token may be sent in (RFC 6750 section 2). */
export type TokenSource = 'header' | 'body' | 'query';

// RFC 9110 section 11.4: credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ].
const AUTH_SCHEME = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?: +(.*))?$/s;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
const HEADER_ONLY: ReadonlySet<TokenSource> = new Set(['header']);

type RequestWithParameters = IncomingMessage & { query?: unknown; body?: unknown };

/**
 * Reads the bearer token from the request. By default only the
 * `Authorization` header is accepted (RFC 6750 section 2.1); `sources` may
 * add the form body (section 2.2) and the query (section 2.3). Duplicate
 * headers, a token in more than one place or in a place not accepted, an
 * empty token and text after the token are malformed requests (400), not
 * missing credentials (401).
 */
export function extractBearerToken(request: RequestWithParameters, sources: ReadonlySet<TokenSource> = HEADER_ONLY): string {
  if (countHeaders(request.rawHeaders, 'authorization') > 1) {
    throw new InvalidRequestError('The request has more than one Authorization header.');
  }

  const candidates: Array<[TokenSource, string]> = [];
  const headerToken = readAuthorizationHeader(request.headers.authorization);
  if (headerToken !== undefined) {
    candidates.push(['header', headerToken]);
  }
  const queryToken = readAccessTokenParameter(request.query, 'query');
  if (queryToken !== undefined) {
    candidates.push(['query', queryToken]);
  }
  const bodyToken = isFormEncoded(request) ? readAccessTokenParameter(request.body, 'body') : undefined;
  if (bodyToken !== undefined) {
    candidates.push(['body', bodyToken]);
  }

  if (candidates.length > 1) {
    throw new InvalidRequestError('The request carries an access token in more than one place.');
  }
  if (candidates.length === 0) {
    throw new MissingCredentialsError('no bearer token in the request');
  }

  const [source, token] = candidates[0];
  if (!sources.has(source)) {
    throw new InvalidRequestError('Send the access token in the Authorization header, not as an access_token parameter.');
  }
  if (!TOKEN68.test(token)) {
    throw new InvalidRequestError('The access token contains characters a bearer token cannot have.');
  }
  return token;
}

/** Returns the Bearer credentials, or undefined when the header is absent or uses another scheme. */
function readAuthorizationHeader(header: string | undefined): string | undefined {
  const value = header?.trim();
  if (value === undefined || value === '') {
    return undefined;
  }

  const match = AUTH_SCHEME.exec(value);
  if (match === null) {
    throw new InvalidRequestError('The Authorization header is malformed.');
  }
  const [, scheme, credentials = ''] = match;
  if (scheme.toLowerCase() !== 'bearer') {
    return undefined;
  }

  const token = credentials.trim();
  if (token === '') {
    throw new InvalidRequestError('The Bearer scheme must be followed by an access token.');
  }
  if (!TOKEN68.test(token)) {
    throw new InvalidRequestError('The Authorization header must contain "Bearer" followed by exactly one access token.');
  }
  return token;
}

function readAccessTokenParameter(container: unknown, place: string): string | undefined {
  if (typeof container !== 'object' || container === null || !Object.hasOwn(container, 'access_token')) {
    return undefined;
  }
  const value = (container as { access_token?: unknown }).access_token;
  if (typeof value !== 'string' || value === '') {
    throw new InvalidRequestError(`The access_token ${place} parameter must appear once, with a value.`);
  }
  return value;
}

function isFormEncoded(request: IncomingMessage): boolean {
  return request.headers['content-type']?.toLowerCase().startsWith('application/x-www-form-urlencoded') === true;
}

function countHeaders(rawHeaders: string[], name: string): number {
  let count = 0;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    if (rawHeaders[index].length === name.length && rawHeaders[index].toLowerCase() === name) {
      count++;
    }
  }
  return count;
}
