import { createServer } from 'node:http';
import { readBaselineEnv, SUCCESS_BODY } from './app-env';

// Floor: node:http that serves the route without looking at the token.
const env = readBaselineEnv();

const server = createServer((request, response) => {
  if (request.method !== 'GET' || request.url !== '/api/external') {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(SUCCESS_BODY);
});

server.listen(env.port, env.host);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
