import { INestApplication, RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { ApiBearerAuth, ApiResponse, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';
import { INVALID_TOKEN_DESCRIPTION } from '../auth/auth-http.exception';
import { AUTH_MODE, AuthMode } from '../auth/auth-mode.decorator';
import { SCOPE_REQUIREMENTS } from '../auth/scopes.decorator';

/** Path of Swagger UI; the JSON document is served at this path followed by `-json`. */
export const DOCS_PATH = 'docs';
const BEARER_SCHEME = 'bearer';
const ERROR_SCHEMA = 'ErrorBody';
const errorBody = { $ref: `#/components/schemas/${ERROR_SCHEMA}` };
const challengeHeader = {
  'WWW-Authenticate': { description: 'RFC 6750 challenge, for example Bearer realm="api", error="invalid_token"', schema: { type: 'string' } },
};

/** Routes already documented, so that building several applications in one process (as the tests do) does not repeat entries. */
const documented = new WeakSet<object>();

/** Serves Swagger UI at `/docs` and the OpenAPI document at `/docs-json`. */
export function setUpOpenApi(app: INestApplication): OpenAPIObject {
  documentBearerProtectedRoutes(app);

  const config = new DocumentBuilder()
    .setTitle('JWT resource server')
    .setDescription('Routes that list the bearer scheme require an OAuth 2.0 access token (a JWT) in the Authorization header.')
    .setVersion(process.env.npm_package_version ?? '0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, [ERROR_SCHEMA]: ERROR_BODY_SCHEMA },
  };

  SwaggerModule.setup(DOCS_PATH, app, document, { jsonDocumentUrl: `${DOCS_PATH}-json`, raw: ['json'] });
  return document;
}

/** JSON Schema of `ErrorBody` in src/common/error-response.filter.ts. */
const ERROR_BODY_SCHEMA: NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>[string] = {
  type: 'object',
  description: 'Body of every error response.',
  required: ['statusCode', 'error', 'message', 'requestId'],
  properties: {
    statusCode: { type: 'integer', example: 401 },
    error: { type: 'string', description: 'OAuth error code for authentication errors, otherwise the HTTP status in snake case.', example: 'invalid_token' },
    message: { type: 'string', example: INVALID_TOKEN_DESCRIPTION },
    requestId: { type: 'string', description: 'Also sent in the X-Request-Id response header; quote it when reporting a problem.' },
  },
};

/**
 * Adds the bearer requirement and the guard's error responses to every route
 * that the global `JwtAuthGuard` protects, so controllers need no Swagger
 * decorators for them.
 */
function documentBearerProtectedRoutes(app: INestApplication): void {
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type<unknown> | null;
      if (controller !== null && typeof controller === 'function') {
        documentController(controller);
      }
    }
  }
}

function documentController(controller: Type<unknown>): void {
  const prototype = controller.prototype as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(prototype)) {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
    const handler = descriptor?.value as object | undefined;
    if (descriptor === undefined || typeof handler !== 'function' || documented.has(handler)) {
      continue;
    }
    const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
    if (method === undefined || !isBearerProtected(controller, handler)) {
      continue;
    }

    documented.add(handler);
    for (const decorate of protectedRouteDecorators()) {
      decorate(prototype, name, descriptor);
    }
  }
}

/** Mirrors the global guard: every route needs a token unless it is `@Public()` without scope requirements. */
function isBearerProtected(controller: Type<unknown>, handler: object): boolean {
  const mode = (Reflect.getMetadata(AUTH_MODE, handler) ?? Reflect.getMetadata(AUTH_MODE, controller)) as AuthMode | undefined;
  const hasScopeRequirements = [controller, handler].some(
    (target) => ((Reflect.getMetadata(SCOPE_REQUIREMENTS, target) as unknown[] | undefined) ?? []).length > 0,
  );
  return mode !== 'public' || hasScopeRequirements;
}

function protectedRouteDecorators(): MethodDecorator[] {
  return [
    ApiBearerAuth(BEARER_SCHEME),
    ApiResponse({
      status: 400,
      description: 'invalid_request: a malformed Authorization header, two of them, or a token also sent as an access_token parameter.',
      schema: errorBody,
      headers: challengeHeader,
    }),
    ApiResponse({
      status: 401,
      description: 'unauthorized (no token, or a scheme other than Bearer) or invalid_token (the token is invalid or has expired).',
      schema: errorBody,
      headers: challengeHeader,
    }),
    ApiResponse({
      status: 403,
      description: 'insufficient_scope: the token is valid but lacks a scope or permission the route requires.',
      schema: errorBody,
      headers: challengeHeader,
    }),
    ApiResponse({
      status: 503,
      description: 'temporarily_unavailable: the identity provider\'s signing keys cannot be fetched. Retry after the Retry-After delay; the token may be valid.',
      schema: errorBody,
      headers: { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } } },
    }),
  ];
}
