/** Settings every baseline app reads, with the variable names the service itself uses. */
export interface BaselineEnv {
  port: number;
  host: string;
  issuer: string;
  audience: string;
  jwksUri: string;
}

export const SUCCESS_BODY = JSON.stringify({ msg: 'Your Access Token was successfully validated!' });

export function readBaselineEnv(): BaselineEnv {
  return {
    port: Number(required('PORT')),
    host: process.env.HOST ?? '127.0.0.1',
    issuer: required('AUTH_ISSUER_URL'),
    audience: required('AUTH_AUDIENCE'),
    jwksUri: required('AUTH_JWKS_URI'),
  };
}

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`${name} is missing. The benchmark harness sets it when it starts this app.`);
  }
  return value;
}
