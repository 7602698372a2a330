import request from 'supertest';
import { JwksServer } from './support/jwks-server';
import { base64url, ecKey, rsaKey, signCompact, TestKey } from './support/keys';
import { sendRawRequest } from './support/raw-http';
import { RunningApp, startApp } from './support/test-app';

const AUDIENCE = 'https://api.example.test';
const REALM = 'api';
const MISSING_CHALLENGE = `Bearer realm="${REALM}"`;
const INVALID_TOKEN_CHALLENGE = `Bearer realm="${REALM}", error="invalid_token", error_description="The access token is invalid or has expired"`;

const rsa = rsaKey('rsa-1');
const pss = rsaKey('rsa-ps', { alg: 'PS256' });
const ec = ecKey('ec-1');
const weak = rsaKey('rsa-weak', { bits: 1024 });
const encryption = rsaKey('rsa-enc', { use: 'enc' });
const withoutAlg = rsaKey('rsa-noalg');
delete withoutAlg.jwk.alg;
const attacker = rsaKey('attacker');

type Outcome =
  | { status: 200 }
  | { status: 400; reason: 'request_malformed' }
  | { status: 401; reason: string; challenge?: 'missing' };

interface Case {
  name: string;
  /** The Authorization header value, or the whole request for raw cases. */
  authorization: () => string;
  query?: string;
  outcome: Outcome;
}

let issuer = '';
const now = () => Math.floor(Date.now() / 1000);

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = { iss: issuer, aud: AUDIENCE, sub: 'user-1', iat: now(), nbf: now(), exp: now() + 300, ...overrides };
  return Object.fromEntries(Object.entries(base).filter(([, value]) => value !== undefined));
}

function token(header: Record<string, unknown> | string, payload: Record<string, unknown> | string = claims(), key: TestKey | Buffer | null = rsa, alg?: string): string {
  const signingKey = key === null || Buffer.isBuffer(key) ? key : key.privateKey;
  return signCompact(header, payload, signingKey, alg);
}

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Sets an unused low bit of the signature's last character: the same signature bytes, another string. */
function nonCanonical(compact: string): string {
  const last = compact.at(-1) as string;
  return compact.slice(0, -1) + BASE64URL_ALPHABET[BASE64URL_ALPHABET.indexOf(last) ^ 1];
}

function bearer(value: string): string {
  return `Bearer ${value}`;
}

const rs = (extra: Record<string, unknown> = {}) => ({ alg: 'RS256', typ: 'JWT', kid: 'rsa-1', ...extra });
const rejected = (reason: string): Outcome => ({ status: 401, reason });
const malformedRequest: Outcome = { status: 400, reason: 'request_malformed' };

const cases: Case[] = [
  // Accepted tokens, each a different shape a real provider issues.
  { name: 'RS256 token', authorization: () => bearer(token(rs())), outcome: { status: 200 } },
  { name: 'PS256 token', authorization: () => bearer(token({ alg: 'PS256', typ: 'JWT', kid: 'rsa-ps' }, claims(), pss)), outcome: { status: 200 } },
  { name: 'ES256 token', authorization: () => bearer(token({ alg: 'ES256', typ: 'JWT', kid: 'ec-1' }, claims(), ec)), outcome: { status: 200 } },
  { name: 'key without alg in JWKS', authorization: () => bearer(token(rs({ kid: 'rsa-noalg' }), claims(), withoutAlg)), outcome: { status: 200 } },
  { name: 'audience array containing ours', authorization: () => bearer(token(rs(), claims({ aud: ['https://other.example.test', AUDIENCE] }))), outcome: { status: 200 } },
  { name: 'typ at+jwt', authorization: () => bearer(token(rs({ typ: 'at+jwt' }))), outcome: { status: 200 } },
  { name: 'no typ', authorization: () => bearer(token(rs({ typ: undefined }))), outcome: { status: 200 } },
  { name: 'lower-case scheme', authorization: () => `bearer ${token(rs())}`, outcome: { status: 200 } },
  { name: 'upper-case scheme', authorization: () => `BEARER ${token(rs())}`, outcome: { status: 200 } },
  { name: 'several spaces after scheme', authorization: () => `Bearer    ${token(rs())}`, outcome: { status: 200 } },
  { name: 'expired within clock tolerance', authorization: () => bearer(token(rs(), claims({ exp: now() - 2, nbf: now() - 60, iat: now() - 60 }))), outcome: { status: 200 } },
  { name: 'nbf within clock tolerance', authorization: () => bearer(token(rs(), claims({ nbf: now() + 2 }))), outcome: { status: 200 } },
  { name: 'unicode claims', authorization: () => bearer(token(rs(), claims({ sub: 'ユーザー-😀', name: 'Zoë' }))), outcome: { status: 200 } },
  { name: 'deeply nested claim', authorization: () => bearer(token(rs(), claims({ nested: JSON.parse('['.repeat(1500) + ']'.repeat(1500)) }))), outcome: { status: 200 } },
  { name: 'duplicate alg ending in RS256', authorization: () => bearer(token(`{"alg":"none","alg":"RS256","kid":"rsa-1"}`, claims(), rsa, 'RS256')), outcome: { status: 200 } },

  // Request layer: RFC 6750 section 2.1 and RFC 9110 credentials syntax.
  { name: 'scheme without token', authorization: () => 'Bearer', outcome: malformedRequest },
  { name: 'junk after the token', authorization: () => `Bearer ${token(rs())} extra`, outcome: malformedRequest },
  { name: 'tab after the scheme', authorization: () => `Bearer\t${token(rs())}`, outcome: malformedRequest },
  { name: 'token in header and query', authorization: () => bearer(token(rs())), query: `access_token=${token(rs())}`, outcome: malformedRequest },
  { name: 'token in the query only', authorization: () => '', query: `access_token=${token(rs())}`, outcome: malformedRequest },
  { name: 'token with characters outside token68', authorization: () => 'Bearer abc$def.ghi', outcome: malformedRequest },
  { name: 'other scheme', authorization: () => 'Basic dXNlcjpwYXNz', outcome: { status: 401, reason: 'token_missing', challenge: 'missing' } },
  { name: 'empty header', authorization: () => '', outcome: { status: 401, reason: 'token_missing', challenge: 'missing' } },

  // Shape of the compact serialization.
  { name: 'two segments', authorization: () => bearer(`${base64url(rs())}.${base64url(claims())}`), outcome: rejected('token_malformed') },
  { name: 'four segments', authorization: () => bearer(`${token(rs())}.abc`), outcome: rejected('token_malformed') },
  { name: 'standard base64 characters', authorization: () => bearer(token(rs()).replace(/-/g, '+').replace(/_/g, '/') + '+/'), outcome: rejected('token_malformed') },
  { name: 'header not JSON', authorization: () => bearer(`${base64url('not json')}.${base64url(claims())}.c2ln`), outcome: rejected('token_malformed') },
  { name: 'header a JSON array', authorization: () => bearer(`${base64url('[1,2]')}.${base64url(claims())}.c2ln`), outcome: rejected('token_malformed') },
  { name: 'header JSON null', authorization: () => bearer(`${base64url('null')}.${base64url(claims())}.c2ln`), outcome: rejected('token_malformed') },
  { name: 'payload not JSON', authorization: () => bearer(token(rs(), 'plain text')), outcome: rejected('token_malformed') },
  { name: 'payload a JSON array', authorization: () => bearer(token(rs(), '[1]')), outcome: rejected('token_malformed') },
  { name: 'payload JSON null', authorization: () => bearer(token(rs(), 'null')), outcome: rejected('token_malformed') },
  { name: 'signature stripped', authorization: () => bearer(token(rs()).replace(/\.[^.]+$/, '.')), outcome: rejected('token_malformed') },
  { name: 'non-canonical signature encoding', authorization: () => bearer(nonCanonical(token(rs()))), outcome: rejected('token_malformed') },
  { name: 'signature garbage', authorization: () => bearer(token(rs()).replace(/\.[^.]+$/, '.AAAA')), outcome: rejected('signature_invalid') },
  { name: 'token over the length limit', authorization: () => bearer(token(rs(), claims({ padding: 'x'.repeat(9_000) }))), outcome: rejected('token_too_long') },

  // Algorithms (RFC 8725 sections 2.1 and 3.1).
  ...['none', 'None', 'NONE', 'nOnE'].map((alg): Case => ({
    name: `alg ${alg}`,
    authorization: () => bearer(token({ alg, typ: 'JWT', kid: 'rsa-1' }, claims(), null)),
    outcome: rejected('algorithm_not_allowed'),
  })),
  { name: 'duplicate alg ending in none', authorization: () => bearer(token(`{"alg":"RS256","alg":"none","kid":"rsa-1"}`, claims(), null)), outcome: rejected('algorithm_not_allowed') },
  ...['HS256', 'HS512'].map((alg): Case => ({
    name: `${alg} keyed with the RSA public key`,
    authorization: () => bearer(token({ alg, typ: 'JWT', kid: 'rsa-1' }, claims(), Buffer.from(rsa.publicKey.export({ format: 'pem', type: 'spki' }) as string), alg)),
    outcome: rejected('algorithm_not_allowed'),
  })),
  { name: 'alg missing', authorization: () => bearer(token({ typ: 'JWT', kid: 'rsa-1' }, claims(), rsa, 'RS256')), outcome: rejected('header_invalid') },
  { name: 'alg not a string', authorization: () => bearer(token({ alg: 256, kid: 'rsa-1' }, claims(), rsa, 'RS256')), outcome: rejected('header_invalid') },
  { name: 'alg EdDSA', authorization: () => bearer(token({ alg: 'EdDSA', kid: 'rsa-1' }, claims(), rsa, 'RS256')), outcome: rejected('algorithm_not_allowed') },
  { name: 'ES256 on an RS256 key', authorization: () => bearer(token({ alg: 'ES256', kid: 'rsa-1' }, claims(), ec)), outcome: rejected('key_algorithm_mismatch') },
  { name: 'PS256 on an RS256 key', authorization: () => bearer(token({ alg: 'PS256', kid: 'rsa-1' }, claims(), rsa)), outcome: rejected('key_algorithm_mismatch') },
  { name: 'ES256 on a key without alg', authorization: () => bearer(token({ alg: 'ES256', kid: 'rsa-noalg' }, claims(), ec)), outcome: rejected('key_algorithm_mismatch') },
  { name: 'RS256 on an EC key', authorization: () => bearer(token({ alg: 'RS256', kid: 'ec-1' }, claims(), rsa)), outcome: rejected('key_algorithm_mismatch') },

  // Keys: only the configured JWKS, by kid (RFC 8725 section 3.10).
  { name: 'embedded jwk', authorization: () => bearer(token({ alg: 'RS256', jwk: attacker.jwk }, claims(), attacker)), outcome: rejected('embedded_key_not_allowed') },
  { name: 'jku header', authorization: () => bearer(token(rs({ jku: 'http://127.0.0.1:9/jwks' }))), outcome: rejected('embedded_key_not_allowed') },
  { name: 'x5u header', authorization: () => bearer(token(rs({ x5u: 'http://127.0.0.1:9/cert' }))), outcome: rejected('embedded_key_not_allowed') },
  { name: 'x5c header', authorization: () => bearer(token(rs({ x5c: ['MIIB'] }))), outcome: rejected('embedded_key_not_allowed') },
  { name: 'crit header', authorization: () => bearer(token(rs({ crit: ['exp'], exp: 1 }))), outcome: rejected('critical_header_unsupported') },
  { name: 'b64 false', authorization: () => bearer(token(rs({ b64: false }))), outcome: rejected('critical_header_unsupported') },
  { name: 'signed by a key not in the JWKS', authorization: () => bearer(token(rs(), claims(), attacker)), outcome: rejected('signature_invalid') },
  { name: 'unknown kid', authorization: () => bearer(token(rs({ kid: 'rsa-2' }))), outcome: rejected('key_not_found') },
  { name: 'path in kid', authorization: () => bearer(token(rs({ kid: '../../../../dev/null' }))), outcome: rejected('key_not_found') },
  { name: 'SQL in kid', authorization: () => bearer(token(rs({ kid: "' OR '1'='1" }))), outcome: rejected('key_not_found') },
  { name: 'control character in kid', authorization: () => bearer(token(rs({ kid: 'rsa-1\u0000' }))), outcome: rejected('header_invalid') },
  { name: 'non-ASCII kid', authorization: () => bearer(token(rs({ kid: 'clé-😀' }))), outcome: rejected('header_invalid') },
  { name: 'kid over 256 characters', authorization: () => bearer(token(rs({ kid: 'k'.repeat(257) }))), outcome: rejected('header_invalid') },
  { name: 'kid not a string', authorization: () => bearer(token(rs({ kid: 1 }))), outcome: rejected('header_invalid') },
  { name: 'no kid with several keys', authorization: () => bearer(token(rs({ kid: undefined }))), outcome: rejected('key_not_found') },
  { name: 'RSA key under 2048 bits', authorization: () => bearer(token(rs({ kid: 'rsa-weak' }), claims(), weak)), outcome: rejected('key_unusable') },
  { name: 'key marked for encryption', authorization: () => bearer(token(rs({ kid: 'rsa-enc' }), claims(), encryption)), outcome: rejected('key_not_found') },
  { name: 'typ of another token kind', authorization: () => bearer(token(rs({ typ: 'dpop+jwt' }))), outcome: rejected('token_type_invalid') },
  { name: 'typ not a string', authorization: () => bearer(token(rs({ typ: 7 }))), outcome: rejected('header_invalid') },

  // Claims (RFC 7519 section 4.1).
  { name: 'expired', authorization: () => bearer(token(rs(), claims({ iat: now() - 600, nbf: now() - 600, exp: now() - 60 }))), outcome: rejected('token_expired') },
  { name: 'not yet valid', authorization: () => bearer(token(rs(), claims({ nbf: now() + 120 }))), outcome: rejected('token_not_yet_valid') },
  { name: 'issued in the future', authorization: () => bearer(token(rs(), claims({ iat: now() + 120 }))), outcome: rejected('token_issued_in_future') },
  { name: 'older than the maximum age', authorization: () => bearer(token(rs(), claims({ iat: now() - 700, nbf: now() - 700 }))), outcome: rejected('token_too_old') },
  { name: 'exp missing', authorization: () => bearer(token(rs(), claims({ exp: undefined }))), outcome: rejected('claim_missing') },
  { name: 'iat missing with a maximum age', authorization: () => bearer(token(rs(), claims({ iat: undefined }))), outcome: rejected('claim_missing') },
  { name: 'exp a string', authorization: () => bearer(token(rs(), claims({ exp: String(now() + 300) }))), outcome: rejected('claim_invalid') },
  { name: 'exp overflowing to infinity', authorization: () => bearer(token(rs(), JSON.stringify(claims()).replace(/"exp":\d+/, '"exp":1e400'))), outcome: rejected('claim_invalid') },
  { name: 'nbf a string', authorization: () => bearer(token(rs(), claims({ nbf: 'yesterday' }))), outcome: rejected('claim_invalid') },
  { name: 'iat a string', authorization: () => bearer(token(rs(), claims({ iat: 'now' }))), outcome: rejected('claim_invalid') },
  { name: 'sub a number', authorization: () => bearer(token(rs(), claims({ sub: 42 }))), outcome: rejected('claim_invalid') },
  { name: 'scope an array', authorization: () => bearer(token(rs(), claims({ scope: ['read'] }))), outcome: rejected('claim_invalid') },
  { name: 'wrong issuer', authorization: () => bearer(token(rs(), claims({ iss: 'https://evil.example.test/' }))), outcome: rejected('issuer_mismatch') },
  { name: 'issuer without trailing slash', authorization: () => bearer(token(rs(), claims({ iss: issuer.replace(/\/$/, '') }))), outcome: rejected('issuer_mismatch') },
  { name: 'issuer missing', authorization: () => bearer(token(rs(), claims({ iss: undefined }))), outcome: rejected('issuer_mismatch') },
  { name: 'wrong audience', authorization: () => bearer(token(rs(), claims({ aud: 'https://other.example.test' }))), outcome: rejected('audience_mismatch') },
  { name: 'audience in other case', authorization: () => bearer(token(rs(), claims({ aud: AUDIENCE.toUpperCase() }))), outcome: rejected('audience_mismatch') },
  { name: 'audience array without ours', authorization: () => bearer(token(rs(), claims({ aud: ['https://a.example.test', 'https://b.example.test'] }))), outcome: rejected('audience_mismatch') },
  { name: 'audience missing', authorization: () => bearer(token(rs(), claims({ aud: undefined }))), outcome: rejected('audience_mismatch') },
];

describe('token validation', () => {
  let provider: JwksServer;
  let service: RunningApp;

  beforeAll(async () => {
    provider = await new JwksServer().start();
    provider.keys = [rsa.jwk, pss.jwk, ec.jwk, weak.jwk, encryption.jwk, withoutAlg.jwk];
    issuer = provider.issuer;
    service = await startApp({
      AUTH_ISSUER_URL: provider.issuer,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_JWKS_URI: provider.jwksUri,
      AUTH_ALGORITHMS: 'RS256,PS256,ES256',
      AUTH_MAX_TOKEN_AGE: '600',
    });
  });

  afterAll(async () => {
    await service.close();
    await provider.stop();
  });

  it.each(cases.map((testCase) => [testCase.name, testCase] as const))('%s', async (_name, testCase) => {
    const before = service.logs.lines.length;
    const authorization = testCase.authorization();
    let pending = request(service.url).get(`/api/external${testCase.query === undefined ? '' : `?${testCase.query}`}`);
    if (authorization !== '') {
      pending = pending.set('Authorization', authorization);
    }
    const response = await pending;
    const logs = service.logs.lines.slice(before).join('\n');

    expect(response.status).toBe(testCase.outcome.status);
    const { outcome } = testCase;
    if (outcome.status === 200) {
      expect(response.headers['www-authenticate']).toBeUndefined();
      expect(logs).not.toContain('access token rejected');
      return;
    }
    if (outcome.status === 400) {
      expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="api", error="invalid_request", error_description="[\x20\x21\x23-\x5b\x5d-\x7e]+"$/);
      expect(response.body.error).toBe('invalid_request');
    } else if (outcome.challenge === 'missing') {
      expect(response.headers['www-authenticate']).toBe(MISSING_CHALLENGE);
    } else {
      expect(response.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
      expect(response.body.error).toBe('invalid_token');
    }
    expect(logs.match(/access token rejected/g)).toHaveLength(1);
    expect(logs).toContain(`reason=${outcome.reason} `);
    expect(logs).toContain(`request_id=${response.headers['x-request-id']}`);
    const tokenText = authorization.replace(/^\S+\s+/, '');
    if (tokenText.length > 20) {
      expect(logs).not.toContain(tokenText);
      const signature = tokenText.split('.')[2] ?? '';
      if (signature.length > 10) {
        expect(logs).not.toContain(signature);
      }
    }
  });

  it('rejects two Authorization headers', async () => {
    const valid = bearer(token(rs()));
    const response = await sendRawRequest(service.url, ['GET /api/external HTTP/1.1', 'Host: 127.0.0.1', `Authorization: ${valid}`, `Authorization: ${valid}`]);

    expect(response.status).toBe(400);
    expect(response.headers['www-authenticate']).toBe(
      'Bearer realm="api", error="invalid_request", error_description="The request has more than one Authorization header."',
    );
    expect(service.logs.find('reason=request_malformed', `request_id=${response.headers['x-request-id']}`)).toHaveLength(1);
  });

  it('answers 431 to an oversized header', async () => {
    const response = await sendRawRequest(service.url, ['GET /api/external HTTP/1.1', 'Host: 127.0.0.1', `Authorization: Bearer ${'a'.repeat(20_000)}`]);

    expect(response.status).toBe(431);
    expect(response.headers['www-authenticate']).toBeUndefined();
  });

  it('keeps serving while hostile tokens arrive', async () => {
    const hostile = cases.filter((testCase) => testCase.outcome.status !== 200).map((testCase) => testCase.authorization());
    const responses = await Promise.all(
      hostile.map((authorization) => request(service.url).get('/api/external').set('Authorization', authorization || 'Bearer x')),
    );
    const valid = await request(service.url).get('/api/external').set('Authorization', bearer(token(rs())));

    for (const response of responses) {
      expect(response.status).toBeLessThan(500);
    }
    expect(valid.status).toBe(200);
    expect(valid.headers['www-authenticate']).toBeUndefined();
  });
});

describe('RFC 9068 token profile', () => {
  let provider: JwksServer;
  let service: RunningApp;
  const profileClaims = () => claims({ client_id: 'spa', jti: 'token-1' });

  beforeAll(async () => {
    provider = await new JwksServer().start();
    provider.keys = [rsa.jwk];
    issuer = provider.issuer;
    service = await startApp({ AUTH_ISSUER_URL: provider.issuer, AUTH_AUDIENCE: AUDIENCE, AUTH_JWKS_URI: provider.jwksUri, AUTH_TOKEN_PROFILE: 'rfc9068' });
  });

  afterAll(async () => {
    await service.close();
    await provider.stop();
  });

  it.each([
    ['typ at+jwt', { typ: 'at+jwt' }, {}, 200, undefined],
    ['typ application/at+jwt', { typ: 'application/at+jwt' }, {}, 200, undefined],
    ['typ JWT', { typ: 'JWT' }, {}, 401, 'token_type_invalid'],
    ['typ missing', { typ: undefined }, {}, 401, 'token_type_invalid'],
    ['jti missing', { typ: 'at+jwt' }, { jti: undefined }, 401, 'claim_missing'],
    ['client_id missing', { typ: 'at+jwt' }, { client_id: undefined }, 401, 'claim_missing'],
    ['sub missing', { typ: 'at+jwt' }, { sub: undefined }, 401, 'claim_missing'],
    ['iat missing', { typ: 'at+jwt' }, { iat: undefined }, 401, 'claim_missing'],
  ])('%s', async (_name, header, overrides, status, reason) => {
    const response = await request(service.url)
      .get('/api/external')
      .set('Authorization', bearer(token(rs(header), { ...profileClaims(), ...overrides } as Record<string, unknown>)));

    expect(response.status).toBe(status);
    if (reason === undefined) {
      expect(response.headers['www-authenticate']).toBeUndefined();
    } else {
      expect(response.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
      expect(service.logs.find(`reason=${reason} `, `request_id=${response.headers['x-request-id']}`)).toHaveLength(1);
    }
  });
});
