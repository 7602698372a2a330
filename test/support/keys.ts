import { constants, createHmac, generateKeyPairSync, KeyObject, sign } from 'node:crypto';

export interface TestKey {
  kid: string;
  alg: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Public JWK as a JWKS would publish it. */
  jwk: Record<string, unknown>;
}

/** Generates an RSA signing key for the tests, with its public JWK. */
export function rsaKey(kid: string, options: { bits?: number; alg?: string; use?: string } = {}): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: options.bits ?? 2048 });
  const alg = options.alg ?? 'RS256';
  return { kid, alg, privateKey, publicKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: options.use ?? 'sig' } };
}

export function ecKey(kid: string, curve: 'P-256' | 'P-384' = 'P-256'): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
  const alg = curve === 'P-256' ? 'ES256' : 'ES384';
  return { kid, alg, privateKey, publicKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}

export function base64url(value: string | Buffer | object): string {
  const buffer = Buffer.isBuffer(value) ? value : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
  return buffer.toString('base64url');
}

const HASHES: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

/**
 * Signs header and payload exactly as given, so tests can build tokens that
 * a careful library would refuse to produce (`none`, HS256 with a public
 * key, odd headers).
 */
export function signCompact(header: object | string, payload: object | string, key: KeyObject | Buffer | null, alg?: string): string {
  const signingInput = `${base64url(header)}.${base64url(payload)}`;
  const algorithm = alg ?? (typeof header === 'object' ? (header as { alg?: string }).alg : undefined) ?? 'RS256';
  if (key === null) {
    return `${signingInput}.`;
  }
  const hash = HASHES[algorithm.slice(2)];
  let signature: Buffer;
  if (Buffer.isBuffer(key)) {
    signature = createHmac(hash, key).update(signingInput).digest();
  } else if (algorithm.startsWith('PS')) {
    signature = sign(hash, Buffer.from(signingInput), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(algorithm.slice(2)) / 8 });
  } else if (algorithm.startsWith('ES')) {
    signature = sign(hash, Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' });
  } else {
    signature = sign(hash, Buffer.from(signingInput), key);
  }
  return `${signingInput}.${signature.toString('base64url')}`;
}
