/**
 * Callback signatures, following the Standard Webhooks convention (https://www.standardwebhooks.com):
 *
 *   webhook-id:        the delivery id (the same on every retry: receivers de-duplicate on it)
 *   webhook-timestamp: Unix seconds of this attempt
 *   webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">
 *
 * keyed with the bytes of the tenant's secret `whsec_<base64>`. A GET callback has no body, so the
 * signed body is the empty string. Any Standard Webhooks library verifies these headers.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const SECRET_PREFIX = "whsec_";
export const CALLBACK_USER_AGENT = "OpenInsights-Callback/1";
/** How far a timestamp may be from the receiver's clock, as in the Standard Webhooks libraries. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * The tenant's callback secret, derived from the service's callback master key so it needs no
 * storage: "whsec_" + base64(HMAC-SHA256(masterKey, "callback-secret:" + tenant)) (32 key bytes).
 */
export function tenantCallbackSecret(masterKeyForCallbacks: Buffer, tenant: string): string {
  const key = createHmac("sha256", masterKeyForCallbacks).update(`callback-secret:${tenant}`).digest();
  return `${SECRET_PREFIX}${key.toString("base64")}`;
}

/** The HMAC key bytes of a `whsec_<base64>` secret (the prefix is optional). */
function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(encoded, "base64");
  if (key.length === 0) throw new Error("the callback secret is empty or not base64");
  return key;
}

function unixSeconds(timestamp: number | Date): number {
  return typeof timestamp === "number" ? Math.floor(timestamp) : Math.floor(timestamp.getTime() / 1000);
}

/** The `webhook-signature` value: "v1," + base64 HMAC-SHA256 of "<id>.<timestamp>.<body>". */
export function signCallback(secret: string, id: string, timestamp: number | Date, body: string): string {
  return `v1,${mac(secretKey(secret), `${id}.${unixSeconds(timestamp)}.${body}`).toString("base64")}`;
}

function mac(key: Buffer, content: string): Buffer {
  return createHmac("sha256", key).update(content).digest();
}

/** The headers of one callback attempt (without content-type/length, which depend on the method). */
export function callbackHeaders(
  secret: string,
  id: string,
  timestamp: number | Date,
  body: string,
): Record<string, string> {
  return {
    "user-agent": CALLBACK_USER_AGENT,
    "webhook-id": id,
    "webhook-timestamp": String(unixSeconds(timestamp)),
    "webhook-signature": signCallback(secret, id, timestamp, body),
  };
}

export type HeaderSource = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export type VerifyResult =
  | { readonly ok: true; readonly id: string; readonly timestamp: number }
  | { readonly ok: false; readonly reason: string };

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof Headers !== "undefined" && headers instanceof Headers) return headers.get(name) ?? undefined;
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  for (const [key, value] of Object.entries(record)) {
    if (key.toLowerCase() !== name) continue;
    return Array.isArray(value) ? value.join(" ") : (value as string | undefined);
  }
  return undefined;
}

/**
 * Verifies a received callback as a Standard Webhooks receiver would: the three headers present,
 * the timestamp within `toleranceSeconds` of `now` (either way), and one of the space-separated
 * `v1,<signature>` entries matching (compared in constant time). `body` is the raw body received
 * (the empty string for GET).
 */
export function verifyCallback(
  secret: string,
  headers: HeaderSource,
  body: string,
  now: Date,
  toleranceSeconds: number = DEFAULT_TOLERANCE_SECONDS,
): VerifyResult {
  const id = header(headers, "webhook-id");
  const timestampText = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !timestampText || !signatures) return { ok: false, reason: "missing webhook headers" };
  if (!/^\d+$/.test(timestampText)) return { ok: false, reason: "invalid webhook-timestamp" };
  const timestamp = Number(timestampText);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
    return { ok: false, reason: "webhook-timestamp too old or too new" };
  }
  let expected: Buffer;
  try {
    // The timestamp is signed as sent, like the Standard Webhooks libraries do.
    expected = mac(secretKey(secret), `${id}.${timestampText}.${body}`);
  } catch {
    return { ok: false, reason: "invalid secret" };
  }
  for (const entry of signatures.split(/\s+/)) {
    const [version, value] = entry.split(",", 2);
    if (version !== "v1" || !value) continue;
    const given = Buffer.from(value, "base64");
    if (given.length === expected.length && timingSafeEqual(given, expected)) {
      return { ok: true, id, timestamp };
    }
  }
  return { ok: false, reason: "no matching signature" };
}
