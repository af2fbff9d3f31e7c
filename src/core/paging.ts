/** Keyset pagination: the page a store returns, and the opaque continuation tokens (base64url JSON) the API hands out. */
import { AppError, ERROR_CODES } from "./errors.js";

/** Stable ordering key for keyset pagination: (createdTime, id) ascending. */
export interface Cursor {
  readonly createdTime: Date;
  readonly id: string;
}

export interface PageRequest {
  /** Continue after this item; omitted for the first page. */
  readonly after?: Cursor;
  /** At most this many items. */
  readonly limit: number;
}

export interface Page<T> {
  readonly items: T[];
  /** Present when more items follow the last one returned. */
  readonly next?: Cursor;
}

export interface PageParams {
  readonly pageSize: number;
  /** The token a previous page's nextLink carried. */
  readonly token?: string;
}

export interface PageResult<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

export function encodeToken(state: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(state), "utf8").toString("base64url");
}

export function decodeToken(token: string): Record<string, unknown> {
  try {
    const state = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (state && typeof state === "object" && !Array.isArray(state)) return state as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw invalidToken();
}

export function encodeCursor(cursor: Cursor, extra: Record<string, unknown> = {}): string {
  return encodeToken({ ...extra, t: cursor.createdTime.getTime(), i: cursor.id });
}

export function decodeCursor(state: Record<string, unknown>): Cursor {
  const { t, i } = state;
  if (typeof t !== "number" || Number.isNaN(new Date(t).getTime()) || typeof i !== "string")
    throw invalidToken();
  return { createdTime: new Date(t), id: i };
}

/** A non-negative whole number from a token, e.g. a position in a list. */
export function decodeIndex(state: Record<string, unknown>, key: string): number {
  const value = state[key];
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) throw invalidToken();
  return value;
}

function invalidToken(): AppError {
  return new AppError(
    ERROR_CODES.INVALID_ARGUMENT,
    "skipToken is not valid: use the nextLink of the previous page as it is",
  );
}
