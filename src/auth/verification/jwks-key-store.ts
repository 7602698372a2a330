import { createPublicKey } from 'node:crypto';
import { JwksClient } from 'jwks-rsa';
import type { JwksSettings } from '../auth-config.type';
import { InvalidTokenError, KeySetUnavailableError } from './auth-errors';
import { fetchJsonObject, RemoteDocumentError } from './fetch-json';
import { discoverJwksUri } from './issuer-metadata';
import { JoseHeader } from './jose-header';
import { contextOf, VerificationKey } from './token-policy';

/** Largest metadata or JWKS document accepted, in bytes; real key sets are a few kilobytes. */
const MAX_DOCUMENT_BYTES = 512 * 1024;
const MIN_RSA_MODULUS_BITS = 2048;

/** Key store events, for logs and metrics: `keysLoaded` after each successful fetch, `fetchFailed` once per outage. Neither fires per request. */
export interface KeyStoreListener {
  keysLoaded(event: { jwksUri: string; keyIds: string[]; usableKeys: number; previouslyFailing: boolean; fingerprints: ReadonlySet<string> }): void;
  /** The first failure of an episode; later failures of the same episode are not reported. */
  fetchFailed(event: { error: Error; jwksUri: string | undefined; servingStaleKeys: boolean }): void;
}

interface KeySet {
  byKid: Map<string, VerificationKey>;
  all: VerificationKey[];
  fetchedAt: number;
}

/**
 * Supplies verification keys from the issuer's JWKS. jwks-rsa fetches and
 * imports the set; this class decides when to fetch it:
 *
 * - the whole set is cached for `cacheMaxAgeMs` and refreshed in the background;
 * - an unknown `kid` triggers at most one fetch, shared by every request
 *   waiting for it, and no more than one per `cooldownMs`;
 * - while the provider fails, the last good set stays in use for
 *   `staleWindowMs` beyond its age, and requests that need a key the store
 *   cannot confirm get `KeySetUnavailableError` (503), not a 401.
 */
export class JwksKeyStore {
  private keySet: KeySet | undefined;
  private jwksUri: string | undefined;
  private client: JwksClient | undefined;
  private refreshing: Promise<void> | undefined;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private lastError: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly settings: JwksSettings,
    private readonly listener: KeyStoreListener,
    private readonly now: () => number = Date.now,
  ) {
    this.jwksUri = settings.uri;
  }

  /** Starts loading keys in the background and returns without waiting for the provider. */
  start(): void {
    this.stopped = false;
    void this.refresh();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** True while a key set is loaded and young enough to use. */
  isReady(): boolean {
    return this.keySet !== undefined && this.age(this.keySet) < this.settings.cacheMaxAgeMs + this.settings.staleWindowMs;
  }

  /** Current state for health reports; contains no key material. */
  describe(): { ready: boolean; jwksUri: string | undefined; keyIds: string[]; ageMs: number | undefined; lastError: string | undefined } {
    return {
      ready: this.isReady(),
      jwksUri: this.jwksUri,
      keyIds: this.keySet === undefined ? [] : [...this.keySet.byKid.keys()],
      ageMs: this.keySet === undefined ? undefined : this.age(this.keySet),
      lastError: this.lastError?.message,
    };
  }

  /** Returns the key the token's `kid` names; never consults header parameters other than `kid`. */
  async getKey(header: JoseHeader): Promise<VerificationKey> {
    if (this.keySet === undefined || this.age(this.keySet) >= this.settings.cacheMaxAgeMs) {
      await this.refreshIfAllowed();
    }

    const keySet = this.usableKeySet(header);
    const key = this.find(keySet, header);
    if (key !== undefined) {
      return key;
    }

    // The provider may have rotated keys since the last fetch.
    if (this.refreshAllowed()) {
      await this.refresh();
      const refreshed = this.find(this.usableKeySet(header), header);
      if (refreshed !== undefined) {
        return refreshed;
      }
    }
    if (this.lastError !== undefined) {
      // The provider is failing, so a key the cached set lacks may well exist there.
      throw this.unavailable(header);
    }
    throw new InvalidTokenError('key_not_found', 'no key in the JWKS matches the token\'s "kid"', contextOf(header));
  }

  private usableKeySet(header: JoseHeader): KeySet {
    const keySet = this.keySet;
    if (keySet === undefined || this.age(keySet) >= this.settings.cacheMaxAgeMs + this.settings.staleWindowMs) {
      throw this.unavailable(header);
    }
    return keySet;
  }

  private find(keySet: KeySet, header: JoseHeader): VerificationKey | undefined {
    if (header.kid !== undefined) {
      return keySet.byKid.get(header.kid);
    }
    // A token without "kid" is accepted only when the set leaves no choice, as jwks-rsa does.
    return keySet.all.length === 1 ? keySet.all[0] : undefined;
  }

  private unavailable(header: JoseHeader): KeySetUnavailableError {
    const retryAfterMs = Math.max(this.lastAttemptAt + this.settings.cooldownMs - this.now(), 1_000);
    return new KeySetUnavailableError(
      `no usable signing keys: ${this.lastError?.message ?? 'the key set has not been loaded yet'}`,
      contextOf(header),
      Math.ceil(retryAfterMs / 1_000),
      { cause: this.lastError },
    );
  }

  private refreshAllowed(): boolean {
    return this.refreshing !== undefined || this.now() - this.lastAttemptAt >= this.settings.cooldownMs;
  }

  private async refreshIfAllowed(): Promise<void> {
    if (this.refreshAllowed()) {
      await this.refresh();
    }
  }

  /** Fetches the set once for all callers that arrive while a fetch is in flight. Never rejects. */
  private refresh(): Promise<void> {
    this.refreshing ??= this.load().finally(() => {
      this.refreshing = undefined;
      this.scheduleRefresh();
    });
    return this.refreshing;
  }

  private async load(): Promise<void> {
    this.lastAttemptAt = this.now();
    try {
      const keySet = await this.fetchKeySet();
      const previouslyFailing = this.lastError !== undefined;
      this.keySet = keySet;
      this.lastError = undefined;
      this.listener.keysLoaded({
        jwksUri: this.jwksUri ?? '',
        keyIds: [...keySet.byKid.keys()],
        usableKeys: keySet.all.length,
        previouslyFailing,
        fingerprints: new Set(keySet.all.map((key) => key.fingerprint)),
      });
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      if (this.lastError === undefined) {
        this.listener.fetchFailed({ error: failure, jwksUri: this.jwksUri, servingStaleKeys: this.isReady() });
      }
      this.lastError = failure;
    }
  }

  private async fetchKeySet(): Promise<KeySet> {
    const fetchOptions = { timeoutMs: this.settings.timeoutMs, maxBytes: MAX_DOCUMENT_BYTES };
    if (this.jwksUri === undefined) {
      this.jwksUri = await discoverJwksUri(this.settings.issuer, { ...fetchOptions, allowInsecureHttp: this.settings.allowInsecureHttp });
    }
    this.client ??= new JwksClient({
      jwksUri: this.jwksUri,
      cache: false,
      rateLimit: false,
      timeout: this.settings.timeoutMs,
      fetcher: async (uri) => {
        const document = await fetchJsonObject(uri, fetchOptions);
        if (!Array.isArray(document.keys)) {
          throw new RemoteDocumentError(`${uri} has no "keys" array`);
        }
        return { keys: document.keys };
      },
    });

    // jwks-rsa keeps keys with "use" of "sig" or none and of type RSA, EC or OKP, and skips keys it cannot import.
    const signingKeys = await this.client.getSigningKeys();
    const byKid = new Map<string, VerificationKey>();
    const all: VerificationKey[] = [];
    for (const signingKey of signingKeys) {
      const fingerprint = signingKey.getPublicKey();
      const key = createPublicKey(fingerprint);
      const details = key.asymmetricKeyDetails ?? {};
      const verificationKey: VerificationKey = {
        key,
        fingerprint,
        keyType: key.asymmetricKeyType,
        modulusLength: details.modulusLength,
        namedCurve: details.namedCurve,
        kid: signingKey.kid,
        jwkAlgorithm: signingKey.alg,
      };
      const weakRsa = verificationKey.keyType?.startsWith('rsa') === true && (verificationKey.modulusLength ?? 0) < MIN_RSA_MODULUS_BITS;
      if (signingKey.kid !== undefined && !byKid.has(signingKey.kid)) {
        byKid.set(signingKey.kid, verificationKey);
      }
      if (!weakRsa) {
        all.push(verificationKey);
      }
    }
    if (all.length === 0) {
      throw new RemoteDocumentError(`${this.jwksUri} contains no usable signing key (RSA keys need at least ${MIN_RSA_MODULUS_BITS} bits)`);
    }
    return { byKid, all, fetchedAt: this.now() };
  }

  /** Refreshes before the set expires, or retries after the cooldown while the provider fails. */
  private scheduleRefresh(): void {
    if (this.stopped) {
      return;
    }
    clearTimeout(this.timer);
    const delay = this.lastError === undefined ? this.settings.cacheMaxAgeMs : this.settings.cooldownMs;
    this.timer = setTimeout(() => void this.refresh(), delay);
    this.timer.unref();
  }

  private age(keySet: KeySet): number {
    return this.now() - keySet.fetchedAt;
  }
}
