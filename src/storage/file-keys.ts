/**
 * Rules every FileStore adapter shares: which keys are valid, byte ranges, and the local file a
 * `putFile` takes. Keys are plain relative paths ("mpn/<tenant>/<report>/<execution>.csv"), so that
 * they mean the same on disk and in a bucket.
 */
import type { Stats } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { AppError, ERROR_CODES } from "../core/errors.js";

export const MAX_KEY_LENGTH = 1024;

/** The key's path segments; throws invalid_argument for a key that is not a plain relative path. */
export function keySegments(key: string): string[] {
  const bad = (why: string) =>
    new AppError(ERROR_CODES.INVALID_ARGUMENT, `invalid file key ${JSON.stringify(key)}: ${why}`);
  if (typeof key !== "string" || key === "") throw bad("it is empty");
  if (key.length > MAX_KEY_LENGTH) throw bad(`it is longer than ${MAX_KEY_LENGTH} characters`);
  if (key.includes("\0")) throw bad("it contains NUL");
  if (key.includes("\\")) throw bad("it contains a backslash");
  if (key.includes("..")) throw bad("it contains '..'");
  if (key.startsWith("/") || path.isAbsolute(key)) throw bad("it is absolute");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(key)) throw bad("it contains a control character");
  const segments = key.split("/");
  if (segments.some((segment) => segment === "" || segment === ".")) {
    throw bad("it has an empty or '.' path segment");
  }
  return segments;
}

export function checkRange(range: { readonly start: number; readonly end: number }): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new AppError(
      ERROR_CODES.INVALID_ARGUMENT,
      `invalid byte range ${start}-${end}: need whole numbers 0 <= start <= end`,
    );
  }
}

/** The size of the local file a `putFile` is given; internal error when it is missing or not a file. */
export async function sourceSize(source: string): Promise<number> {
  let info: Stats;
  try {
    info = await stat(source);
  } catch (error) {
    throw new AppError(ERROR_CODES.INTERNAL, `cannot store ${source}: it cannot be read`, undefined, {
      cause: error,
    });
  }
  if (!info.isFile()) throw new AppError(ERROR_CODES.INTERNAL, `cannot store ${source}: it is not a file`);
  return info.size;
}
