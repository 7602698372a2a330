import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { SigningKeysService } from './signing-keys.service';

/** Readiness of token verification: up while a usable JWKS is loaded. */
@Injectable()
export class SigningKeysHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly signingKeys: SigningKeysService,
  ) {}

  /** Current state of the key store, for messages; contains no key material. */
  describe(): ReturnType<SigningKeysService['store']['describe']> {
    return this.signingKeys.store.describe();
  }

  check(key = 'signing_keys'): HealthIndicatorResult {
    const state = this.signingKeys.store.describe();
    const details = { jwksUri: state.jwksUri ?? null, keyIds: state.keyIds, ageMs: state.ageMs ?? null };
    if (state.ready) {
      return this.health.check(key).up(details);
    }
    return this.health.check(key).down({ ...details, lastError: state.lastError ?? 'keys not loaded yet' });
  }
}
