import { describe, expect, it } from "vitest";
import { DEFAULT_AUDIENCE, parseAuthConfig } from "../../src/auth/config.js";
import { AppError } from "../../src/core/errors.js";

function invalid(env: Record<string, string>): AppError {
  try {
    parseAuthConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("invalid_argument");
    return error as AppError;
  }
  throw new Error("expected parseAuthConfig to throw");
}

describe("parseAuthConfig", () => {
  it("defaults to the local key, the Partner Center audience and 60 s tolerance", () => {
    expect(parseAuthConfig({})).toEqual({
      localKey: true,
      issuers: [],
      audiences: [DEFAULT_AUDIENCE],
      clockToleranceSeconds: 60,
      requiredRoles: {},
    });
  });

  it("treats empty variables as unset", () => {
    expect(parseAuthConfig({ OPENINSIGHTS_AUTH_LOCAL: "", OPENINSIGHTS_AUTH_AUDIENCES: " " })).toMatchObject({
      localKey: true,
      audiences: [DEFAULT_AUDIENCE],
    });
  });

  it("reads every variable", () => {
    const config = parseAuthConfig({
      OPENINSIGHTS_AUTH_LOCAL: "FALSE",
      OPENINSIGHTS_AUTH_ISSUERS: "https://login.example.com/t1/v2.0/, https://idp.example.org",
      OPENINSIGHTS_AUTH_JWKS_URLS: "https://keys.example.net/jwks.json,http://127.0.0.1:9/k",
      OPENINSIGHTS_AUTH_ISSUER_NAMES: "https://keys.example.net, local-idp",
      OPENINSIGHTS_AUTH_AUDIENCES: "api://openinsights, https://api.partnercenter.microsoft.com",
      OPENINSIGHTS_AUTH_CLOCK_TOLERANCE: "0",
      OPENINSIGHTS_AUTH_ROLE_MPN: "Insights.Read",
      OPENINSIGHTS_AUTH_ROLE_CMP: "Analytics.Read",
    });
    expect(config).toEqual({
      localKey: false,
      issuers: [
        {
          issuer: "https://login.example.com/t1/v2.0/",
          discoveryUrl: "https://login.example.com/t1/v2.0/.well-known/openid-configuration",
        },
        {
          issuer: "https://idp.example.org",
          discoveryUrl: "https://idp.example.org/.well-known/openid-configuration",
        },
        { issuer: "https://keys.example.net", jwksUrl: "https://keys.example.net/jwks.json" },
        { issuer: "local-idp", jwksUrl: "http://127.0.0.1:9/k" },
      ],
      audiences: ["api://openinsights", "https://api.partnercenter.microsoft.com"],
      clockToleranceSeconds: 0,
      requiredRoles: { mpn: "Insights.Read", cmp: "Analytics.Read" },
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("accepts JWKS URLs without issuer names", () => {
    expect(parseAuthConfig({ OPENINSIGHTS_AUTH_JWKS_URLS: "https://a.example/jwks" }).issuers).toEqual([
      { jwksUrl: "https://a.example/jwks" },
    ]);
  });

  it.each([
    [{ OPENINSIGHTS_AUTH_LOCAL: "yes please" }, /OPENINSIGHTS_AUTH_LOCAL must be 'true' or 'false'/],
    [
      { OPENINSIGHTS_AUTH_ISSUERS: "not a url" },
      /OPENINSIGHTS_AUTH_ISSUERS must hold absolute http\(s\) URLs/,
    ],
    [{ OPENINSIGHTS_AUTH_ISSUERS: "ftp://idp.example" }, /uses ftp:/],
    [{ OPENINSIGHTS_AUTH_JWKS_URLS: "https://u:p@idp.example/jwks" }, /must not carry credentials/],
    [
      { OPENINSIGHTS_AUTH_JWKS_URLS: "https://a.example/jwks", OPENINSIGHTS_AUTH_ISSUER_NAMES: "a,b" },
      /one issuer for each of the 1 URL/,
    ],
    [
      {
        OPENINSIGHTS_AUTH_JWKS_URLS: "https://a.example/j,https://b.example/j",
        OPENINSIGHTS_AUTH_ISSUER_NAMES: "a,",
      },
      /empty name at position 2/,
    ],
    [{ OPENINSIGHTS_AUTH_AUDIENCES: ",," }, /at least one audience/],
    [{ OPENINSIGHTS_AUTH_CLOCK_TOLERANCE: "-5" }, /whole number of seconds/],
    [{ OPENINSIGHTS_AUTH_CLOCK_TOLERANCE: "1.5" }, /whole number of seconds/],
    [{ OPENINSIGHTS_AUTH_CLOCK_TOLERANCE: "90000" }, /from 0 to 86400/],
    [{ OPENINSIGHTS_AUTH_ROLE_MPN: "two words" }, /OPENINSIGHTS_AUTH_ROLE_MPN must be a single role/],
    [{ OPENINSIGHTS_AUTH_LOCAL: "false" }, /no token issuer is trusted/],
  ])("rejects %o", (env, message) => {
    expect(invalid(env).message).toMatch(message);
  });
});
