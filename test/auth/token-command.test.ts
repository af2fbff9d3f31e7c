import { PassThrough } from "node:stream";
import { decodeJwt } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseAuthConfig } from "../../src/auth/config.js";
import { ADMIN_ROLE } from "../../src/auth/roles.js";
import { createAuthenticator } from "../../src/auth/verifier.js";
import type { OptionValues } from "../../src/cli/shared.js";
import { UsageError } from "../../src/cli/shared.js";
import { ADMIN_TOKEN_TENANT, parseTtl, tokenCommand } from "../../src/cli/token.js";
import { tempDir } from "./helpers.js";

const TENANT = "42424242-0000-4000-8000-000000000042";

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

describe("openinsights token", () => {
  let dir: string;
  let remove: () => Promise<void>;
  beforeEach(async () => ({ dir, remove } = await tempDir()));
  afterEach(() => remove());

  async function run(values: OptionValues, env: Record<string, string> = {}) {
    const stdout = capture();
    const stderr = capture();
    const code = await tokenCommand.run({
      values: { "data-dir": dir, ...values },
      positionals: [],
      io: { stdout: stdout.stream, stderr: stderr.stream, env },
      env,
    });
    await new Promise((resolve) => setImmediate(resolve));
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  }

  it("prints one token that the service accepts", async () => {
    const { code, stdout, stderr } = await run({ tenant: TENANT, user: "ada@example.com", ttl: "15m" });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(stderr).toContain(`tenant ${TENANT}`);

    const token = stdout.trim();
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      iss: "openinsights-local",
      aud: "https://api.partnercenter.microsoft.com",
      tid: TENANT,
      upn: "ada@example.com",
    });
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(claims).not.toHaveProperty("roles");

    const auth = await createAuthenticator(parseAuthConfig({}), { dataDir: dir });
    await expect(auth.authenticate({ authorization: `Bearer ${token}` }, "mpn")).resolves.toEqual({
      tenant: TENANT,
      user: "ada@example.com",
      roles: [],
    });
  });

  it("uses the first configured audience, the default user and both programs' roles", async () => {
    const env = {
      OPENINSIGHTS_AUTH_AUDIENCES: "api://openinsights,https://api.partnercenter.microsoft.com",
      OPENINSIGHTS_AUTH_ROLE_MPN: "Insights.Read",
      OPENINSIGHTS_AUTH_ROLE_CMP: "Analytics.Read",
    };
    const { code, stdout } = await run({ tenant: TENANT }, env);
    expect(code).toBe(0);
    const token = stdout.trim();
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      aud: "api://openinsights",
      upn: "local-user",
      roles: ["Insights.Read", "Analytics.Read"],
    });
    expect(claims.exp! - claims.iat!).toBe(3600);

    const auth = await createAuthenticator(parseAuthConfig(env), { dataDir: dir });
    for (const program of ["mpn", "cmp"] as const) {
      await expect(auth.authenticate({ "x-aaduserticket": token }, program)).resolves.toMatchObject({
        tenant: TENANT,
      });
    }
  });

  it("warns when local authentication is off", async () => {
    const env = { OPENINSIGHTS_AUTH_LOCAL: "false", OPENINSIGHTS_AUTH_JWKS_URLS: "https://idp.example/keys" };
    const { code, stderr } = await run({ tenant: TENANT }, env);
    expect(code).toBe(0);
    expect(stderr).toMatch(/warning: OPENINSIGHTS_AUTH_LOCAL is false/);
  });

  it.each([["0s"], ["1w"], ["h"], ["-5m"], ["1.5h"], ["400d"], [""], ["90"]])(
    "rejects --ttl %j",
    async (ttl) => {
      await expect(run({ tenant: TENANT, ttl })).rejects.toBeInstanceOf(UsageError);
    },
  );

  it("refuses a tenant id that is not a GUID", async () => {
    await expect(run({ tenant: "tenant-42" })).rejects.toThrow(/--tenant must be a tenant id \(a GUID/);
  });

  it("--admin prints an operator's token: role OpenInsights.Admin, no tenant, accepted on /admin/ only", async () => {
    const { code, stdout, stderr } = await run({ admin: true }, { OPENINSIGHTS_AUTH_ROLE_MPN: "Mpn.Read" });
    expect(code).toBe(0);
    expect(stderr).toContain("Token for operators (role OpenInsights.Admin)");
    const token = stdout.trim();
    expect(decodeJwt(token)).toMatchObject({ tid: ADMIN_TOKEN_TENANT, roles: [ADMIN_ROLE] });
    const auth = await createAuthenticator(parseAuthConfig({}), { dataDir: dir });
    const headers = { authorization: `Bearer ${token}` };
    await expect(auth.authenticateAdmin(headers)).resolves.toMatchObject({ roles: [ADMIN_ROLE] });
    await expect(auth.authenticate(headers, "mpn")).rejects.toMatchObject({ code: "forbidden" });
    await expect(run({ admin: true, tenant: "t" })).rejects.toThrow(/belongs to no tenant: drop --tenant/);
  });

  it("requires --tenant", async () => {
    await expect(run({})).rejects.toThrow(/--tenant is required/);
    await expect(run({ tenant: "  " })).rejects.toBeInstanceOf(UsageError);
  });

  it.each([
    ["30s", 30],
    ["15m", 900],
    ["1h", 3600],
    ["2d", 172_800],
    ["1H", 3600],
  ])("parses --ttl %s", (raw, seconds) => {
    expect(parseTtl(raw)).toBe(seconds);
  });
});
