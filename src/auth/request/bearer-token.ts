import type { IncomingMessage } from 'node:http';

/** No bearer credentials at all, which gets a bare challenge with no error code (RFC 6750 section 3.1). */
export class MissingCredentialsError extends Error {
  override readonly name = 'MissingCredentialsError';
  readonly reason = 'token_missing';
}

/** Credentials are present but the request carrying them is malformed: `error="invalid_request"`, 400. */
export class InvalidRequestError extends Error {
  override readonly name = 'InvalidRequestError';
  readonly reason = 'request_malformed';

  constructor(readonly description: string) {
    super(description);
  }
}

// RFC 9110 section 11.4: credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ].
const AUTH_SCHEME = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?: +(.*))?$/s;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Reads the bearer token from the `Authorization` header, the only place a
 * token is accepted (RFC 6750 section 2.1). Duplicate headers, a token in
 * the query or body as well, an empty token and text after the token are
 * malformed requests, not missing credentials.
 */
export function extractBearerToken(request: IncomingMessage & { query?: unknown; body?: unknown }): string {
  const headerCount = countHeaders(request.rawHeaders, 'authorization');
  if (headerCount > 1) {
    throw new InvalidRequestError('The request has more than one Authorization header.');
  }
  if (hasAccessTokenParameter(request.query) || hasAccessTokenParameter(request.body)) {
    throw new InvalidRequestError('Send the access token in the Authorization header only, not as an access_token parameter.');
  }

  const header = request.headers.authorization?.trim();
  if (header === undefined || header === '') {
    throw new MissingCredentialsError('no Authorization header');
  }

  const match = AUTH_SCHEME.exec(header);
  if (match === null) {
    throw new InvalidRequestError('The Authorization header is malformed.');
  }
  const [, scheme, credentials = ''] = match;
  if (scheme.toLowerCase() !== 'bearer') {
    throw new MissingCredentialsError(`Authorization scheme is not Bearer`);
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

function countHeaders(rawHeaders: string[], name: string): number {
  let count = 0;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    if (rawHeaders[index].length === name.length && rawHeaders[index].toLowerCase() === name) {
      count++;
    }
  }
  return count;
}

function hasAccessTokenParameter(container: unknown): boolean {
  return typeof container === 'object' && container !== null && Object.hasOwn(container, 'access_token');
}
