import { describe, expect, it } from "vitest";
import {
  CALLBACK_USER_AGENT,
  callbackHeaders,
  signCallback,
  tenantCallbackSecret,
  verifyCallback,
} from "../../src/webhooks/signing.js";

// The Standard Webhooks specification's published test vector: matching it means any Standard
// Webhooks library (standardwebhooks, svix, …) verifies our callbacks.
const SPEC = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};

const at = (seconds: number) => new Date(seconds * 1000);

describe("signCallback", () => {
  it("reproduces the Standard Webhooks test vector", () => {
    expect(signCallback(SPEC.secret, SPEC.id, SPEC.timestamp, SPEC.body)).toBe(SPEC.signature);
    expect(signCallback(SPEC.secret, SPEC.id, at(SPEC.timestamp), SPEC.body)).toBe(SPEC.signature);
    // The prefix is optional, as in the libraries.
    expect(signCallback(SPEC.secret.slice(6), SPEC.id, SPEC.timestamp, SPEC.body)).toBe(SPEC.signature);
  });

  it("derives per-tenant secrets (vector computed by hand with HMAC-SHA256)", () => {
    const master = Buffer.alloc(32, 7);
    const secret = tenantCallbackSecret(master, "contoso");
    expect(secret).toBe("whsec_LGn+Wo9A/vEYqOqFyFo3z5vadFuloJlehCn0YIxrMcg=");
    expect(Buffer.from(secret.slice(6), "base64")).toHaveLength(32);
    expect(tenantCallbackSecret(master, "fabrikam")).not.toBe(secret);
    expect(tenantCallbackSecret(Buffer.alloc(32, 8), "contoso")).not.toBe(secret);
    // POST signs the body, GET the empty string.
    expect(signCallback(secret, "msg_1", 1_700_000_000, '{"reportId":"r1"}')).toBe(
      "v1,irQnD4PO9fSNGyXFBSX2RoGKOpeRUwl+JdEQ14IkIkQ=",
    );
    expect(signCallback(secret, "msg_1", 1_700_000_000, "")).toBe(
      "v1,P7Dy7qRNpmgeCwn21HJxzubRaUvKn2VHsNWP2uVkRaI=",
    );
  });

  it("builds the headers of an attempt", () => {
    expect(callbackHeaders(SPEC.secret, SPEC.id, at(SPEC.timestamp + 0.9), SPEC.body)).toEqual({
      "user-agent": CALLBACK_USER_AGENT,
      "webhook-id": SPEC.id,
      "webhook-timestamp": String(SPEC.timestamp),
      "webhook-signature": SPEC.signature,
    });
  });
});

describe("verifyCallback", () => {
  const headers = {
    "webhook-id": SPEC.id,
    "webhook-timestamp": String(SPEC.timestamp),
    "webhook-signature": SPEC.signature,
  };

  it("accepts the vector within the tolerance, from a record or a Headers object", () => {
    expect(verifyCallback(SPEC.secret, headers, SPEC.body, at(SPEC.timestamp))).toEqual({
      ok: true,
      id: SPEC.id,
      timestamp: SPEC.timestamp,
    });
    expect(verifyCallback(SPEC.secret, new Headers(headers), SPEC.body, at(SPEC.timestamp + 300)).ok).toBe(
      true,
    );
    expect(verifyCallback(SPEC.secret, headers, SPEC.body, at(SPEC.timestamp - 300)).ok).toBe(true);
    const upper = {
      "Webhook-Id": SPEC.id,
      "WEBHOOK-TIMESTAMP": String(SPEC.timestamp),
      "Webhook-Signature": SPEC.signature,
    };
    expect(verifyCallback(SPEC.secret, upper, SPEC.body, at(SPEC.timestamp)).ok).toBe(true);
  });

  it("round-trips with a derived secret", () => {
    const secret = tenantCallbackSecret(Buffer.from("master key"), "t1");
    const now = new Date("2024-05-01T12:00:00Z");
    const body = '{"reportId":"r1","executionId":"e1"}';
    const sent = callbackHeaders(secret, "d1", now, body);
    expect(verifyCallback(secret, sent, body, now)).toMatchObject({ ok: true, id: "d1" });
    expect(verifyCallback(tenantCallbackSecret(Buffer.from("master key"), "t2"), sent, body, now)).toEqual({
      ok: false,
      reason: "no matching signature",
    });
  });

  it("accepts any matching entry of a multi-signature header", () => {
    const many = {
      ...headers,
      "webhook-signature": `v1,AAAA v2,${SPEC.signature.slice(3)} ${SPEC.signature}`,
    };
    expect(verifyCallback(SPEC.secret, many, SPEC.body, at(SPEC.timestamp)).ok).toBe(true);
  });

  it.each([
    ["a changed body", headers, '{"test": 2432232315}', SPEC.timestamp, "no matching signature"],
    [
      "a changed id",
      { ...headers, "webhook-id": "msg_other" },
      SPEC.body,
      SPEC.timestamp,
      "no matching signature",
    ],
    [
      "a changed timestamp",
      { ...headers, "webhook-timestamp": String(SPEC.timestamp + 1) },
      SPEC.body,
      SPEC.timestamp,
      "no matching signature",
    ],
    ["an old timestamp", headers, SPEC.body, SPEC.timestamp + 301, "too old"],
    ["a future timestamp", headers, SPEC.body, SPEC.timestamp - 301, "too new"],
    [
      "a missing signature",
      { ...headers, "webhook-signature": undefined },
      SPEC.body,
      SPEC.timestamp,
      "missing",
    ],
    ["a bad timestamp", { ...headers, "webhook-timestamp": "12a" }, SPEC.body, SPEC.timestamp, "invalid"],
    [
      "another version",
      { ...headers, "webhook-signature": `v2,${SPEC.signature.slice(3)}` },
      SPEC.body,
      SPEC.timestamp,
      "no matching",
    ],
    [
      "a truncated signature",
      { ...headers, "webhook-signature": SPEC.signature.slice(0, 20) },
      SPEC.body,
      SPEC.timestamp,
      "no matching",
    ],
  ])("refuses %s", (_what, given, body, nowSeconds, reason) => {
    const result = verifyCallback(SPEC.secret, given, body, at(nowSeconds));
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.reason).toContain(reason);
  });

  it("honours a custom tolerance", () => {
    expect(verifyCallback(SPEC.secret, headers, SPEC.body, at(SPEC.timestamp + 10), 5).ok).toBe(false);
    expect(verifyCallback(SPEC.secret, headers, SPEC.body, at(SPEC.timestamp + 10), 10).ok).toBe(true);
  });
});
