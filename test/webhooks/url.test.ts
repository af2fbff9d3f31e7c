import { describe, expect, it } from "vitest";
import { AppError } from "../../src/core/errors.js";
import { callbackTarget } from "../../src/webhooks/url.js";

describe("callbackTarget", () => {
  const id = "f3a1c2d4-0000-4000-8000-000000000001";

  it.each([
    ["https://www.contosso.com/callback", "POST", `https://www.contosso.com/callback/${id}`],
    ["https://www.contosso.com/callback", "GET", `https://www.contosso.com/callback?reportId=${id}`],
    ["https://www.contosso.com/callback/", "POST", `https://www.contosso.com/callback/${id}`],
    ["https://www.contosso.com/callback//", "POST", `https://www.contosso.com/callback/${id}`],
    ["https://www.contosso.com", "POST", `https://www.contosso.com/${id}`],
    ["https://www.contosso.com/", "GET", `https://www.contosso.com/?reportId=${id}`],
    ["https://x.example/cb?token=abc", "POST", `https://x.example/cb/${id}?token=abc`],
    ["https://x.example/cb?token=abc", "GET", `https://x.example/cb?token=abc&reportId=${id}`],
    ["https://x.example/cb?a=%20b&c", "GET", `https://x.example/cb?a=%20b&c&reportId=${id}`],
    ["https://x.example/cb?a=1&", "GET", `https://x.example/cb?a=1&reportId=${id}`],
    ["https://x.example/cb?", "GET", `https://x.example/cb?reportId=${id}`],
    ["https://x.example/cb#frag", "POST", `https://x.example/cb/${id}`],
    ["https://x.example/cb?q=1#frag", "GET", `https://x.example/cb?q=1&reportId=${id}`],
    ["http://127.0.0.1:8080/hook", "POST", `http://127.0.0.1:8080/hook/${id}`],
    ["http://[::1]:8080/hook", "GET", `http://[::1]:8080/hook?reportId=${id}`],
  ] as const)("%s (%s) → %s", (url, method, expected) => {
    expect(callbackTarget(url, method, id)).toBe(expected);
  });

  it("encodes the report id", () => {
    expect(callbackTarget("https://x.example/cb", "POST", "a/b c")).toBe("https://x.example/cb/a%2Fb%20c");
    expect(callbackTarget("https://x.example/cb", "GET", "a&b=c")).toBe(
      "https://x.example/cb?reportId=a%26b%3Dc",
    );
  });

  it("rejects a relative URL", () => {
    expect(() => callbackTarget("/cb", "POST", id)).toThrow(AppError);
  });
});
