import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AppError } from "../../src/core/errors.js";
import { deriveKey } from "../../src/keys/secrets.js";
import {
  DOWNLOAD_TOKEN_PURPOSE,
  linkExpiry,
  MAX_TOKEN_LENGTH,
  signDownloadToken,
  verifyDownloadToken,
} from "../../src/links/tokens.js";

const key = deriveKey(Buffer.alloc(32, 1), DOWNLOAD_TOKEN_PURPOSE);
const otherKey = deriveKey(Buffer.alloc(32, 2), DOWNLOAD_TOKEN_PURPOSE);
const NOW = new Date("2024-06-01T12:00:00.000Z");
const EXPIRES = new Date("2024-06-02T12:00:00.000Z");
const claims = {
  executionId: "3fa85f64-5717-4562-b3fc-2c963f66afa6",
  tenant: "tenant-a",
  expiresAt: EXPIRES,
};

/** Swaps one base64url character at `index` for another valid one. */
function flip(token: string, index: number): string {
  const char = token[index]!;
  const replacement = char === "A" ? "B" : "A";
  return token.slice(0, index) + replacement + token.slice(index + 1);
}

/** A token with a chosen payload, correctly signed (what only a key holder can make). */
function signRaw(payload: unknown, signingKey = key): string {
  const body = Buffer.from(typeof payload === "string" ? payload : JSON.stringify(payload)).toString(
    "base64url",
  );
  return `${body}.${createHmac("sha256", signingKey).update(body).digest("base64url")}`;
}

describe("download tokens", () => {
  it("round-trips the claims", () => {
    const token = signDownloadToken(key, claims);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyDownloadToken(key, token, NOW)).toEqual({ ok: true, claims });
  });

  it("round-trips a part number (results in parts); a token without one names the execution's file", () => {
    const token = signDownloadToken(key, { ...claims, part: 3 });
    expect(verifyDownloadToken(key, token, NOW)).toEqual({ ok: true, claims: { ...claims, part: 3 } });
    const whole = verifyDownloadToken(key, signDownloadToken(key, claims), NOW);
    expect(whole.ok && "part" in whole.claims).toBe(false);
    const payload = { v: 1, eid: claims.executionId, tid: claims.tenant, exp: EXPIRES.getTime() };
    for (const p of [0, -1, 1.5, "2", null, 2 ** 60]) {
      expect(verifyDownloadToken(key, signRaw({ ...payload, p }), NOW)).toEqual({
        ok: false,
        reason: "malformed",
      });
    }
    expect(() => signDownloadToken(key, { ...claims, part: 0 })).toThrow(AppError);
  });

  it("keeps millisecond expiry and Unicode tenants exactly", () => {
    const exact = { executionId: "e-1", tenant: "tenant-ü-😀", expiresAt: new Date(EXPIRES.getTime() + 123) };
    expect(verifyDownloadToken(key, signDownloadToken(key, exact), NOW)).toEqual({ ok: true, claims: exact });
  });

  it("is deterministic and URL-safe", () => {
    const token = signDownloadToken(key, claims);
    expect(signDownloadToken(key, claims)).toBe(token);
    expect(encodeURIComponent(token)).toBe(token);
  });

  it("is valid until just before its expiry and expired from the expiry instant on", () => {
    const token = signDownloadToken(key, claims);
    expect(verifyDownloadToken(key, token, new Date(EXPIRES.getTime() - 1)).ok).toBe(true);
    expect(verifyDownloadToken(key, token, EXPIRES)).toEqual({ ok: false, reason: "expired" });
    expect(verifyDownloadToken(key, token, new Date(EXPIRES.getTime() + 1))).toEqual({
      ok: false,
      reason: "expired",
    });
  });

  it("fails closed on an invalid clock reading", () => {
    const token = signDownloadToken(key, claims);
    expect(verifyDownloadToken(key, token, new Date(Number.NaN))).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses a token signed with another key", () => {
    const token = signDownloadToken(otherKey, claims);
    expect(verifyDownloadToken(key, token, NOW)).toEqual({ ok: false, reason: "signature" });
  });

  it("refuses a tampered payload", () => {
    const token = signDownloadToken(key, claims);
    const [payload, signature] = token.split(".") as [string, string];
    // Another tenant's claims under the original signature.
    const forged = Buffer.from(
      JSON.stringify({ v: 1, eid: claims.executionId, tid: "tenant-b", exp: EXPIRES.getTime() }),
    ).toString("base64url");
    expect(verifyDownloadToken(key, `${forged}.${signature}`, NOW)).toEqual({
      ok: false,
      reason: "signature",
    });
    // A later expiry.
    const later = Buffer.from(
      JSON.stringify({ v: 1, eid: claims.executionId, tid: claims.tenant, exp: EXPIRES.getTime() * 2 }),
    ).toString("base64url");
    expect(verifyDownloadToken(key, `${later}.${signature}`, NOW)).toEqual({
      ok: false,
      reason: "signature",
    });
    // Every single-character change of the payload.
    for (let i = 0; i < payload.length; i++) {
      const result = verifyDownloadToken(key, flip(token, i), NOW);
      expect(result.ok, `payload char ${i}`).toBe(false);
    }
  });

  it("refuses a tampered signature", () => {
    const token = signDownloadToken(key, claims);
    const dot = token.indexOf(".");
    for (let i = dot + 1; i < token.length; i++) {
      const result = verifyDownloadToken(key, flip(token, i), NOW);
      expect(result.ok, `signature char ${i}`).toBe(false);
    }
    // A non-canonical spelling of the same signature bytes (other trailing bits) is refused too.
    const last = token[token.length - 1]!;
    const sibling = "AEIMQUYcgkosw048".includes(last) ? String.fromCharCode(last.charCodeAt(0) + 1) : "A";
    expect(verifyDownloadToken(key, token.slice(0, -1) + sibling, NOW).ok).toBe(false);
  });

  it("refuses truncated tokens", () => {
    const token = signDownloadToken(key, claims);
    for (let length = 0; length < token.length; length++) {
      const result = verifyDownloadToken(key, token.slice(0, length), NOW);
      expect(result.ok, `length ${length}`).toBe(false);
    }
    expect(verifyDownloadToken(key, `${token}A`, NOW).ok).toBe(false);
  });

  it.each([
    ["empty", ""],
    ["no dot", "abcdef"],
    ["only a dot", "."],
    ["empty payload", `.${"A".repeat(43)}`],
    ["empty signature", "eyJ2IjoxfQ."],
    ["two dots", "a.b.c"],
    ["padding", "eyJ2IjoxfQ==.AAAA"],
    ["standard base64 characters", "a+b/.AAAA"],
    ["spaces", "eyJ2 IjoxfQ.AAAA"],
    ["NUL bytes", "\0\0\0.\0\0"],
    ["non-ASCII", "ëÿ.😀"],
    ["short signature", `eyJ2IjoxfQ.${"A".repeat(42)}`],
    ["long signature", `eyJ2IjoxfQ.${"A".repeat(44)}`],
    ["too long", `${"A".repeat(MAX_TOKEN_LENGTH)}.${"A".repeat(43)}`],
  ])("calls a %s token malformed", (_label, token) => {
    expect(verifyDownloadToken(key, token, NOW)).toEqual({ ok: false, reason: "malformed" });
  });

  it("never throws on random garbage or non-strings", () => {
    for (let i = 0; i < 2000; i++) {
      const bytes = randomBytes(Math.floor(Math.random() * 200));
      const candidates = [
        bytes.toString("latin1"),
        bytes.toString("utf8"),
        bytes.toString("base64url"),
        `${bytes.subarray(0, bytes.length >> 1).toString("base64url")}.${bytes.subarray(bytes.length >> 1).toString("base64url")}`,
      ];
      for (const token of candidates) expect(verifyDownloadToken(key, token, NOW).ok).toBe(false);
    }
    for (const value of [undefined, null, 42, {}, ["a.b"], Buffer.from("a.b")]) {
      expect(verifyDownloadToken(key, value, NOW)).toEqual({ ok: false, reason: "malformed" });
    }
  });

  it.each([
    ["not JSON", "not json"],
    ["JSON null", null],
    ["an array", [1, "e", "t", 5]],
    ["another version", { v: 2, eid: "e", tid: "t", exp: EXPIRES.getTime() }],
    ["no execution", { v: 1, tid: "t", exp: EXPIRES.getTime() }],
    ["an empty tenant", { v: 1, eid: "e", tid: "", exp: EXPIRES.getTime() }],
    ["a string expiry", { v: 1, eid: "e", tid: "t", exp: String(EXPIRES.getTime()) }],
    ["a fractional expiry", { v: 1, eid: "e", tid: "t", exp: 1.5 }],
  ])("calls a correctly signed payload with %s malformed", (_label, payload) => {
    expect(verifyDownloadToken(key, signRaw(payload), NOW)).toEqual({ ok: false, reason: "malformed" });
  });

  it("refuses to sign with a short key or incomplete claims", () => {
    expect(() => signDownloadToken(Buffer.alloc(16), claims)).toThrow(AppError);
    expect(() => signDownloadToken(key, { ...claims, executionId: "" })).toThrow(AppError);
    expect(() => signDownloadToken(key, { ...claims, tenant: "" })).toThrow(AppError);
    expect(() => signDownloadToken(key, { ...claims, expiresAt: new Date(Number.NaN) })).toThrow(AppError);
  });

  it("computes link expiry (24 hours by default)", () => {
    expect(linkExpiry(NOW).toISOString()).toBe("2024-06-02T12:00:00.000Z");
    expect(linkExpiry(NOW, 1).toISOString()).toBe("2024-06-01T13:00:00.000Z");
  });
});
