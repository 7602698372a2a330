import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEV_ISSUER_DEFAULT_PORT, DEV_KEY_FILE } from './dev-issuer.constants';
import { mintDevelopmentToken } from './dev-issuer';

const USAGE = `Usage: npm run -s token -- [options]

Prints an access token signed by the built-in development issuer.
Reads DEV_ISSUER_PORT and DEV_ISSUER_KEY_FILE from the environment or .env:
set them as for the service, or the service rejects the token.

Options:
  --scope <scopes>       space-separated scopes for the "scope" claim; repeatable (default: none)
  --sub <subject>        "sub" claim (default: dev-user)
  --expires-in <seconds> lifetime in seconds, 1 to 86400 (default: 3600)
  --audience <aud>       "aud" claim (default: the development audience the service expects)
  --help                 show this text`;

async function main(): Promise<void> {
  if (existsSync('.env')) {
    process.loadEnvFile('.env');
  }
  const { values } = parseArgs({
    options: {
      scope: { type: 'string', multiple: true, default: [] },
      sub: { type: 'string', default: 'dev-user' },
      'expires-in': { type: 'string', default: '3600' },
      audience: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }

  if (process.env.NODE_ENV === 'production') {
    throw new Error('the development issuer is off when NODE_ENV=production, so its tokens would be rejected; get a token from your identity provider');
  }
  const expiresIn = Number(values['expires-in']);
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > 86_400) {
    throw new Error(`--expires-in must be a whole number of seconds from 1 to 86400, not "${values['expires-in']}"`);
  }
  const port = Number(process.env.DEV_ISSUER_PORT ?? DEV_ISSUER_DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`DEV_ISSUER_PORT must be a port number from 1 to 65535, not "${process.env.DEV_ISSUER_PORT}"`);
  }
  if (process.env.AUTH_ISSUER_URL || process.env.AUTH0_DOMAIN) {
    console.error('Warning: an issuer is configured, so the service does not trust development tokens. Unset AUTH_ISSUER_URL and AUTH0_DOMAIN to use them.');
  }

  const token = await mintDevelopmentToken({
    port,
    keyFile: process.env.DEV_ISSUER_KEY_FILE || DEV_KEY_FILE,
    subject: values.sub,
    scopes: values.scope.flatMap((scope) => scope.split(' ')).filter((scope) => scope !== ''),
    expiresIn,
    audience: values.audience,
  });
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  console.error(`token: ${error instanceof Error ? error.message : String(error)}`);
  console.error('Run with --help for the options.');
  process.exitCode = 1;
});
