// Static file server for the example SPA: serves the files in public/ and a
// /config.json built from the environment. Run it with `npm run spa`.
//
//   SPA_PORT       TCP port. Default: 3000 (the origin the API allows by default).
//   SPA_HOST       Interface to listen on. Default: 127.0.0.1.
//   SPA_API_URL    Base URL of the API. Default: http://localhost:3001.
//   SPA_ISSUER_URL Issuer whose discovery document the SPA reads. Default: the
//                  development issuer, http://127.0.0.1:3002.
//   SPA_CLIENT_ID  OAuth client id of the SPA. Default: example-spa.
//   SPA_AUDIENCE   API identifier requested as "audience" and "resource".
//                  Default: http://localhost:3001/api (the development audience).
//   SPA_SCOPE      Scopes to request. Default: openid.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PUBLIC_DIRECTORY = join(dirname(fileURLToPath(import.meta.url)), 'public');

// Only these paths are served, so no request path ever reaches the file system.
const FILES = new Map([
  ['/', { file: 'index.html', type: 'text/html; charset=utf-8' }],
  ['/index.html', { file: 'index.html', type: 'text/html; charset=utf-8' }],
  ['/app.js', { file: 'app.js', type: 'text/javascript; charset=utf-8' }],
]);

function readSettings(env) {
  const port = Number(env.SPA_PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`SPA_PORT must be a port number from 0 to 65535, not "${env.SPA_PORT}"`);
  }
  return {
    port,
    host: env.SPA_HOST || '127.0.0.1',
    config: {
      apiUrl: env.SPA_API_URL || 'http://localhost:3001',
      issuer: env.SPA_ISSUER_URL || 'http://127.0.0.1:3002',
      clientId: env.SPA_CLIENT_ID || 'example-spa',
      audience: env.SPA_AUDIENCE || 'http://localhost:3001/api',
      scope: env.SPA_SCOPE || 'openid',
    },
  };
}

function send(response, status, type, body) {
  response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  response.end(body);
}

async function handle(request, response, config) {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    send(response, 405, 'text/plain; charset=utf-8', 'Method not allowed\n');
    return;
  }

  const path = new URL(request.url ?? '/', 'http://placeholder').pathname;
  if (path === '/config.json') {
    send(response, 200, 'application/json; charset=utf-8', JSON.stringify(config));
    return;
  }
  const entry = FILES.get(path);
  if (entry === undefined) {
    send(response, 404, 'text/plain; charset=utf-8', 'Not found\n');
    return;
  }
  send(response, 200, entry.type, await readFile(join(PUBLIC_DIRECTORY, entry.file)));
}

const settings = readSettings(process.env);
const server = createServer((request, response) => {
  handle(request, response, settings.config).catch((error) => {
    console.error(`spa: ${request.method} ${request.url} failed: ${error.message}`);
    if (!response.headersSent) {
      send(response, 500, 'text/plain; charset=utf-8', 'Internal server error\n');
    }
  });
});

server.on('error', (error) => {
  const hint = error.code === 'EADDRINUSE' ? ' Stop whatever uses it or set SPA_PORT to another port.' : '';
  console.error(`spa: cannot listen on ${settings.host}:${settings.port}: ${error.message}.${hint}`);
  process.exit(1);
});

server.listen(settings.port, settings.host, () => {
  const { port } = server.address();
  // The page must be opened on the origin that CORS_ORIGINS allows, which is http://localhost:3000 by default.
  const shownHost = settings.host === '127.0.0.1' ? 'localhost' : settings.host;
  console.log(`spa: serving http://${shownHost}:${port} (API ${settings.config.apiUrl}, issuer ${settings.config.issuer})`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
