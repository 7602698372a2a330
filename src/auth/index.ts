// The surface that other modules import. The request and verification layers stay internal.
export { AuthModule } from './auth.module';
export { OptionalAuth, Public } from './auth-mode.decorator';
export { CurrentPrincipal, type CurrentPrincipalOptions } from './current-principal.decorator';
export type { AccessTokenClaims, Principal } from './principal';
export { RequireAnyScope, RequireScopes } from './scopes.decorator';
