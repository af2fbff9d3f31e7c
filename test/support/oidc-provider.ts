/**
 * A small OpenID Connect issuer on loopback for the console's sign-in tests: discovery, keys, an
 * authorization endpoint that signs the person in at once (no login form) and sends a code back,
 * and a token endpoint that checks the PKCE verifier (S256) before it issues an access token.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";

export interface TestOidcProvider {
  /** The issuer URL (also its `iss`). */
  readonly issuer: string;
  /** Token requests that were refused, with the reason. */
  readonly refusals: string[];
  close(): Promise<void>;
}

export interface TestOidcOptions {
  readonly clientId: string;
  /** The `aud` of the access tokens it issues. */
  readonly audience: string;
  /** The `tid` of the person who signs in. */
  readonly tenant: string;
}

export async function startOidcProvider(options: TestOidcOptions): Promise<TestOidcProvider> {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "test-idp", alg: "RS256", use: "sig" };
  const codes = new Map<string, { challenge: string; redirectUri: string; clientId: string }>();
  const refusals: string[] = [];
  let issuer = "";

  const json = (res: ServerResponse, status: number, body: unknown) =>
    res
      .writeHead(status, { "content-type": "application/json", "access-control-allow-origin": "*" })
      .end(JSON.stringify(body));

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", issuer);
    if (url.pathname === "/.well-known/openid-configuration") {
      return json(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/keys`,
        code_challenge_methods_supported: ["S256"],
      });
    }
    if (url.pathname === "/keys") return json(res, 200, { keys: [jwk] });
    if (url.pathname === "/authorize") {
      const q = url.searchParams;
      const redirectUri = q.get("redirect_uri") ?? "";
      if (q.get("client_id") !== options.clientId || q.get("response_type") !== "code") {
        return json(res, 400, { error: "invalid_request" });
      }
      if (q.get("code_challenge_method") !== "S256" || !q.get("code_challenge")) {
        return json(res, 400, { error: "invalid_request", error_description: "PKCE S256 is required" });
      }
      const code = randomBytes(16).toString("hex");
      codes.set(code, { challenge: q.get("code_challenge")!, redirectUri, clientId: options.clientId });
      const back = new URL(redirectUri);
      back.searchParams.set("code", code);
      back.searchParams.set("state", q.get("state") ?? "");
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }
    if (url.pathname === "/token" && req.method === "POST") {
      let body = "";
      for await (const chunk of req) body += chunk;
      const form = new URLSearchParams(body);
      const grant = codes.get(form.get("code") ?? "");
      codes.delete(form.get("code") ?? "");
      const verifier = form.get("code_verifier") ?? "";
      const refuse = (why: string) => {
        refusals.push(why);
        return json(res, 400, { error: "invalid_grant", error_description: why });
      };
      if (!grant) return refuse("unknown or used code");
      if (form.get("redirect_uri") !== grant.redirectUri) return refuse("redirect_uri differs");
      if (form.get("client_id") !== grant.clientId) return refuse("client_id differs");
      if (createHash("sha256").update(verifier).digest("base64url") !== grant.challenge) {
        return refuse("code_verifier does not match the challenge");
      }
      const accessToken = await new SignJWT({ tid: options.tenant, upn: "analyst@contoso.example" })
        .setProtectedHeader({ alg: "RS256", kid: jwk.kid, typ: "JWT" })
        .setIssuer(issuer)
        .setAudience(options.audience)
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(privateKey);
      return json(res, 200, { access_token: accessToken, token_type: "Bearer", expires_in: 3600 });
    }
    json(res, 404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    refusals,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
