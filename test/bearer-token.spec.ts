import type { IncomingMessage } from 'node:http';
import { extractBearerToken, InvalidRequestError, MissingCredentialsError, TokenSource } from '../src/auth/request/bearer-token';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';

function fakeRequest(options: { headers?: Record<string, string>; rawHeaders?: string[]; query?: object; body?: object }): IncomingMessage & { query?: unknown; body?: unknown } {
  const headers = options.headers ?? {};
  return {
    headers,
    rawHeaders: options.rawHeaders ?? Object.entries(headers).flat(),
    query: options.query ?? {},
    body: options.body,
  } as unknown as IncomingMessage & { query?: unknown; body?: unknown };
}

const FORM = 'application/x-www-form-urlencoded';

describe('extractBearerToken', () => {
  it('reads the Authorization header', () => {
    expect(extractBearerToken(fakeRequest({ headers: { authorization: `Bearer ${TOKEN}` } }))).toBe(TOKEN);
  });

  it('accepts token68 padding', () => {
    expect(extractBearerToken(fakeRequest({ headers: { authorization: 'Bearer abc+/==' } }))).toBe('abc+/==');
  });

  it('treats another scheme as missing credentials', () => {
    expect(() => extractBearerToken(fakeRequest({ headers: { authorization: 'Digest username="x"' } }))).toThrow(MissingCredentialsError);
  });

  it('rejects a form body token by default', () => {
    const request = fakeRequest({ headers: { 'content-type': FORM }, body: { access_token: TOKEN } });

    expect(() => extractBearerToken(request)).toThrow(InvalidRequestError);
  });

  it('reads a form body token when enabled', () => {
    const request = fakeRequest({ headers: { 'content-type': `${FORM}; charset=utf-8` }, body: { access_token: TOKEN } });

    expect(extractBearerToken(request, new Set<TokenSource>(['header', 'body']))).toBe(TOKEN);
  });

  it('ignores access_token in a JSON body', () => {
    const request = fakeRequest({ headers: { 'content-type': 'application/json' }, body: { access_token: TOKEN } });

    expect(() => extractBearerToken(request, new Set<TokenSource>(['header', 'body']))).toThrow(MissingCredentialsError);
  });

  it('reads a query token when enabled', () => {
    expect(extractBearerToken(fakeRequest({ query: { access_token: TOKEN } }), new Set<TokenSource>(['query']))).toBe(TOKEN);
  });

  it('rejects a repeated query parameter', () => {
    const request = fakeRequest({ query: { access_token: [TOKEN, TOKEN] } });

    expect(() => extractBearerToken(request, new Set<TokenSource>(['query']))).toThrow('must appear once');
  });

  it('rejects a token in header and body', () => {
    const request = fakeRequest({ headers: { authorization: `Bearer ${TOKEN}`, 'content-type': FORM }, body: { access_token: TOKEN } });

    expect(() => extractBearerToken(request, new Set<TokenSource>(['header', 'body']))).toThrow('more than one place');
  });

  it('counts Authorization headers in any letter case', () => {
    const request = fakeRequest({ headers: { authorization: `Bearer ${TOKEN}` }, rawHeaders: ['Authorization', `Bearer ${TOKEN}`, 'AUTHORIZATION', 'Bearer x'] });

    expect(() => extractBearerToken(request)).toThrow('more than one Authorization header');
  });
});
