import { createServer } from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { readBaselineEnv, SUCCESS_BODY } from './app-env';

// Baseline: node:http with jose, as its README shows for a remote JWKS.
const env = readBaselineEnv();
const keySet = createRemoteJWKSet(new URL(env.jwksUri));
const verifyOptions = { issuer: env.issuer, audience: env.audience, algorithms: ['RS256'] };
const UNAUTHORIZED_BODY = JSON.stringify({ statusCode: 401, error: 'invalid_token' });

const server = createServer((request, response) => {
  const authorization = request.headers.authorization;
  if (request.method !== 'GET' || request.url !== '/api/external') {
    response.writeHead(404).end();
    return;
  }
  if (authorization === undefined || !authorization.startsWith('Bearer ')) {
    response.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="api"' });
    response.end(UNAUTHORIZED_BODY);
    return;
  }

  jwtVerify(authorization.slice(7), keySet, verifyOptions).then(
    () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(SUCCESS_BODY);
    },
    () => {
      response.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="api", error="invalid_token"' });
      response.end(UNAUTHORIZED_BODY);
    },
  );
});

server.listen(env.port, env.host);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
