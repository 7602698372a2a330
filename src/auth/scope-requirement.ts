import { StacklessError } from '../common/stackless-error';
import type { TokenContext } from './verification/auth-errors';

/** Scopes a route requires: every one of them (`all`) or at least one (`any`). */
export interface ScopeRequirement {
  match: 'all' | 'any';
  scopes: readonly string[];
}

/** RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** The token is valid but does not grant a scope the route requires: 403 with `error="insufficient_scope"`. */
export class InsufficientScopeError extends StacklessError {
  override readonly name = 'InsufficientScopeError';
  readonly reason = 'insufficient_scope';

  constructor(
    readonly requirement: ScopeRequirement,
    readonly context: TokenContext,
  ) {
    super(describeRequirement(requirement));
  }
}

/** Builds a requirement, and throws a TypeError at class definition time for a scope that could never be granted. */
export function scopeRequirement(match: ScopeRequirement['match'], scopes: string[]): ScopeRequirement {
  if (scopes.length === 0) {
    throw new TypeError('A scope requirement needs at least one scope.');
  }
  for (const scope of scopes) {
    if (!SCOPE_TOKEN.test(scope)) {
      throw new TypeError(`Invalid scope ${JSON.stringify(scope)}: pass each scope as its own argument, without spaces, quotes or backslashes.`);
    }
  }
  return { match, scopes: [...scopes] };
}

/** Throws an InsufficientScopeError for the first requirement that the granted scopes do not meet. */
export function assertScopes(granted: readonly string[], requirements: readonly ScopeRequirement[], context: TokenContext): void {
  const grantedSet = new Set(granted);
  for (const requirement of requirements) {
    const met =
      requirement.match === 'all'
        ? requirement.scopes.every((scope) => grantedSet.has(scope))
        : requirement.scopes.some((scope) => grantedSet.has(scope));
    if (!met) {
      throw new InsufficientScopeError(requirement, context);
    }
  }
}

function describeRequirement(requirement: ScopeRequirement): string {
  const scopes = requirement.scopes.join(' ');
  return requirement.match === 'all' || requirement.scopes.length === 1
    ? `The access token lacks a scope this request requires: ${scopes}`
    : `The access token lacks the scope this request requires, one of: ${scopes}`;
}
