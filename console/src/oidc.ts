/**
 * Sign-in through an OpenID Connect issuer: the authorization-code flow with PKCE (RFC 7636, S256)
 * for a public client. The verifier and state wait in session storage while the person is at the
 * issuer; the code that comes back in the address is taken out of it before the first render and
 * exchanged at once.
 */
import { signIn } from "./session";

export interface OidcOptions {
  issuer: string;
  clientId: string;
  scopes: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
}

interface Pending {
  readonly state: string;
  readonly verifier: string;
  readonly tokenEndpoint: string;
  readonly clientId: string;
  /** The console page to return to (its hash route). */
  readonly returnTo: string;
}

const PENDING_KEY = "openinsights.oidc";

function redirectUri(): string {
  return `${location.origin}/console`;
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

function randomText(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** Goes to the issuer's sign-in page. */
export async function beginOidcSignIn(options: OidcOptions): Promise<void> {
  const verifier = randomText();
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))),
  );
  const pending: Pending = {
    state: randomText(),
    verifier,
    tokenEndpoint: options.tokenEndpoint,
    clientId: options.clientId,
    returnTo: location.hash,
  };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(options.authorizationEndpoint);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", options.clientId);
  url.searchParams.set("redirect_uri", redirectUri());
  url.searchParams.set("scope", options.scopes);
  url.searchParams.set("state", pending.state);
  url.searchParams.set("code_challenge", challenge);
  url.searchParams.set("code_challenge_method", "S256");
  location.assign(url.toString());
}

/** The issuer's answer, taken out of the address before the first render. */
let answer: { params: URLSearchParams; pending: Pending | null } | null = null;

/**
 * Takes the issuer's answer (a code or an error) out of the address, putting back the page the
 * person started from; call it before the console renders. True when there was one.
 */
export function takeOidcAnswer(): boolean {
  const params = new URLSearchParams(location.search);
  if (!(params.has("state") && (params.has("code") || params.has("error")))) return false;
  const stored = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  const pending = stored ? (JSON.parse(stored) as Pending) : null;
  history.replaceState(null, "", `${location.pathname}${pending?.returnTo ?? ""}`);
  answer = { params, pending };
  return true;
}

/** True while an answer taken by `takeOidcAnswer` waits to be completed. */
export function hasOidcAnswer(): boolean {
  return answer !== null;
}

/** Exchanges the answer's code for a token and signs in. Throws with a message for the sign-in page. */
export async function completeOidcSignIn(): Promise<void> {
  if (!answer) return;
  const { params, pending } = answer;
  answer = null;
  if (params.has("error")) {
    throw new Error(
      `The identity provider refused the sign-in: ${params.get("error_description") ?? params.get("error")}`,
    );
  }
  if (!pending || pending.state !== params.get("state")) {
    throw new Error("This sign-in answer does not belong to a sign-in started in this tab. Sign in again.");
  }
  const response = await fetch(pending.tokenEndpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: params.get("code") ?? "",
      redirect_uri: redirectUri(),
      client_id: pending.clientId,
      code_verifier: pending.verifier,
    }),
    credentials: "omit",
  }).catch(() => {
    throw new Error("The identity provider cannot be reached. Try again.");
  });
  const token = (await response.json().catch(() => ({}))) as {
    access_token?: string;
    error?: string;
    error_description?: string;
  };
  if (!response.ok || !token.access_token) {
    throw new Error(
      `The identity provider did not issue a token: ${token.error_description ?? token.error ?? `HTTP ${response.status}`}`,
    );
  }
  signIn(token.access_token);
}
