import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

export interface TokenCacheSettings {
  /** Maximum number of tokens remembered; 0 turns the cache off. Default 10000. */
  maxEntries: number;
  /** Maximum time a result is kept, in milliseconds, even for a token valid much longer. Default 60000. */
  maxAgeMs: number;
}

interface CachedToken<T> {
  value: T;
  /** Identity of the key the result depends on (its SPKI in PEM form), or undefined when it depends on no key. */
  keyFingerprint: string | undefined;
}

/**
 * Remembers what checking a token yielded, keyed by a SHA-256 hash of the
 * whole token, so a token sent again skips parsing and the signature check
 * (Envoy's JWT filter caches verified tokens the same way). An entry lives
 * until `validUntilMs`, which the caller sets from the token's `exp`, and
 * at most `maxAgeMs`. An entry tied to a key is dropped as soon as that key
 * leaves the JWKS or changes.
 */
export class TokenCache<T extends object> {
  private readonly entries: LRUCache<string, CachedToken<T>> | undefined;

  constructor(private readonly settings: TokenCacheSettings) {
    this.entries = settings.maxEntries === 0 ? undefined : new LRUCache({ max: settings.maxEntries, ttlAutopurge: false });
  }

  /** Returns the cached result for a token, looked up by its `tokenDigest`. */
  get(digest: string): T | undefined {
    return this.entries?.get(digest)?.value;
  }

  /** Caches a token's result until `validUntilMs` (epoch milliseconds) or the maximum age, whichever comes first. */
  set(digest: string, value: T, keyFingerprint: string | undefined, validUntilMs: number, nowMs = Date.now()): void {
    const ttl = Math.min(validUntilMs - nowMs, this.settings.maxAgeMs);
    if (this.entries === undefined || ttl < 1) {
      return;
    }
    this.entries.set(digest, { value, keyFingerprint }, { ttl });
  }

  /** Drops every result tied to a key that is no longer in the key set, or whose material changed under the same `kid`. */
  retainKeys(fingerprints: ReadonlySet<string>): void {
    if (this.entries === undefined) {
      return;
    }
    for (const [key, entry] of this.entries.entries()) {
      if (entry.keyFingerprint !== undefined && !fingerprints.has(entry.keyFingerprint)) {
        this.entries.delete(key);
      }
    }
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }
}

/** Returns the cache key of a token: a SHA-256 of the whole token, computed once per request and shared by both caches. */
export function tokenDigest(token: string): string {
  return hash('sha256', token, 'base64url');
}
