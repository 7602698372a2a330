import { ServiceFixture, startServiceWithJwks } from './support/service-fixture';
import { Controller, Get, Module } from '@nestjs/common';
import { CurrentPrincipal, OptionalAuth, Public, RequireAnyScope, RequireScopes } from '../src/auth';
import type { Principal } from '../src/auth';
import { Exchange, get, linesWithReason, rejectionLines } from './support/exchange';
import { JwksServer } from './support/jwks-server';
import { rsaKey } from './support/keys';
import { RunningApp } from './support/test-app';
import { TokenFactory } from './support/tokens';

const AUDIENCE = 'https://api.example.test';
const INVALID_TOKEN_CHALLENGE = 'Bearer realm="api", error="invalid_token", error_description="The access token is invalid or has expired"';

/** A controller added with no auth decorator at all, as a team might add one. */
@Controller('test/undecorated')
class UndecoratedController {
  @Get()
  get(): { ok: boolean } {
    return { ok: true };
  }
}

@Controller('test/orders')
class OrdersController {
  @RequireScopes('orders:read', 'orders:write')
  @Get('all-of')
  allOf(): { ok: boolean } {
    return { ok: true };
  }

  @RequireAnyScope('orders:read', 'orders:admin')
  @Get('any-of')
  anyOf(): { ok: boolean } {
    return { ok: true };
  }

  @RequireScopes('orders:read')
  @RequireAnyScope('orders:export', 'orders:admin')
  @Get('stacked')
  stacked(): { ok: boolean } {
    return { ok: true };
  }
}

@RequireScopes('reports:read')
@Controller('test/reports')
class ReportsController {
  @Get()
  list(): { ok: boolean } {
    return { ok: true };
  }

  @RequireScopes('reports:export')
  @Get('export')
  export(): { ok: boolean } {
    return { ok: true };
  }

  @Public()
  @Get('public')
  publicButScoped(): { ok: boolean } {
    return { ok: true };
  }
}

@OptionalAuth()
@Controller('test/optional')
class OptionalController {
  @Get()
  greet(@CurrentPrincipal({ optional: true }) principal: Principal | undefined): { subject: string | null } {
    return { subject: principal === undefined ? null : (principal.subject ?? null) };
  }
}

@Controller('test/principal')
class PrincipalController {
  @Get()
  show(@CurrentPrincipal() principal: Principal): Omit<Principal, 'expiresAt'> & { expiresAt: string } {
    return { ...principal, expiresAt: principal.expiresAt.toISOString() };
  }

  @Public()
  @Get('public')
  misused(@CurrentPrincipal() principal: Principal): { subject: string | undefined } {
    return { subject: principal.subject };
  }
}

@Module({
  controllers: [UndecoratedController, OrdersController, ReportsController, OptionalController, PrincipalController],
})
class TestFeatureModule {}

function insufficientScopeChallenge(description: string, scope: string): string {
  return `Bearer realm="api", error="insufficient_scope", error_description="${description}", scope="${scope}"`;
}

describe('authorization', () => {
  const signingKey = rsaKey('key-1');
  let jwks: JwksServer;
  let service: RunningApp;
  let tokens: TokenFactory;

  let fixture: ServiceFixture;

  beforeAll(async () => {
    fixture = await startServiceWithJwks(signingKey, {}, [TestFeatureModule]);
    ({ jwks, service, tokens } = fixture);
  });

  afterAll(() => fixture.stop());

  function withScope(scope: string | undefined, claims: Record<string, unknown> = {}): string {
    return `Bearer ${tokens.token({ claims: { scope, ...claims } })}`;
  }

  function expectMissingToken(exchange: Exchange): void {
    expect(exchange.response.status).toBe(401);
    expect(exchange.response.headers['www-authenticate']).toBe('Bearer realm="api"');
    expect(exchange.response.body.error).toBe('unauthorized');
    expect(linesWithReason(exchange, 'token_missing')).toHaveLength(1);
  }

  function expectInsufficientScope(exchange: Exchange, description: string, scope: string): void {
    expect(exchange.response.status).toBe(403);
    expect(exchange.response.headers['www-authenticate']).toBe(insufficientScopeChallenge(description, scope));
    expect(exchange.response.body).toEqual({
      statusCode: 403,
      error: 'insufficient_scope',
      message: description,
      requestId: exchange.response.headers['x-request-id'],
    });
    const lines = linesWithReason(exchange, 'insufficient_scope');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`required_scope=${JSON.stringify(scope)}`);
  }

  function expectAllowed(exchange: Exchange): void {
    expect(exchange.response.status).toBe(200);
    expect(exchange.response.headers['www-authenticate']).toBeUndefined();
  }

  describe('undecorated controller', () => {
    it('challenges a request without a token', async () => {
      expectMissingToken(await get(service, '/test/undecorated'));
    });

    it('rejects an invalid token', async () => {
      const exchange = await get(service, '/test/undecorated', 'Bearer not-a-jwt');

      expect(exchange.response.status).toBe(401);
      expect(exchange.response.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
      expect(linesWithReason(exchange, 'token_malformed')).toHaveLength(1);
    });

    it('allows a valid token', async () => {
      const exchange = await get(service, '/test/undecorated', withScope(undefined));

      expectAllowed(exchange);
      expect(exchange.response.body).toEqual({ ok: true });
    });
  });

  it('returns 404 for an unknown path without a token', async () => {
    const exchange = await get(service, '/test/no-such-route');

    expect(exchange.response.status).toBe(404);
    expect(exchange.response.headers['www-authenticate']).toBeUndefined();
    expect(rejectionLines(exchange)).toEqual([]);
  });

  describe('@RequireScopes (all of)', () => {
    it('allows a token with every scope', async () => {
      expectAllowed(await get(service, '/test/orders/all-of', withScope('orders:write orders:read')));
    });

    it('allows scopes spread over several claims', async () => {
      expectAllowed(await get(service, '/test/orders/all-of', withScope('orders:read', { permissions: ['orders:write'] })));
    });

    it('forbids a token with only one of the scopes', async () => {
      expectInsufficientScope(
        await get(service, '/test/orders/all-of', withScope('orders:read')),
        'The access token lacks a scope this request requires: orders:read orders:write',
        'orders:read orders:write',
      );
    });

    it('challenges a request without a token', async () => {
      expectMissingToken(await get(service, '/test/orders/all-of'));
    });
  });

  describe('@RequireAnyScope (any of)', () => {
    it.each([
      ['the first scope from scope', { scope: 'orders:read' }],
      ['the second scope from scp', { scope: undefined, scp: ['orders:admin'] }],
      ['the second scope from permissions', { scope: undefined, permissions: ['orders:admin'] }],
    ])('allows %s', async (_case, claims) => {
      expectAllowed(await get(service, '/test/orders/any-of', `Bearer ${tokens.token({ claims })}`));
    });

    it('forbids a token with none of the scopes', async () => {
      expectInsufficientScope(
        await get(service, '/test/orders/any-of', withScope('orders:write')),
        'The access token lacks the scope this request requires, one of: orders:read orders:admin',
        'orders:read orders:admin',
      );
    });

    it('forbids a token with no scope claim at all', async () => {
      expectInsufficientScope(
        await get(service, '/test/orders/any-of', withScope(undefined)),
        'The access token lacks the scope this request requires, one of: orders:read orders:admin',
        'orders:read orders:admin',
      );
    });
  });

  describe('several requirements', () => {
    it('allows a token that meets both decorators on one handler', async () => {
      expectAllowed(await get(service, '/test/orders/stacked', withScope('orders:read orders:admin')));
    });

    it('names the requirement the token misses', async () => {
      expectInsufficientScope(
        await get(service, '/test/orders/stacked', withScope('orders:read')),
        'The access token lacks the scope this request requires, one of: orders:export orders:admin',
        'orders:export orders:admin',
      );
    });

    it('applies the controller requirement to every route', async () => {
      expectAllowed(await get(service, '/test/reports', withScope('reports:read')));
      expectInsufficientScope(
        await get(service, '/test/reports', withScope('reports:export')),
        'The access token lacks a scope this request requires: reports:read',
        'reports:read',
      );
    });

    it('adds a handler requirement to the controller requirement', async () => {
      expectAllowed(await get(service, '/test/reports/export', withScope('reports:read reports:export')));
      expectInsufficientScope(
        await get(service, '/test/reports/export', withScope('reports:export')),
        'The access token lacks a scope this request requires: reports:read',
        'reports:read',
      );
    });

    it('keeps a scope requirement in force under @Public()', async () => {
      expectMissingToken(await get(service, '/test/reports/public'));
      expectAllowed(await get(service, '/test/reports/public', withScope('reports:read')));
    });
  });

  describe('scope claims', () => {
    it('accepts a space-separated string in any scope claim', async () => {
      expectAllowed(await get(service, '/test/orders/all-of', withScope(undefined, { permissions: 'orders:read orders:write' })));
    });

    it.each([
      ['an object in scp', { scp: { value: 'orders:read' } }],
      ['a number in permissions', { permissions: ['orders:read', 7] }],
      ['null in permissions', { permissions: null }],
    ])('rejects %s as an invalid token', async (_case, claims) => {
      const exchange = await get(service, '/test/orders/any-of', withScope(undefined, claims));

      expect(exchange.response.status).toBe(401);
      expect(exchange.response.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
      expect(linesWithReason(exchange, 'claim_invalid')).toHaveLength(1);
    });
  });

  describe('@OptionalAuth', () => {
    it('serves a request without a token anonymously', async () => {
      const exchange = await get(service, '/test/optional');

      expectAllowed(exchange);
      expect(exchange.response.body).toEqual({ subject: null });
      expect(rejectionLines(exchange)).toEqual([]);
    });

    it('hands a valid token to the handler', async () => {
      const exchange = await get(service, '/test/optional', withScope(undefined, { sub: 'alice' }));

      expectAllowed(exchange);
      expect(exchange.response.body).toEqual({ subject: 'alice' });
    });

    it('rejects an invalid token', async () => {
      const now = Math.floor(Date.now() / 1000);
      const exchange = await get(service, '/test/optional', withScope(undefined, { iat: now - 600, nbf: now - 600, exp: now - 60 }));

      expect(exchange.response.status).toBe(401);
      expect(exchange.response.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
      expect(exchange.response.body.error).toBe('invalid_token');
      expect(linesWithReason(exchange, 'token_expired')).toHaveLength(1);
    });

    it('serves another scheme anonymously', async () => {
      const exchange = await get(service, '/test/optional', `Basic ${Buffer.from('user:password').toString('base64')}`);

      expectAllowed(exchange);
      expect(exchange.response.body).toEqual({ subject: null });
      expect(rejectionLines(exchange)).toEqual([]);
    });

    it('rejects a malformed Authorization header', async () => {
      const exchange = await get(service, '/test/optional', 'Bearer two tokens');

      expect(exchange.response.status).toBe(400);
      expect(exchange.response.headers['www-authenticate']).toMatch(/^Bearer realm="api", error="invalid_request", error_description="/);
      expect(linesWithReason(exchange, 'request_malformed')).toHaveLength(1);
    });
  });

  describe('@CurrentPrincipal', () => {
    it('hands the verified principal to the handler', async () => {
      const exchange = await get(
        service,
        '/test/principal',
        withScope('orders:read openid', { sub: 'alice', azp: 'spa-client', scp: 'openid profile', permissions: ['orders:read', 'orders:write'] }),
      );
      const principal = exchange.response.body as Record<string, unknown>;

      expectAllowed(exchange);
      expect(principal.subject).toBe('alice');
      expect(principal.issuer).toBe(jwks.issuer);
      expect(principal.audience).toEqual([AUDIENCE]);
      expect(principal.scopes).toEqual(['orders:read', 'openid', 'profile', 'orders:write']);
      expect(principal.clientId).toBe('spa-client');
      expect(principal.claims).toMatchObject({ sub: 'alice', azp: 'spa-client', permissions: ['orders:read', 'orders:write'] });
    });

    it('fails on a public route', async () => {
      const exchange = await get(service, '/test/principal/public', withScope(undefined));

      expect(exchange.response.status).toBe(500);
      expect(exchange.response.headers['www-authenticate']).toBeUndefined();
      expect(exchange.response.body.error).toBe('internal_server_error');
      expect(exchange.logs.join('\n')).toContain('No verified principal on this request');
    });
  });
});

describe('configured scope claims', () => {
  const signingKey = rsaKey('key-1');
  let jwks: JwksServer;
  let service: RunningApp;
  let tokens: TokenFactory;

  let fixture: ServiceFixture;

  beforeAll(async () => {
    fixture = await startServiceWithJwks(signingKey, { AUTH_SCOPE_CLAIMS: 'https://example.test/roles' });
    ({ jwks, service, tokens } = fixture);
  });

  afterAll(() => fixture.stop());

  it('reads scopes from the configured claim', async () => {
    const token = tokens.token({ claims: { scope: undefined, 'https://example.test/roles': ['read:admin-messages'] } });
    const exchange = await get(service, '/api/messages/admin', `Bearer ${token}`);

    expect(exchange.response.status).toBe(200);
  });

  it('ignores claims that are not configured', async () => {
    const token = tokens.token({ claims: { scope: 'read:admin-messages', permissions: ['read:admin-messages'] } });
    const exchange = await get(service, '/api/messages/admin', `Bearer ${token}`);

    expect(exchange.response.status).toBe(403);
    expect(exchange.response.headers['www-authenticate']).toContain('scope="read:admin-messages"');
    expect(linesWithReason(exchange, 'insufficient_scope')).toHaveLength(1);
  });
});
