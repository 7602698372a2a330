/** OAuth error codes a resource server returns (RFC 6750 section 3.1). */
export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

export interface BearerChallenge {
  realm: string;
  error?: BearerErrorCode;
  errorDescription?: string;
  scope?: string;
}

/** RFC 6750 section 3: error_description and scope values use only %x20-21 / %x23-5B / %x5D-7E. */
const QUOTABLE = /[^\x20\x21\x23-\x5b\x5d-\x7e]/g;

/** Formats the `WWW-Authenticate` value for a Bearer challenge. */
export function formatBearerChallenge(challenge: BearerChallenge): string {
  const parameters = [`realm="${quote(challenge.realm)}"`];
  if (challenge.error !== undefined) {
    parameters.push(`error="${challenge.error}"`);
  }
  if (challenge.errorDescription !== undefined) {
    parameters.push(`error_description="${quote(challenge.errorDescription)}"`);
  }
  if (challenge.scope !== undefined) {
    parameters.push(`scope="${quote(challenge.scope)}"`);
  }
  return `Bearer ${parameters.join(', ')}`;
}

function quote(value: string): string {
  return value.replace(QUOTABLE, '');
}
