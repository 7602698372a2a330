import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

export interface VerifiedTokenCacheSettings {
  /** Maximum number of tokens remembered; 0 turns the cache off. Default 10000. */
  maxEntries: number;
  /** Longest time a token is remembered, in milliseconds, however long it stays valid. Default 60000. */
  maxAgeMs: number;
}

interface CachedToken<T> {
  value: T;
  /** Identity of the key that verified the token: its SPKI in PEM form. */
  keyFingerprint: string;
}

/**
 * Remembers tokens that passed every check, keyed by a SHA-256 hash of the
 * whole token, so a token sent again skips parsing and the signature check
 * (as Envoy's JWT filter does).
 * An entry never outlives the token's `exp` (plus clock tolerance), its
 * maximum age since `iat` if one is set, nor `maxAgeMs`, and it is dropped
 * as soon as its key leaves the JWKS. Only successes are cached: a rejected
 * token is checked in full every time.
 */
export class VerifiedTokenCache<T extends object> {
  private readonly entries: LRUCache<string, CachedToken<T>> | undefined;

  constructor(private readonly settings: VerifiedTokenCacheSettings) {
    this.entries = settings.maxEntries === 0 ? undefined : new LRUCache({ max: settings.maxEntries, ttlAutopurge: false });
  }

  get(token: string): T | undefined {
    return this.entries?.get(hash(token))?.value;
  }

  /** Caches what a verified token yielded until `validUntilMs` (epoch milliseconds) or the maximum age, whichever comes first. */
  set(token: string, value: T, keyFingerprint: string, validUntilMs: number, nowMs = Date.now()): void {
    const ttl = Math.min(validUntilMs - nowMs, this.settings.maxAgeMs);
    if (this.entries === undefined || ttl < 1) {
      return;
    }
    this.entries.set(hash(token), { value, keyFingerprint }, { ttl });
  }

  /** Drops every token verified by a key that is no longer in the key set, or whose material changed under the same `kid`. */
  retainKeys(fingerprints: ReadonlySet<string>): void {
    if (this.entries === undefined) {
      return;
    }
    for (const [key, entry] of this.entries.entries()) {
      if (!fingerprints.has(entry.keyFingerprint)) {
        this.entries.delete(key);
      }
    }
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }
}

function hash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
