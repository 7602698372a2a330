import { RequireAnyScope, RequireScopes } from '../src/auth';

describe('scope decorators', () => {
  it('rejects a call without scopes', () => {
    expect(() => RequireScopes()).toThrow(new TypeError('A scope requirement needs at least one scope.'));
    expect(() => RequireAnyScope()).toThrow(TypeError);
  });

  it.each([['read:a read:b'], [''], ['read:"quoted"'], ['back\\slash'], ['caf\u00e9']])('rejects the scope %j', (scope) => {
    expect(() => RequireScopes('read:ok', scope)).toThrow(/^Invalid scope .*pass each scope as its own argument/);
  });

  it('accepts scopes in RFC 6749 syntax', () => {
    expect(() => RequireScopes('read:admin-messages', 'https://api.example.test/orders.write', 'openid')).not.toThrow();
  });
});
