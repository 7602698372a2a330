import type { DynamicModule, Type } from '@nestjs/common';
import { JwksServer } from './jwks-server';
import type { TestKey } from './keys';
import { RunningApp, startApp } from './test-app';
import { TokenFactory } from './tokens';

export const TEST_AUDIENCE = 'https://api.example.test';

/** The application started against a local JWKS server, with a token factory for that issuer. */
export interface ServiceFixture {
  jwks: JwksServer;
  service: RunningApp;
  tokens: TokenFactory;
  stop(): Promise<void>;
}

/**
 * Starts a JWKS server publishing `signingKey`, then the application
 * configured to trust it (`AUTH_JWKS_URI` set, so no discovery), plus any
 * further `env` settings and test modules.
 */
export async function startServiceWithJwks(
  signingKey: TestKey,
  env: Record<string, string> = {},
  extraImports: Array<Type<unknown> | DynamicModule> = [],
): Promise<ServiceFixture> {
  const jwks = await new JwksServer().start();
  jwks.keys = [signingKey.jwk];
  const service = await startApp({ AUTH_ISSUER_URL: jwks.issuer, AUTH_AUDIENCE: TEST_AUDIENCE, AUTH_JWKS_URI: jwks.jwksUri, ...env }, { extraImports });
  return {
    jwks,
    service,
    tokens: new TokenFactory(jwks.issuer, TEST_AUDIENCE, signingKey),
    async stop() {
      await service.close();
      await jwks.stop();
    },
  };
}
