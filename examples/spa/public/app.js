// Example single-page app: signs in with the authorization code flow and PKCE
// (RFC 7636), then calls the API with the access token as a bearer token.
// The access token stays in memory, which is also auth0-spa-js's default
// cache location. Only the PKCE verifier and state survive the redirect, in
// sessionStorage.

const PENDING_LOGIN_KEY = 'example-spa.pending-login';

const elements = {
  origin: document.getElementById('origin'),
  apiUrl: document.getElementById('api-url'),
  issuerUrl: document.getElementById('issuer-url'),
  session: document.getElementById('session'),
  login: document.getElementById('login'),
  callWithToken: document.getElementById('call-with-token'),
  callWithoutToken: document.getElementById('call-without-token'),
  logout: document.getElementById('logout'),
  result: document.getElementById('result'),
};

let accessToken;

function showResult(outcome, text) {
  elements.result.dataset.outcome = outcome;
  elements.result.textContent = text;
}

function showSession(text) {
  elements.session.textContent = text;
  elements.callWithToken.disabled = accessToken === undefined;
  elements.logout.disabled = accessToken === undefined;
}

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

async function pkceChallenge(verifier) {
  return base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
}

async function fetchDiscovery(issuer) {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`discovery document ${url} returned HTTP ${response.status}`);
  }
  return response.json();
}

function redirectUri() {
  return `${window.location.origin}/`;
}

async function startLogin(config) {
  const discovery = await fetchDiscovery(config.issuer);
  const verifier = randomString();
  const state = randomString();
  sessionStorage.setItem(PENDING_LOGIN_KEY, JSON.stringify({ verifier, state, tokenEndpoint: discovery.token_endpoint }));

  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: config.scope,
    state,
    code_challenge: await pkceChallenge(verifier),
    code_challenge_method: 'S256',
    // Auth0 selects the API by "audience", and RFC 8707 providers such as oidc-provider by "resource".
    // Sending both is safe because RFC 6749 section 3.1 makes servers ignore parameters they do not recognize.
    audience: config.audience,
    resource: config.audience,
  }).toString();
  window.location.assign(url.href);
}

/** Exchanges the authorization code in the current URL for an access token, if the URL carries one. */
async function finishLogin(config) {
  const params = new URLSearchParams(window.location.search);
  if (!params.has('code') && !params.has('error')) {
    return;
  }
  history.replaceState(null, '', window.location.pathname);
  const pending = JSON.parse(sessionStorage.getItem(PENDING_LOGIN_KEY) ?? 'null');
  sessionStorage.removeItem(PENDING_LOGIN_KEY);

  if (params.has('error')) {
    throw new Error(`the issuer returned ${params.get('error')}: ${params.get('error_description') ?? 'no description'}`);
  }
  if (pending === null || params.get('state') !== pending.state) {
    throw new Error('the state parameter does not match the login this page started. Log in again.');
  }

  const response = await fetch(pending.tokenEndpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: params.get('code'),
      code_verifier: pending.verifier,
      client_id: config.clientId,
      redirect_uri: redirectUri(),
      resource: config.audience,
    }),
  });
  const body = await response.json();
  if (!response.ok || typeof body.access_token !== 'string') {
    throw new Error(`token request failed with HTTP ${response.status}: ${body.error_description ?? body.detail ?? body.error ?? 'no detail'}`);
  }
  accessToken = body.access_token;
  showSession(`signed in, access token expires in ${body.expires_in} s`);
}

async function callApi(config, token) {
  const headers = token === undefined ? {} : { Authorization: `Bearer ${token}` };
  let response;
  try {
    response = await fetch(`${config.apiUrl.replace(/\/$/, '')}/api/external`, { headers });
  } catch (error) {
    // Browsers report a CORS rejection to scripts only as a network error, and name the cause in the console.
    showResult('blocked', `Request blocked or API unreachable (${error.message}). The browser console shows whether CORS rejected this origin.`);
    return;
  }

  const body = await response.json().catch(() => ({}));
  if (response.ok) {
    showResult('success', `${response.status} ${body.msg}`);
    return;
  }
  const challenge = response.headers.get('WWW-Authenticate');
  showResult(
    'rejected',
    `${response.status} ${body.error ?? response.statusText}: ${body.message ?? 'no message'}` +
      (challenge === null ? '' : `\nWWW-Authenticate: ${challenge}`),
  );
}

async function main() {
  const config = await (await fetch('/config.json')).json();
  elements.origin.textContent = window.location.origin;
  elements.apiUrl.textContent = config.apiUrl;
  elements.issuerUrl.textContent = config.issuer;

  elements.login.addEventListener('click', () => {
    startLogin(config).catch((error) => showResult('rejected', `Login failed: ${error.message}`));
  });
  elements.callWithToken.addEventListener('click', () => void callApi(config, accessToken));
  elements.callWithoutToken.addEventListener('click', () => void callApi(config, undefined));
  elements.logout.addEventListener('click', () => {
    accessToken = undefined;
    showSession('signed out');
    showResult('', 'Signed out.');
  });

  try {
    await finishLogin(config);
  } catch (error) {
    showResult('rejected', `Login failed: ${error.message}`);
  }
  document.body.dataset.ready = 'true';
}

void main();
