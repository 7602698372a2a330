import { fetchJsonObject, FetchJsonOptions, isAcceptableRemoteUrl, RemoteDocumentError } from './fetch-json';

/**
 * Candidate metadata URLs for an issuer: OpenID Connect Discovery 1.0
 * section 4 appends the well-known path to the issuer, while RFC 8414
 * section 3.1 inserts it between the host and the issuer's path.
 */
export function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  return [
    `${url.origin}${path}/.well-known/openid-configuration`,
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
  ];
}

/**
 * Finds the issuer's `jwks_uri` in its metadata. The document's `issuer`
 * must equal the configured issuer exactly (OpenID Connect Discovery 1.0
 * section 4.3, RFC 8414 section 3.3), so a document cannot redirect trust.
 */
export async function discoverJwksUri(issuer: string, options: FetchJsonOptions & { allowInsecureHttp: boolean }): Promise<string> {
  const failures: string[] = [];

  for (const url of metadataUrls(issuer)) {
    let metadata: Record<string, unknown>;
    try {
      metadata = await fetchJsonObject(url, options);
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
      continue;
    }

    if (metadata.issuer !== issuer) {
      throw new RemoteDocumentError(
        `${url} names issuer ${JSON.stringify(metadata.issuer)}, not the configured ${JSON.stringify(issuer)}; fix AUTH_ISSUER_URL to match it exactly`,
      );
    }
    if (!isAcceptableRemoteUrl(metadata.jwks_uri, options.allowInsecureHttp)) {
      throw new RemoteDocumentError(`${url} has no usable "jwks_uri" (it must be an https URL)`);
    }
    return metadata.jwks_uri;
  }
  throw new RemoteDocumentError(`issuer metadata could not be fetched: ${failures.join('; ')}`);
}
