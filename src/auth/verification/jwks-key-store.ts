import { createPublicKey } from 'node:crypto';
import { JwksClient, SigningKey } from 'jwks-rsa';
import type { JwksSettings } from '../auth-config.type';
import { InvalidTokenError, KeySetUnavailableError, TokenContext } from './auth-errors';
import { JoseHeader, } from './jose-header';
import { contextOf, VerificationKey } from './token-policy';

/** Largest JWKS document accepted, in bytes; real sets are a few kilobytes. */
const MAX_JWKS_BYTES = 512 * 1024;

/**
 * Supplies verification keys from the configured JWKS through jwks-rsa,
 * which caches keys by `kid` and rate-limits fetches. Each key is imported
 * into a `KeyObject` once, so no request parses PEM text.
 */
export class JwksKeyStore {
  private readonly client: JwksClient;
  private readonly imported = new WeakMap<SigningKey, VerificationKey>();

  constructor(private readonly settings: JwksSettings) {
    this.client = new JwksClient({
      jwksUri: settings.uri,
      cache: true,
      cacheMaxAge: settings.cacheMaxAgeMs,
      cacheMaxEntries: 16,
      rateLimit: true,
      jwksRequestsPerMinute: settings.requestsPerMinute,
      timeout: settings.timeoutMs,
      fetcher: (uri) => fetchKeySet(uri, settings.timeoutMs),
    });
  }

  /** Returns the key the token's `kid` names; never consults header parameters other than `kid`. */
  async getKey(header: JoseHeader): Promise<VerificationKey> {
    const context = contextOf(header);
    let signingKey: SigningKey;
    try {
      signingKey = await this.client.getSigningKey(header.kid);
    } catch (error) {
      throw translateJwksError(error, context);
    }

    let key = this.imported.get(signingKey);
    if (key === undefined) {
      key = {
        key: createPublicKey(signingKey.getPublicKey()),
        kid: signingKey.kid,
        jwkAlgorithm: signingKey.alg,
      };
      this.imported.set(signingKey, key);
    }
    return key;
  }
}

/**
 * Fetches the key set with one time limit for the whole exchange, so a
 * server that sends a byte every few seconds cannot hold requests open.
 */
export async function fetchKeySet(uri: string, timeoutMs: number): Promise<{ keys: unknown[] }> {
  const response = await fetch(uri, {
    signal: AbortSignal.timeout(timeoutMs),
    redirect: 'error',
    headers: { accept: 'application/json, application/jwk-set+json' },
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`JWKS endpoint returned HTTP ${response.status}`);
  }

  const declaredLength = Number(response.headers.get('content-length') ?? 0);
  if (declaredLength > MAX_JWKS_BYTES) {
    await response.body?.cancel();
    throw new Error(`JWKS document is larger than ${MAX_JWKS_BYTES} bytes`);
  }
  const text = await response.text();
  if (text.length > MAX_JWKS_BYTES) {
    throw new Error(`JWKS document is larger than ${MAX_JWKS_BYTES} bytes`);
  }

  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new Error('JWKS document is not valid JSON', { cause: error });
  }
  const keys = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) {
    throw new Error('JWKS document has no "keys" array');
  }
  return { keys };
}

interface JwksRsaError extends Error {
  isEndpointUnavailable?: boolean;
}

function translateJwksError(error: unknown, context: TokenContext): Error {
  const failure = error as JwksRsaError;
  if (failure?.name === 'SigningKeyNotFoundError') {
    return new InvalidTokenError('key_not_found', 'no key in the JWKS matches the token\'s "kid"', context, { cause: error });
  }
  if (failure?.name === 'JwksRateLimitError') {
    return new InvalidTokenError('key_not_found', '"kid" is not cached and JWKS fetches are rate-limited', context, { cause: error });
  }
  return new KeySetUnavailableError(`JWKS could not be fetched: ${failure?.message ?? 'unknown error'}`, context, 30, { cause: error });
}
