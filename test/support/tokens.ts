import { signCompact, TestKey } from './keys';

export interface TokenOptions {
  /** Header fields merged over `{ alg, typ: 'JWT', kid }`; `undefined` values remove a field. */
  header?: Record<string, unknown>;
  /** Claims merged over a valid set; `undefined` values remove a claim. */
  claims?: Record<string, unknown>;
  /** Signing key; defaults to the factory's key. */
  key?: TestKey;
}

/** Mints tokens for one issuer and audience, valid unless a test overrides a field. */
export class TokenFactory {
  constructor(
    readonly issuer: string,
    readonly audience: string,
    readonly key: TestKey,
  ) {}

  token(options: TokenOptions = {}): string {
    const key = options.key ?? this.key;
    const now = Math.floor(Date.now() / 1000);
    const header = withoutUndefined({ alg: key.alg, typ: 'JWT', kid: key.kid, ...options.header });
    const claims = withoutUndefined({
      iss: this.issuer,
      aud: this.audience,
      sub: 'user-123',
      iat: now,
      nbf: now,
      exp: now + 300,
      scope: 'read:messages',
      ...options.claims,
    });
    return signCompact(header, claims, key.privateKey, String(header.alg));
  }
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
