import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type AuthConfig, parseAuthConfig } from "../../src/auth/config.js";
import {
  ensureLocalKey,
  issueLocalToken,
  LOCAL_ISSUER,
  type LocalSigningKey,
} from "../../src/auth/local-key.js";
import { type Authenticator, createAuthenticator, extractToken } from "../../src/auth/verifier.js";
import { expectAppError, nowSeconds, sign, startServer, type TestHttpServer, tempDir } from "./helpers.js";

const AUDIENCE = "https://api.partnercenter.microsoft.com";

describe("authenticate with the local key", () => {
  let dir: string;
  let remove: () => Promise<void>;
  let key: LocalSigningKey;
  let auth: Authenticator;

  beforeEach(async () => {
    ({ dir, remove } = await tempDir());
    key = await ensureLocalKey(dir);
    auth = await createAuthenticator(parseAuthConfig({}), { dataDir: dir });
  });
  afterEach(() => remove());

  /** A token signed with the local key: valid unless `claims` says otherwise. */
  const localToken = (claims: JWTPayload = {}, header: Record<string, string> = {}): Promise<string> =>
    sign(
      {
        iss: LOCAL_ISSUER,
        aud: AUDIENCE,
        tid: "t1",
        upn: "u1",
        iat: nowSeconds(),
        exp: nowSeconds() + 600,
        ...claims,
      },
      key.privateKey,
      { alg: "ES256", kid: key.kid, ...header },
    );
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const unauthorized = async (headers: Record<string, string | string[] | undefined>, reason: RegExp) => {
    const error = await expectAppError(auth.authenticate(headers, "mpn"), "unauthorized", "Unauthorized");
    expect((error.details as { reason: string }).reason).toMatch(reason);
  };

  it("round-trips a token from issueLocalToken", async () => {
    const token = await issueLocalToken({
      dataDir: dir,
      tenant: "tenant-a",
      ttlSeconds: 60,
      audience: AUDIENCE,
    });
    await expect(auth.authenticate(bearer(token), "mpn")).resolves.toEqual({
      tenant: "tenant-a",
      user: "local-user",
      roles: [],
    });
    await expect(auth.authenticate(bearer(token), "cmp")).resolves.toMatchObject({ tenant: "tenant-a" });
  });

  it("uses the key made on an earlier start", async () => {
    const again = await createAuthenticator(parseAuthConfig({}), { dataDir: dir });
    const token = await issueLocalToken({ dataDir: dir, tenant: "t", ttlSeconds: 60, audience: AUDIENCE });
    await expect(again.authenticate(bearer(token), "cmp")).resolves.toMatchObject({ tenant: "t" });
  });

  it("accepts X-AadUserTicket with the raw token, in any header case", async () => {
    const token = await localToken();
    await expect(auth.authenticate({ "x-aaduserticket": token }, "mpn")).resolves.toMatchObject({
      tenant: "t1",
    });
    await expect(auth.authenticate({ "X-AadUserTicket": token }, "mpn")).resolves.toMatchObject({
      user: "u1",
    });
    await expect(auth.authenticate({ Authorization: `bearer  ${token}` }, "mpn")).resolves.toMatchObject({
      user: "u1",
    });
  });

  it("prefers Authorization over X-AadUserTicket", async () => {
    const token = await localToken();
    await unauthorized({ authorization: "Bearer abc", "x-aaduserticket": token }, /malformed/);
  });

  it.each([
    [{ upn: "upn", preferred_username: "pref", unique_name: "uniq", oid: "oid", sub: "sub" }, "upn"],
    [{ preferred_username: "pref", unique_name: "uniq", oid: "oid", sub: "sub" }, "pref"],
    [{ unique_name: "uniq", oid: "oid", sub: "sub" }, "uniq"],
    [{ oid: "oid", sub: "sub" }, "oid"],
    [{ upn: "", oid: "oid" }, "oid"],
    [{ sub: "sub" }, "sub"],
  ])("takes the user from %o", async (claims, user) => {
    const token = await localToken({ upn: undefined, ...claims });
    await expect(auth.authenticate(bearer(token), "mpn")).resolves.toMatchObject({ user });
  });

  it("collects roles and scopes", async () => {
    const token = await localToken({ roles: ["A", "B"], scp: "c  d A" });
    await expect(auth.authenticate(bearer(token), "mpn")).resolves.toMatchObject({
      roles: ["A", "B", "c", "d"],
    });
  });

  it("accepts a token expired within the clock tolerance", async () => {
    const token = await localToken({ exp: nowSeconds() - 30 });
    await expect(auth.authenticate(bearer(token), "mpn")).resolves.toMatchObject({ tenant: "t1" });
  });

  describe("rejects with 401", () => {
    it("a missing header", () => unauthorized({}, /no Authorization/));
    it("an empty header list", () => unauthorized({ authorization: undefined, "x-aaduserticket": "" }, /no/));
    it("a malformed token", () => unauthorized({ authorization: "Bearer abc" }, /malformed/));
    it("a non-Bearer scheme", async () =>
      unauthorized({ authorization: `Basic ${await localToken()}` }, /not 'Bearer <token>'/));
    it("Bearer without a token", () => unauthorized({ authorization: "Bearer " }, /not 'Bearer <token>'/));
    it("two Authorization headers", async () => {
      const token = await localToken();
      await unauthorized({ authorization: [`Bearer ${token}`, `Bearer ${token}`] }, /several/);
    });
    it("a token expired beyond the tolerance", async () =>
      unauthorized(bearer(await localToken({ exp: nowSeconds() - 120 })), /expired/));
    it("a token without exp", async () =>
      unauthorized(bearer(await localToken({ exp: undefined })), /no exp/));
    it("a token not yet valid", async () =>
      unauthorized(bearer(await localToken({ nbf: nowSeconds() + 600 })), /not yet valid/));
    it("a token signed with another key under the same kid", async () => {
      const other = await generateKeyPair("ES256");
      const token = await sign(
        { iss: LOCAL_ISSUER, aud: AUDIENCE, tid: "t1", upn: "u", exp: nowSeconds() + 60 },
        other.privateKey,
        { alg: "ES256", kid: key.kid },
      );
      await unauthorized(bearer(token), /signature invalid/);
    });
    it("a token signed with another key and kid", async () => {
      const other = await generateKeyPair("ES256");
      const token = await sign(
        { iss: LOCAL_ISSUER, aud: AUDIENCE, tid: "t1", upn: "u", exp: nowSeconds() + 60 },
        other.privateKey,
        { alg: "ES256", kid: "someone-else" },
      );
      await unauthorized(bearer(token), /no key matches/);
    });
    it("a tampered payload", async () => {
      const [h, , s] = (await localToken()).split(".");
      const forged = Buffer.from(JSON.stringify({ iss: LOCAL_ISSUER, aud: AUDIENCE, tid: "evil", upn: "x" }));
      await unauthorized(bearer(`${h}.${forged.toString("base64url")}.${s}`), /signature invalid/);
    });
    it("a wrong audience", async () =>
      unauthorized(bearer(await localToken({ aud: "https://graph.windows.net" })), /aud/));
    it("a token without tid", async () =>
      unauthorized(bearer(await localToken({ tid: undefined })), /no tid/));
    it("a token with an empty tid", async () =>
      unauthorized(bearer(await localToken({ tid: "" })), /no tid/));
    it("a token without any user claim", async () =>
      unauthorized(bearer(await localToken({ upn: undefined })), /no user claim/));
    it("an untrusted issuer", async () =>
      unauthorized(bearer(await localToken({ iss: "https://evil.example" })), /untrusted issuer/));
    it("alg none", async () => {
      const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
      const claims = { iss: LOCAL_ISSUER, aud: AUDIENCE, tid: "t1", upn: "u", exp: nowSeconds() + 60 };
      const token = `${encode({ alg: "none", typ: "JWT" })}.${encode(claims)}.`;
      await unauthorized(bearer(token), /algorithm 'none' not accepted/);
    });
    it("an HMAC token keyed with the public key", async () => {
      const secret = new TextEncoder().encode(JSON.stringify(key.publicJwk));
      const token = await new SignJWT({ iss: LOCAL_ISSUER, aud: AUDIENCE, tid: "t1", upn: "u" })
        .setProtectedHeader({ alg: "HS256", kid: key.kid })
        .setExpirationTime("1h")
        .sign(secret);
      await unauthorized(bearer(token), /algorithm 'HS256' not accepted/);
    });
    it("an oversized token", () =>
      unauthorized({ authorization: `Bearer ${"a".repeat(20_000)}` }, /too long/));
  });

  it("does not trust the local key when local auth is off", async () => {
    const server = await startServer(new Map([["/jwks", () => ({ body: { keys: [] } })]]));
    try {
      const config = parseAuthConfig({
        OPENINSIGHTS_AUTH_LOCAL: "false",
        OPENINSIGHTS_AUTH_JWKS_URLS: `${server.base}/jwks`,
        OPENINSIGHTS_AUTH_ISSUER_NAMES: "remote",
      });
      const strict = await createAuthenticator(config, { dataDir: dir });
      const error = await expectAppError(
        strict.authenticate(bearer(await localToken()), "mpn"),
        "unauthorized",
      );
      expect((error.details as { reason: string }).reason).toMatch(/untrusted issuer 'openinsights-local'/);
    } finally {
      await server.close();
    }
  });

  describe("required roles", () => {
    let roleAuth: Authenticator;
    beforeEach(async () => {
      const config = parseAuthConfig({
        OPENINSIGHTS_AUTH_ROLE_MPN: "Insights.Read",
        OPENINSIGHTS_AUTH_ROLE_CMP: "Analytics.Read",
      });
      roleAuth = await createAuthenticator(config, { dataDir: dir });
    });

    it("is satisfied by the roles claim for its own program only", async () => {
      const token = bearer(await localToken({ roles: ["Insights.Read"] }));
      await expect(roleAuth.authenticate(token, "mpn")).resolves.toMatchObject({ roles: ["Insights.Read"] });
      const error = await expectAppError(roleAuth.authenticate(token, "cmp"), "forbidden");
      expect(error.message).toContain("'Analytics.Read'");
      expect(error.message).toContain("cmp");
      expect(error.details).toMatchObject({
        reason: "missing role 'Analytics.Read'",
        tenant: "t1",
        user: "u1",
      });
    });

    it("is satisfied by the scp claim", async () => {
      const token = bearer(await localToken({ scp: "openid Analytics.Read profile" }));
      await expect(roleAuth.authenticate(token, "cmp")).resolves.toMatchObject({ tenant: "t1" });
    });

    it("is not satisfied by a role that merely contains the name", async () => {
      const token = bearer(await localToken({ roles: ["Insights.ReadWrite"], scp: "xInsights.Read" }));
      await expectAppError(roleAuth.authenticate(token, "mpn"), "forbidden");
    });

    it("is met by tokens from issueLocalToken with the configured roles", async () => {
      const token = await issueLocalToken({
        dataDir: dir,
        tenant: "t",
        ttlSeconds: 60,
        audience: AUDIENCE,
        roles: ["Insights.Read", "Analytics.Read"],
      });
      await expect(roleAuth.authenticate(bearer(token), "mpn")).resolves.toBeDefined();
      await expect(roleAuth.authenticate(bearer(token), "cmp")).resolves.toBeDefined();
    });

    it("still answers 401, not 403, for a bad token", async () => {
      await expectAppError(roleAuth.authenticate({ authorization: "Bearer abc" }, "mpn"), "unauthorized");
    });
  });

  it("extractToken reads either header", () => {
    expect(extractToken({ authorization: "Bearer a.b.c" })).toBe("a.b.c");
    expect(extractToken({ "x-aaduserticket": " a.b.c " })).toBe("a.b.c");
    expect(extractToken({ "x-aaduserticket": "Bearer a.b.c" })).toBe("a.b.c");
  });
});

describe("authenticate against remote identity providers", () => {
  let dir: string;
  let remove: () => Promise<void>;
  let server: TestHttpServer;
  let idpKey: CryptoKey;
  let idpJwk: JWK;
  let jwksStatus = 200;
  let discoveryStatus = 200;
  const routes = new Map<string, () => { status?: number; body: unknown }>();

  beforeAll(async () => {
    ({ dir, remove } = await tempDir());
    const pair = await generateKeyPair("RS256");
    idpKey = pair.privateKey;
    idpJwk = { ...(await exportJWK(pair.publicKey)), kid: "idp-1", alg: "RS256", use: "sig" };
    server = await startServer(routes);
    const jwks = () => ({
      status: jwksStatus,
      body: jwksStatus === 200 ? { keys: [idpJwk] } : { error: "x" },
    });
    routes.set("/keys", jwks);
    routes.set("/tenant1/keys", jwks);
    routes.set("/tenant1/.well-known/openid-configuration", () => ({
      status: discoveryStatus,
      body: { issuer: `${server.base}/tenant1`, jwks_uri: `${server.base}/tenant1/keys` },
    }));
    // Like Entra's v1 and multi-tenant documents: the token issuer differs from the configured URL.
    routes.set("/common/.well-known/openid-configuration", () => ({
      body: { issuer: "https://sts.example.net/{tenantid}/", jwks_uri: `${server.base}/keys` },
    }));
  });
  afterAll(async () => {
    await server.close();
    await remove();
  });
  beforeEach(() => {
    jwksStatus = 200;
    discoveryStatus = 200;
    server.hits.clear();
  });

  const idpToken = (claims: JWTPayload, kid = "idp-1") =>
    sign({ aud: AUDIENCE, tid: "t-remote", oid: "o1", exp: nowSeconds() + 600, ...claims }, idpKey, {
      alg: "RS256",
      kid,
    });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it("verifies tokens through OIDC discovery and caches the document and key set", async () => {
    const config = parseAuthConfig({ OPENINSIGHTS_AUTH_ISSUERS: `${server.base}/tenant1/` });
    const auth = await createAuthenticator(config, { dataDir: dir });
    const token = await idpToken({ iss: `${server.base}/tenant1` });
    for (let i = 0; i < 3; i++) {
      await expect(auth.authenticate(bearer(token), "mpn")).resolves.toEqual({
        tenant: "t-remote",
        user: "o1",
        roles: [],
      });
    }
    expect(server.hits.get("/tenant1/.well-known/openid-configuration")).toBe(1);
    expect(server.hits.get("/tenant1/keys")).toBe(1);

    const wrongIssuer = await idpToken({ iss: `${server.base}/tenant2` });
    await expectAppError(auth.authenticate(bearer(wrongIssuer), "mpn"), "unauthorized", "Unauthorized");
    const wrongAud = await idpToken({ iss: `${server.base}/tenant1`, aud: "api://other" });
    await expectAppError(auth.authenticate(bearer(wrongAud), "mpn"), "unauthorized", "Unauthorized");
  });

  it("still trusts the local key beside a remote issuer", async () => {
    const config = parseAuthConfig({ OPENINSIGHTS_AUTH_ISSUERS: `${server.base}/tenant1` });
    const auth = await createAuthenticator(config, { dataDir: dir });
    const token = await issueLocalToken({ dataDir: dir, tenant: "lt", ttlSeconds: 60, audience: AUDIENCE });
    await expect(auth.authenticate(bearer(token), "mpn")).resolves.toMatchObject({ tenant: "lt" });
  });

  it("matches {tenantid} issuer templates against the token's tid", async () => {
    const config = parseAuthConfig({
      OPENINSIGHTS_AUTH_LOCAL: "false",
      OPENINSIGHTS_AUTH_ISSUERS: `${server.base}/common`,
    });
    const auth = await createAuthenticator(config, { dataDir: dir });
    const good = await idpToken({ iss: "https://sts.example.net/t-remote/" });
    await expect(auth.authenticate(bearer(good), "cmp")).resolves.toMatchObject({ tenant: "t-remote" });
    const otherTenant = await idpToken({ iss: "https://sts.example.net/someone-else/" });
    await expectAppError(auth.authenticate(bearer(otherTenant), "cmp"), "unauthorized");
  });

  it("verifies tokens from a named JWKS URL and rejects other issuers", async () => {
    const config = parseAuthConfig({
      OPENINSIGHTS_AUTH_JWKS_URLS: `${server.base}/keys`,
      OPENINSIGHTS_AUTH_ISSUER_NAMES: "https://idp.example",
    });
    const auth = await createAuthenticator(config, { dataDir: dir });
    await expect(
      auth.authenticate(bearer(await idpToken({ iss: "https://idp.example", upn: "ada" })), "mpn"),
    ).resolves.toMatchObject({ user: "ada" });
    const error = await expectAppError(
      auth.authenticate(bearer(await idpToken({ iss: "https://other.example" })), "mpn"),
      "unauthorized",
    );
    expect((error.details as { reason: string }).reason).toMatch(/untrusted issuer/);
  });

  it("accepts any issuer from an unnamed JWKS URL, but only its keys", async () => {
    const config = parseAuthConfig({
      OPENINSIGHTS_AUTH_LOCAL: "false",
      OPENINSIGHTS_AUTH_JWKS_URLS: `${server.base}/keys`,
    });
    let calls = 0;
    const countingFetch: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const auth = await createAuthenticator(config, { dataDir: dir, fetch: countingFetch });
    await expect(auth.authenticate(bearer(await idpToken({})), "mpn")).resolves.toMatchObject({ user: "o1" });
    expect(calls).toBe(1);
    const stranger = await generateKeyPair("RS256");
    const forged = await sign(
      { aud: AUDIENCE, tid: "t", oid: "o", exp: nowSeconds() + 60 },
      stranger.privateKey,
      {
        alg: "RS256",
        kid: "idp-1",
      },
    );
    const error = await expectAppError(auth.authenticate(bearer(forged), "mpn"), "unauthorized");
    expect((error.details as { reason: string }).reason).toMatch(/signature invalid/);
  });

  it("answers 503 when the identity provider cannot be reached, and recovers", async () => {
    discoveryStatus = 500;
    const config = parseAuthConfig({
      OPENINSIGHTS_AUTH_LOCAL: "false",
      OPENINSIGHTS_AUTH_ISSUERS: `${server.base}/tenant1`,
    });
    const auth = await createAuthenticator(config, { dataDir: dir });
    const token = await idpToken({ iss: `${server.base}/tenant1` });
    const error = await expectAppError(
      auth.authenticate(bearer(token), "mpn"),
      "unavailable",
      "The identity provider is unavailable",
    );
    expect((error.details as { reason: string }).reason).toMatch(/HTTP 500/);

    // A key set that fails to load is an outage too, not a bad token.
    jwksStatus = 503;
    const jwksOnly = await createAuthenticator(
      parseAuthConfig({
        OPENINSIGHTS_AUTH_LOCAL: "false",
        OPENINSIGHTS_AUTH_JWKS_URLS: `${server.base}/keys`,
      }),
      { dataDir: dir },
    );
    await expectAppError(jwksOnly.authenticate(bearer(token), "mpn"), "unavailable");
    jwksStatus = 200;
    await expect(jwksOnly.authenticate(bearer(token), "mpn")).resolves.toMatchObject({ tenant: "t-remote" });
  });
});

describe("createAuthenticator", () => {
  it("makes the local key on first start", async () => {
    const { dir, remove } = await tempDir();
    try {
      const config: AuthConfig = parseAuthConfig({});
      await createAuthenticator(config, { dataDir: dir });
      const key = await ensureLocalKey(dir);
      expect(key.created).toBe(false);
    } finally {
      await remove();
    }
  });
});
