import { isDeepStrictEqual } from 'node:util';
import type { Implementation } from './servers';

const SUCCESS_BODY = { msg: 'Your Access Token was successfully validated!' };

export interface PreflightTokens {
  valid: string;
  badSignature: string;
}

/**
 * Checks that a server returns the responses every implementation must
 * return before its numbers are compared: 200 with the expected body for a valid
 * token, 401 for a bad signature and for no token at all. Throws on the first
 * difference, so a broken baseline never shows up as a fast one.
 */
export async function checkAnswers(implementation: Implementation, url: string, tokens: PreflightTokens): Promise<void> {
  const valid = await get(url, tokens.valid);
  if (valid.status !== 200 || !isDeepStrictEqual(valid.body, SUCCESS_BODY)) {
    throw new Error(`${implementation.label} responded to a valid token with ${valid.status} ${JSON.stringify(valid.body)}, expected 200 ${JSON.stringify(SUCCESS_BODY)}.`);
  }
  if (!implementation.checksTokens) {
    return;
  }

  const bad = await get(url, tokens.badSignature);
  if (bad.status !== 401) {
    throw new Error(`${implementation.label} responded to a token with a bad signature with ${bad.status}, expected 401.`);
  }
  const missing = await get(url, undefined);
  if (missing.status !== 401) {
    throw new Error(`${implementation.label} responded to a request without a token with ${missing.status}, expected 401.`);
  }
}

async function get(url: string, token: string | undefined): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // A non-JSON body is reported as text.
  }
  return { status: response.status, body };
}
