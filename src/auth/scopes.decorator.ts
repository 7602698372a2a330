import { ScopeRequirement, scopeRequirement } from './scope-requirement';

/** Metadata key under which a class or handler lists its scope requirements. */
export const SCOPE_REQUIREMENTS = 'auth:scope-requirements';

/**
 * Requires every one of the scopes. On a controller it applies to each of
 * its routes, in addition to the routes' own requirements. A route with a
 * scope requirement always needs a valid token, even under `@Public()` or
 * `@OptionalAuth()`.
 */
export function RequireScopes(...scopes: string[]): ClassDecorator & MethodDecorator {
  return addRequirement(scopeRequirement('all', scopes));
}

/** Requires at least one of the scopes, and otherwise works like `@RequireScopes()`. */
export function RequireAnyScope(...scopes: string[]): ClassDecorator & MethodDecorator {
  return addRequirement(scopeRequirement('any', scopes));
}

// Appends rather than replaces, so that two scope decorators on one target both apply. The inherited
// list is read on purpose: a subclassed controller keeps its parent's requirements.
function addRequirement(requirement: ScopeRequirement): ClassDecorator & MethodDecorator {
  return (target: object, _propertyKey?: string | symbol, descriptor?: PropertyDescriptor): void => {
    const holder: object = descriptor === undefined ? target : (descriptor.value as object);
    const existing = (Reflect.getMetadata(SCOPE_REQUIREMENTS, holder) as ScopeRequirement[] | undefined) ?? [];
    Reflect.defineMetadata(SCOPE_REQUIREMENTS, [...existing, requirement], holder);
  };
}
