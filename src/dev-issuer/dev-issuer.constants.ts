/** Settings of the built-in development issuer, shared by the service and the `npm run token` command. */
export const DEV_ISSUER_HOST = '127.0.0.1';
export const DEV_ISSUER_DEFAULT_PORT = 3002;
export const DEV_AUDIENCE = 'http://localhost:3001/api';
export const DEV_KEY_FILE = '.dev-issuer/signing-key.json';
export const DEV_KEY_ID = 'dev-rs256';

export function developmentIssuerUrl(port: number): string {
  return `http://${DEV_ISSUER_HOST}:${port}`;
}
