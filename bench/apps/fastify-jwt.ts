import fastifyJwt, { TokenOrHeader } from '@fastify/jwt';
import Fastify, { FastifyRequest } from 'fastify';
import buildGetJwks from 'get-jwks';
import { readBaselineEnv } from './app-env';

// Baseline: Fastify with @fastify/jwt and get-jwks, as get-jwks' README pairs them.
const env = readBaselineEnv();
const jwksPath = new URL(env.jwksUri).pathname;
const getJwks = buildGetJwks({ issuersWhitelist: [env.issuer], jwksPath });

const app = Fastify();

void app.register(fastifyJwt, {
  decode: { complete: true },
  // With `decode: { complete: true }` the plugin passes the decoded header and payload.
  secret: (_request: FastifyRequest, token: TokenOrHeader) => {
    const { header, payload } = token as { header: { kid?: string; alg?: string }; payload: { iss?: string } };
    return getJwks.getPublicKey({ kid: header.kid, alg: header.alg, domain: payload.iss ?? '' });
  },
  verify: { allowedIss: env.issuer, allowedAud: env.audience, algorithms: ['RS256'] },
});

app.get('/api/external', { onRequest: (request) => request.jwtVerify() }, async () => ({
  msg: 'Your Access Token was successfully validated!',
}));

app.listen({ port: env.port, host: env.host }).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
