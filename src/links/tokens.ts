/**
 * Download-link tokens: `base64url(payload JSON) "." base64url(HMAC-SHA256(key, first part))`.
 * The payload is `{"v":1,"eid":executionId,"tid":tenant,"exp":unix milliseconds}`, plus `"p":n` in a
 * link to part n of a result written in parts (MaxFileSizeMB; without it, the execution's file). Pure: no clock
 * (the caller passes `now`), no I/O. Sign with a key from `deriveKey(master, DOWNLOAD_TOKEN_PURPOSE)`.
 *
 * Verification never throws on the token, whatever it holds; the reason it gives is for logs only
 * (the HTTP edge answers every failure the same way, so a probe learns nothing). A token is expired
 * from its expiry instant on (`now >= expiresAt`).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { AppError, ERROR_CODES } from "../core/errors.js";

/** The `deriveKey` purpose of the download-link key. */
export const DOWNLOAD_TOKEN_PURPOSE = "openinsights/download-link/v1";
/** Default lifetime of a download link. */
export const DEFAULT_LINK_TTL_HOURS = 24;

/** Longer tokens are refused unread (real ones are a few hundred characters). */
export const MAX_TOKEN_LENGTH = 4096;
const MIN_KEY_BYTES = 32;
const SIGNATURE_BYTES = 32;
const VERSION = 1;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export interface DownloadClaims {
  readonly executionId: string;
  readonly tenant: string;
  readonly expiresAt: Date;
  /** Part n (from 1) of a result in parts; absent: the execution's own file. */
  readonly part?: number;
}

export type VerifyFailure = "malformed" | "signature" | "expired";

export type VerifyResult =
  | { readonly ok: true; readonly claims: DownloadClaims }
  | { readonly ok: false; readonly reason: VerifyFailure };

export function signDownloadToken(key: Buffer, claims: DownloadClaims): string {
  checkKey(key);
  const expires = claims.expiresAt.getTime();
  if (!Number.isSafeInteger(expires)) {
    throw new AppError(ERROR_CODES.INTERNAL, "a download token needs a valid expiry time");
  }
  if (typeof claims.executionId !== "string" || claims.executionId === "") {
    throw new AppError(ERROR_CODES.INTERNAL, "a download token needs an execution id");
  }
  if (typeof claims.tenant !== "string" || claims.tenant === "") {
    throw new AppError(ERROR_CODES.INTERNAL, "a download token needs a tenant");
  }
  if (claims.part !== undefined && !isPartNumber(claims.part)) {
    throw new AppError(ERROR_CODES.INTERNAL, "a download token's part must be a positive whole number");
  }
  const payload = Buffer.from(
    JSON.stringify({
      v: VERSION,
      eid: claims.executionId,
      tid: claims.tenant,
      exp: expires,
      ...(claims.part === undefined ? {} : { p: claims.part }),
    }),
    "utf8",
  ).toString("base64url");
  return `${payload}.${mac(key, payload).toString("base64url")}`;
}

export function verifyDownloadToken(key: Buffer, token: unknown, now: Date): VerifyResult {
  checkKey(key);
  if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
    return fail("malformed");
  }
  const dot = token.indexOf(".");
  if (dot <= 0 || dot !== token.lastIndexOf(".")) return fail("malformed");
  const payload = token.slice(0, dot);
  const signatureText = token.slice(dot + 1);
  if (!BASE64URL.test(payload) || !BASE64URL.test(signatureText)) return fail("malformed");
  const signature = Buffer.from(signatureText, "base64url");
  // Exactly one encoding of the 32 bytes is accepted (no trailing bits, no padding variants).
  if (signature.length !== SIGNATURE_BYTES || signature.toString("base64url") !== signatureText) {
    return fail("malformed");
  }
  if (!timingSafeEqual(signature, mac(key, payload))) return fail("signature");

  // Authentic from here on: only our own (or a future version's) payloads reach the parser.
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return fail("malformed");
  }
  if (typeof body !== "object" || body === null) return fail("malformed");
  const { v, eid, tid, exp, p } = body as Record<string, unknown>;
  if (v !== VERSION || typeof eid !== "string" || eid === "" || typeof tid !== "string" || tid === "") {
    return fail("malformed");
  }
  if (typeof exp !== "number" || !Number.isSafeInteger(exp)) return fail("malformed");
  if (p !== undefined && !isPartNumber(p)) return fail("malformed");
  const nowMs = now.getTime();
  // An invalid clock reading fails closed.
  if (!Number.isFinite(nowMs) || nowMs >= exp) return fail("expired");
  const claims = { executionId: eid, tenant: tid, expiresAt: new Date(exp) };
  return { ok: true, claims: p === undefined ? claims : { ...claims, part: p as number } };
}

/** The expiry of a link issued at `now` that lasts `ttlHours`. */
export function linkExpiry(now: Date, ttlHours: number = DEFAULT_LINK_TTL_HOURS): Date {
  return new Date(now.getTime() + ttlHours * 3_600_000);
}

function isPartNumber(value: unknown): boolean {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 1;
}

function mac(key: Buffer, payload: string): Buffer {
  return createHmac("sha256", key).update(payload, "ascii").digest();
}

function checkKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length < MIN_KEY_BYTES) {
    throw new AppError(ERROR_CODES.INTERNAL, `the download-link key must be at least ${MIN_KEY_BYTES} bytes`);
  }
}

function fail(reason: VerifyFailure): VerifyResult {
  return { ok: false, reason };
}
