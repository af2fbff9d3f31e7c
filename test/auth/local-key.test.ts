import { readFile, stat, writeFile } from "node:fs/promises";
import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensureLocalKey, issueLocalToken, LOCAL_ISSUER, localKeyPath } from "../../src/auth/local-key.js";
import { expectAppError, tempDir } from "./helpers.js";

describe("local signing key", () => {
  let dir: string;
  let remove: () => Promise<void>;
  beforeEach(async () => ({ dir, remove } = await tempDir()));
  afterEach(() => remove());

  it("is made once, with mode 0600, and re-used on later starts", async () => {
    const first = await ensureLocalKey(dir);
    expect(first.created).toBe(true);
    expect(first.path).toBe(localKeyPath(dir));
    expect(first.path.endsWith("keys/local-signing-key.json")).toBe(true);
    expect((await stat(first.path)).mode & 0o777).toBe(0o600);
    expect((await stat(localKeyPath(dir).replace(/\/[^/]+$/, ""))).mode & 0o777).toBe(0o700);

    const stored = JSON.parse(await readFile(first.path, "utf8")) as Record<string, string>;
    expect(stored).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig", kid: first.kid });
    expect(typeof stored.d).toBe("string");
    expect(first.publicJwk).not.toHaveProperty("d");

    const before = await readFile(first.path, "utf8");
    const second = await ensureLocalKey(dir);
    expect(second.created).toBe(false);
    expect(second.kid).toBe(first.kid);
    expect(second.publicJwk).toEqual(first.publicJwk);
    expect(await readFile(first.path, "utf8")).toBe(before);
  });

  it("agrees on one key when several starts race", async () => {
    const keys = await Promise.all([1, 2, 3, 4, 5].map(() => ensureLocalKey(dir)));
    expect(new Set(keys.map((k) => k.kid)).size).toBe(1);
    expect(keys.filter((k) => k.created)).toHaveLength(1);
  });

  it("issues tokens that verify against the public key", async () => {
    const token = await issueLocalToken({
      dataDir: dir,
      tenant: "tenant-1",
      user: "ada@example.com",
      ttlSeconds: 900,
      audience: "https://api.partnercenter.microsoft.com",
      roles: ["Insights.Read", "Insights.Read", "Analytics.Read"],
    });
    const key = await ensureLocalKey(dir);
    const { payload, protectedHeader } = await jwtVerify(token, await importJWK(key.publicJwk, "ES256"), {
      issuer: LOCAL_ISSUER,
      audience: "https://api.partnercenter.microsoft.com",
    });
    expect(protectedHeader).toMatchObject({ alg: "ES256", kid: key.kid, typ: "JWT" });
    expect(payload).toMatchObject({
      tid: "tenant-1",
      upn: "ada@example.com",
      roles: ["Insights.Read", "Analytics.Read"],
    });
    expect(payload.exp! - payload.iat!).toBe(900);
  });

  it("defaults the user to local-user and leaves roles out when there are none", async () => {
    const token = await issueLocalToken({ dataDir: dir, tenant: "t", ttlSeconds: 60, audience: "aud" });
    const payload = decodeJwt(token);
    expect(payload.upn).toBe("local-user");
    expect(payload).not.toHaveProperty("roles");
    expect(decodeProtectedHeader(token).alg).toBe("ES256");
  });

  it("rejects a blank tenant and a non-positive lifetime", async () => {
    await expectAppError(
      issueLocalToken({ dataDir: dir, tenant: " ", ttlSeconds: 60, audience: "a" }),
      "invalid_argument",
    );
    await expectAppError(
      issueLocalToken({ dataDir: dir, tenant: "t", ttlSeconds: 0, audience: "a" }),
      "invalid_argument",
    );
  });

  it("refuses a damaged key file with a clear message", async () => {
    await ensureLocalKey(dir);
    await writeFile(localKeyPath(dir), "{ not json");
    const error = await expectAppError(ensureLocalKey(dir), "internal");
    expect(error.message).toMatch(/local-signing-key\.json is unusable \(it is not JSON\)/);

    await writeFile(localKeyPath(dir), JSON.stringify({ kty: "EC", alg: "ES256", kid: "k", x: "a", y: "b" }));
    expect((await expectAppError(ensureLocalKey(dir), "internal")).message).toMatch(/not a private key/);
  });
});
