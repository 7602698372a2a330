import { InvalidTokenError, TokenContext } from './auth-errors';

/** The JOSE header fields this service reads (RFC 7515 section 4.1). */
export interface JoseHeader {
  alg: string;
  kid?: string;
  typ?: string;
  crit?: unknown;
  [parameter: string]: unknown;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const MAX_KID_LENGTH = 256;

/**
 * Decodes the protected header of a compact JWS without trusting it.
 * Only the shape is checked here: three base64url parts (the last may be
 * empty), a JSON object
 * header, a string `alg` and, if present, a short printable string `kid`.
 */
export function decodeJoseHeader(token: string): JoseHeader {
  const parts = token.split('.');
  // An empty signature is let through here so that `alg: none` is reported as a disallowed algorithm.
  if (parts.length !== 3 || !BASE64URL.test(parts[0]) || !BASE64URL.test(parts[1]) || !/^[A-Za-z0-9_-]*$/.test(parts[2])) {
    throw new InvalidTokenError('token_malformed', 'token is not a compact JWS with three base64url parts');
  }
  // Buffer ignores the unused low bits of a segment's last character, so without this check
  // several token strings would carry one signature (RFC 4648 section 3.5 lets decoders reject them).
  if (!parts.every(isCanonicalBase64url)) {
    throw new InvalidTokenError('token_malformed', 'token segment is not canonical base64url');
  }

  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
  } catch (error) {
    throw new InvalidTokenError('token_malformed', 'JOSE header is not valid JSON', {}, { cause: error });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new InvalidTokenError('token_malformed', 'JOSE header is not a JSON object');
  }

  const fields = header as Record<string, unknown>;
  if (fields.kid !== undefined && !isSafeKeyId(fields.kid)) {
    throw new InvalidTokenError('header_invalid', `"kid" must be a printable string of at most ${MAX_KID_LENGTH} characters`);
  }
  const context: TokenContext = { kid: fields.kid };
  if (typeof fields.alg !== 'string') {
    throw new InvalidTokenError('header_invalid', '"alg" header parameter is missing or not a string', context);
  }
  if (fields.typ !== undefined && typeof fields.typ !== 'string') {
    throw new InvalidTokenError('header_invalid', '"typ" header parameter is not a string', context);
  }
  return fields as JoseHeader;
}

function isCanonicalBase64url(segment: string): boolean {
  return Buffer.from(segment, 'base64url').toString('base64url') === segment;
}

function isSafeKeyId(kid: unknown): kid is string {
  return typeof kid === 'string' && kid.length > 0 && kid.length <= MAX_KID_LENGTH && /^[\x20-\x7e]+$/.test(kid);
}

/**
 * Checks that the payload is a JSON object before any library reads it:
 * jsonwebtoken 9 throws a TypeError, outside its callback, on a signed
 * payload of `null`.
 */
export function assertPayloadIsObject(token: string, context: TokenContext): void {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
  } catch (error) {
    throw new InvalidTokenError('token_malformed', 'payload is not valid JSON', context, { cause: error });
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new InvalidTokenError('token_malformed', 'payload is not a JSON object', context);
  }
}
